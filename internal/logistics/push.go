package logistics

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// PushReply is the answer a provider expects for a push.
type PushReply struct {
	ContentType string
	Body        []byte
}

// HandlePush verifies and stores a provider's push to one of its accounts (the account
// id is in the callback URL): every parcel of the shop with the pushed number takes the
// new history, each line once. It answers the reply the provider expects, or
// store.ErrNotFound for an unknown account, the provider's verification or parsing
// error, or a storage error (the provider delivers again).
func (s *Service) HandlePush(ctx context.Context, provider string, accountID uint64, r *http.Request, body []byte) (PushReply, error) {
	prov, ok := s.providers[provider]
	if !ok {
		return PushReply{}, fmt.Errorf("logistics: %w %q: %w", ErrUnknownProvider, provider, store.ErrNotFound)
	}
	acct, err := s.accountByID(ctx, provider, accountID)
	if err != nil {
		return PushReply{}, err
	}
	snaps, err := prov.ParsePush(acct, r, body)
	if err != nil {
		return PushReply{}, err
	}
	cfg, err := s.shopSettings(ctx, acct.ShopID)
	if err != nil {
		return PushReply{}, err
	}
	stored := false
	for _, snap := range snaps {
		changed, err := s.applyPush(ctx, acct, snap, cfg)
		if err != nil {
			return PushReply{}, err
		}
		stored = stored || changed
	}
	ct, reply := prov.PushReply(!stored)
	return PushReply{ContentType: ct, Body: reply}, nil
}

// applyPush merges one pushed snapshot into every parcel of the shop with its number.
func (s *Service) applyPush(ctx context.Context, acct Account, snap Snapshot, cfg models.LogisticsSettings) (bool, error) {
	parcels, err := s.db.ParcelsByNumber(ctx, acct.ShopID, acct.Provider, snap.Number)
	if err != nil {
		return false, fmt.Errorf("logistics: %w", err)
	}
	if len(parcels) == 0 {
		s.log.Info("push for a parcel this shop does not follow", "provider", acct.Provider, "account_id", acct.ID, "number", snap.Number)
	}
	now := s.now()
	changed := false
	for _, p := range parcels {
		ok, err := s.locked(ctx, p.ID, func(tx *store.DB, c *chain, e *effects) error {
			if err := s.apply(ctx, tx, c, snap, cfg, now, e); err != nil {
				return err
			}
			if !snap.Lost || final(c.parcel.State) {
				return nil
			}
			// The provider stopped pushing: subscribe again after the wait it asks for.
			again := now.Add(resubscribeAfter)
			c.parcel.SubscribedAt, c.parcel.NextPollAt = nil, &again
			e.changed = true
			return s.save(ctx, tx, c.parcel, map[string]any{"subscribed_at": nil, "next_poll_at": again})
		})
		if err != nil {
			return false, err
		}
		changed = changed || ok
	}
	return changed, nil
}

// Tracking is an order's current parcel and its timeline, newest first; a nil parcel
// when the order has no tracking number or its tracking has not started.
func (s *Service) Tracking(ctx context.Context, o *models.Order) (*models.Parcel, []models.ParcelEvent, error) {
	if o.TrackingNumber == "" {
		return nil, nil, nil
	}
	p, err := s.db.OrderParcel(ctx, o.ID, o.TrackingNumber)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("logistics: %w", err)
	}
	evs, err := s.db.ParcelEvents(ctx, p.ID, 200)
	if err != nil {
		return nil, nil, fmt.Errorf("logistics: %w", err)
	}
	return p, evs, nil
}
