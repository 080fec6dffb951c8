package logistics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

var _ inbox.OrderWatcher = (*Service)(nil)

// OrderChanged starts tracking a shipped order's parcel (new, or under a changed
// tracking number), inside the order's ingest transaction; its first check is queued
// after the commit (the sweep queues it if the process dies first). A parcel replaced
// by a new number stops being followed. A platform event that still says "shipped"
// for an order whose parcel the carrier reported delivered keeps the order delivered:
// the carrier's signature is newer news than the platform's lagging status.
func (s *Service) OrderChanged(ctx context.Context, tx *store.DB, c inbox.OrderChange) (func(context.Context), error) {
	o, prev := c.Order, c.Prev
	now := s.now()
	if prev != nil && prev.TrackingNumber != "" && prev.TrackingNumber != o.TrackingNumber {
		if err := s.retire(ctx, tx, o.ID, prev.TrackingNumber, now); err != nil {
			return nil, err
		}
	}
	if o.TrackingNumber == "" {
		return nil, nil
	}
	p, err := tx.OrderParcel(ctx, o.ID, o.TrackingNumber)
	switch {
	case err == nil:
		return nil, s.keepDelivered(ctx, tx, o, p)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("logistics: %w", err)
	case o.Status != models.OrderShipped:
		return nil, nil
	}
	p, err = s.startTracking(ctx, tx, o, now)
	if err != nil || p == nil {
		return nil, err
	}
	id, dueAt := p.ID, *p.DueAt
	return func(ctx context.Context) {
		if err := s.queue.EnqueueParcelCheck(ctx, id, dueAt); err != nil {
			s.log.Warn("first parcel check not queued; the sweep will", "parcel_id", id, "err", err)
		}
	}, nil
}

// startTracking stores a new parcel for the order's tracking number, handed to the
// provider that will follow it (none yet when the shop has no account that knows the
// carrier: it is adopted when one is added).
func (s *Service) startTracking(ctx context.Context, tx *store.DB, o *models.Order, now time.Time) (*models.Parcel, error) {
	settings, err := tx.ShopSettings(ctx, o.ShopID)
	if err != nil {
		return nil, fmt.Errorf("logistics: %w", err)
	}
	cfg := settings.Logistics
	code := GuessCarrier(o.TrackingCarrier, o.TrackingNumber)
	provider, err := s.chooseProvider(ctx, tx, o.ShopID, code, cfg.ProviderOrder)
	if err != nil {
		return nil, fmt.Errorf("logistics: %w", err)
	}
	started := now
	if !o.PlatformUpdatedAt.IsZero() && o.PlatformUpdatedAt.Before(now) {
		started = o.PlatformUpdatedAt.UTC()
	}
	stuck := started.Add(time.Duration(cfg.StuckAfterHours) * time.Hour)
	p := &models.Parcel{
		ShopID: o.ShopID, OrderID: o.ID, ChannelID: o.ChannelID, CustomerID: o.CustomerID,
		Carrier: o.TrackingCarrier, CarrierCode: code, Number: o.TrackingNumber, Phone: o.Address.V.Phone,
		Provider: provider, State: models.ParcelPending, StartedAt: started, StuckAt: &stuck,
	}
	if provider != "" {
		p.NextPollAt = &now
	}
	p.DueAt = earliest(p.NextPollAt, p.StuckAt)
	created, err := tx.CreateParcel(ctx, p)
	if err != nil || !created {
		return nil, err
	}
	return p, nil
}

// retire stops following an order's parcel whose number the platform replaced.
func (s *Service) retire(ctx context.Context, tx *store.DB, orderID uint64, number string, now time.Time) error {
	p, err := tx.OrderParcel(ctx, orderID, number)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logistics: %w", err)
	}
	if p.FinishedAt != nil {
		return nil
	}
	return tx.UpdateParcel(ctx, p.ID, map[string]any{
		"finished_at": now, "next_poll_at": nil, "stuck_at": nil, "follow_up_at": nil, "due_at": nil, "exception": "",
	})
}

// keepDelivered holds an order at delivered when the platform still reports it shipped
// under the same number after the carrier's delivery (the platform's status lags).
func (s *Service) keepDelivered(ctx context.Context, tx *store.DB, o *models.Order, p *models.Parcel) error {
	if o.Status != models.OrderShipped || p.State != models.ParcelDelivered {
		return nil
	}
	if err := tx.SetOrderStatus(ctx, o.ID, models.OrderDelivered); err != nil {
		return fmt.Errorf("logistics: %w", err)
	}
	o.Status = models.OrderDelivered
	return nil
}
