package logistics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Sweep queues a check for every parcel that is due: one indexed range read of due_at
// per page, a check task per parcel (its id names the parcel and its due time, so a
// second sweep or a second worker queues nothing twice), then one update that leases
// the queued parcels. It answers how many it queued.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	queued := 0
	for range sweepPages {
		due, err := s.db.DueParcels(ctx, now, sweepPage)
		if err != nil {
			return queued, fmt.Errorf("logistics: sweep: %w", err)
		}
		ids := make([]uint64, 0, len(due))
		var qerr error
		for _, d := range due {
			if qerr = s.queue.EnqueueParcelCheck(ctx, d.ID, d.DueAt); qerr != nil {
				break
			}
			ids = append(ids, d.ID)
		}
		if err := s.db.LeaseParcels(ctx, ids, now, now.Add(lease)); err != nil {
			return queued, fmt.Errorf("logistics: sweep: %w", err)
		}
		queued += len(ids)
		if qerr != nil {
			return queued, fmt.Errorf("logistics: sweep: queue a check: %w", qerr)
		}
		if len(due) < sweepPage {
			break
		}
	}
	return queued, nil
}

// Check does what is due for one parcel: the stuck alert when it stopped moving, the
// follow-up reminder after delivery, and the provider query (or subscription) its
// schedule calls for. A provider failure is answered as an error, so the task is
// retried; the parcel stays due (after the lease) in case the retries run out.
func (s *Service) Check(ctx context.Context, parcelID uint64) error {
	p, err := s.db.Parcel(ctx, 0, parcelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("logistics: check parcel %d: %w", parcelID, err)
	}
	cfg, err := s.shopSettings(ctx, p.ShopID)
	if err != nil {
		return err
	}
	now := s.now()
	if due(p.StuckAt, now) || due(p.FollowUpAt, now) {
		if err := s.timed(ctx, parcelID, cfg, now); err != nil {
			return err
		}
	}
	var pollErr error
	if p.Provider != "" && due(p.NextPollAt, now) {
		pollErr = s.poll(ctx, p, cfg, now)
	}
	return errors.Join(pollErr, s.reschedule(ctx, parcelID, now, pollErr != nil))
}

// timed raises the alerts that come with time: a parcel without movement for the
// shop's threshold (once per last movement), the follow-up reminder once delivered.
func (s *Service) timed(ctx context.Context, parcelID uint64, cfg models.LogisticsSettings, now time.Time) error {
	_, err := s.locked(ctx, parcelID, func(tx *store.DB, c *chain, e *effects) error {
		p := c.parcel
		updates := map[string]any{}
		if due(p.StuckAt, now) && !final(p.State) {
			p.StuckAt = nil
			updates["stuck_at"] = nil
			if p.Exception == "" {
				p.Exception = ExceptionStuck
				updates["exception"] = ExceptionStuck
			}
			if err := s.raiseException(ctx, tx, c, ExceptionStuck, e); err != nil {
				return err
			}
		}
		if due(p.FollowUpAt, now) {
			p.FollowUpAt = nil
			updates["follow_up_at"] = nil
			summary := fmt.Sprintf("订单 %s 的包裹 %s 已签收，请回访买家", c.order.ExternalID, p.Number)
			if err := s.raise(ctx, tx, c, AlertFollowUp, fmt.Sprintf("parcel:%d:follow_up", p.ID), summary, "follow_up", e); err != nil {
				return err
			}
		}
		e.changed = len(updates) > 0
		return s.save(ctx, tx, p, updates)
	})
	return err
}

// poll subscribes a parcel to its provider's pushes when it is not yet, or else queries
// it, and sets its next query by its age.
func (s *Service) poll(ctx context.Context, p *models.Parcel, cfg models.LogisticsSettings, now time.Time) error {
	prov, ok := s.providers[p.Provider]
	acct, err := s.account(ctx, p.ShopID, p.Provider)
	if !ok || errors.Is(err, store.ErrNotFound) {
		// The account was removed: the parcel waits for another one.
		return s.db.UpdateParcel(ctx, p.ID, map[string]any{"provider": "", "next_poll_at": nil,
			"last_error": "the shop has no " + p.Provider + " account any more"})
	}
	if err != nil {
		return err
	}
	code, _ := prov.CarrierCode(p.CarrierCode)
	ref := ParcelRef{Number: p.Number, Carrier: code, Phone: p.Phone, Ref: p.ProviderRef}
	age := now.Sub(p.StartedAt)
	if p.SubscribedAt == nil {
		providerRef, err := prov.Subscribe(ctx, acct, ref, s.callbackURL(p.Provider, acct.ID))
		var perm *PermanentError
		switch {
		case err == nil:
			next := now.Add(PollInterval(cfg, age, true))
			return s.db.UpdateParcel(ctx, p.ID, map[string]any{"subscribed_at": now, "provider_ref": providerRef,
				"next_poll_at": next, "failures": 0, "last_error": ""})
		case errors.As(err, &perm):
			s.log.Warn("parcel not subscribed; it is queried instead", "parcel_id", p.ID, "provider", p.Provider, "err", err)
			ref.Ref = providerRef
		default:
			return s.failed(ctx, p, fmt.Errorf("subscribe: %w", err))
		}
	}
	snap, err := prov.Query(ctx, acct, ref)
	var perm *PermanentError
	if errors.As(err, &perm) {
		next := now.Add(PollInterval(cfg, age, p.SubscribedAt != nil))
		return s.db.UpdateParcel(ctx, p.ID, map[string]any{"next_poll_at": next, "last_polled_at": now, "last_error": err.Error()})
	}
	if err != nil {
		return s.failed(ctx, p, fmt.Errorf("query: %w", err))
	}
	_, err = s.locked(ctx, p.ID, func(tx *store.DB, c *chain, e *effects) error {
		if err := s.apply(ctx, tx, c, snap, cfg, now, e); err != nil {
			return err
		}
		updates := map[string]any{"last_polled_at": now, "failures": 0, "last_error": ""}
		if !final(c.parcel.State) {
			next := now.Add(PollInterval(cfg, age, c.parcel.SubscribedAt != nil))
			c.parcel.NextPollAt = &next
			updates["next_poll_at"] = next
		}
		return s.save(ctx, tx, c.parcel, updates)
	})
	return err
}

// failed records a provider failure on the parcel (the sidebar shows it) and answers it.
func (s *Service) failed(ctx context.Context, p *models.Parcel, cause error) error {
	err := s.db.UpdateParcel(ctx, p.ID, map[string]any{"failures": p.Failures + 1, "last_error": cause.Error()})
	return errors.Join(fmt.Errorf("logistics: parcel %d: %w", p.ID, cause), err)
}

// reschedule sets the parcel's due time from what is left to do; after a failure it
// is due again once the lease runs out, in case the task's retries do.
func (s *Service) reschedule(ctx context.Context, parcelID uint64, now time.Time, failed bool) error {
	p, err := s.db.Parcel(ctx, 0, parcelID)
	if err != nil {
		return fmt.Errorf("logistics: reschedule parcel %d: %w", parcelID, err)
	}
	next := earliest(p.NextPollAt, p.StuckAt, p.FollowUpAt)
	if failed {
		backstop := now.Add(lease)
		next = &backstop
	}
	updates := map[string]any{"due_at": next}
	if next == nil && p.FinishedAt == nil && final(p.State) {
		updates["finished_at"] = now
	}
	return s.db.UpdateParcel(ctx, parcelID, updates)
}
