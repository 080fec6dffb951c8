package logistics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// chain is a parcel locked with what its changes touch: its order and the buyer's
// conversation (nil until the buyer writes). They are locked in the order the ingest
// transaction locks them (order, conversation, parcel), so the two never deadlock.
type chain struct {
	order  *models.Order
	conv   *models.Conversation
	parcel *models.Parcel
}

// effects are what a change does after its commit.
type effects struct {
	after   []func(context.Context)
	changed bool
}

func (e *effects) then(fn func(context.Context)) {
	if fn != nil {
		e.after = append(e.after, fn)
	}
}

func (e *effects) run(ctx context.Context) {
	for _, fn := range e.after {
		fn(ctx)
	}
}

// locked runs fn in a transaction with the parcel's chain locked, then, once
// committed, what fn left to do; the parcel is published when it changed.
func (s *Service) locked(ctx context.Context, parcelID uint64, fn func(tx *store.DB, c *chain, e *effects) error) (bool, error) {
	p, err := s.db.Parcel(ctx, 0, parcelID)
	if err != nil {
		return false, err
	}
	var e effects
	err = s.db.Tx(ctx, func(tx *store.DB) error {
		e = effects{}
		c := &chain{}
		if c.order, err = tx.LockOrder(ctx, p.OrderID); err != nil {
			return err
		}
		c.conv, err = tx.LockConversation(ctx, c.order.ChannelID, c.order.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if c.parcel, err = tx.LockParcel(ctx, parcelID); err != nil {
			return err
		}
		return fn(tx, c, &e)
	})
	if err != nil {
		return false, fmt.Errorf("logistics: parcel %d: %w", parcelID, err)
	}
	e.run(ctx)
	if e.changed {
		s.publish(ctx, p.ShopID, parcelID)
	}
	return e.changed, nil
}

// apply merges a provider's snapshot into a locked parcel: new timeline lines are
// stored (each once), and unless the snapshot is older than what the parcel already
// knows, its latest event and state move the parcel, raising what the move raises.
func (s *Service) apply(ctx context.Context, tx *store.DB, c *chain, snap Snapshot, cfg models.LogisticsSettings, now time.Time, e *effects) error {
	p := c.parcel
	rows := make([]models.ParcelEvent, 0, len(snap.Events))
	for _, ev := range snap.Events {
		rows = append(rows, models.ParcelEvent{ParcelID: p.ID, ShopID: p.ShopID, OccurredAt: ev.At.UTC(), Text: ev.Text,
			Location: ev.Location, Status: ev.Status, State: ev.State, EventKey: EventKey(ev.At, ev.Text)})
	}
	added, err := tx.InsertParcelEvents(ctx, rows)
	if err != nil {
		return err
	}
	e.changed = e.changed || added > 0
	updates := map[string]any{}
	if snap.Ref != "" && snap.Ref != p.ProviderRef {
		updates["provider_ref"] = snap.Ref
	}
	latest := latestEvent(snap.Events)
	if latest != nil && p.LastEventAt != nil && latest.At.Before(*p.LastEventAt) {
		return s.save(ctx, tx, p, updates) // older news: its lines are kept, the parcel stays
	}
	to := snap.State
	if to == "" && latest != nil {
		to = latest.State
	}
	if latest != nil {
		if key := EventKey(latest.At, latest.Text); key != p.LastEventKey {
			at := latest.At.UTC()
			p.LastEventAt, p.LastEventKey, p.LastEventText = &at, key, latest.Text
			updates["last_event_at"], updates["last_event_key"], updates["last_event_text"] = at, key, latest.Text
			s.moved(p, cfg, updates)
		}
	}
	t := NextState(p.State, to)
	if t.To != p.State {
		if err := s.transition(ctx, tx, c, t, cfg, now, updates, e); err != nil {
			return err
		}
	}
	e.changed = e.changed || len(updates) > 0
	return s.save(ctx, tx, p, updates)
}

// moved restarts the no-movement clock from the parcel's latest event and closes a
// stuck exception.
func (s *Service) moved(p *models.Parcel, cfg models.LogisticsSettings, updates map[string]any) {
	if final(p.State) {
		return
	}
	stuck := p.LastEventAt.Add(time.Duration(cfg.StuckAfterHours) * time.Hour)
	p.StuckAt = &stuck
	updates["stuck_at"] = stuck
	if p.Exception == ExceptionStuck {
		p.Exception = ""
		updates["exception"] = ""
	}
}

// transition moves a locked parcel to a new state and does what the move means: an
// alert for a problem or a return, the delivery's stage change and follow-up, no more
// polling once the carrier is done.
func (s *Service) transition(ctx context.Context, tx *store.DB, c *chain, t Transition, cfg models.LogisticsSettings, now time.Time, updates map[string]any, e *effects) error {
	p := c.parcel
	p.State = t.To
	updates["state"] = t.To
	if t.Clears && p.Exception == ExceptionProblem {
		p.Exception = ""
		updates["exception"] = ""
	}
	if final(t.To) {
		p.NextPollAt, p.StuckAt = nil, nil
		updates["next_poll_at"], updates["stuck_at"] = nil, nil
	}
	switch {
	case t.Raises != "":
		p.Exception = t.Raises
		updates["exception"] = t.Raises
		return s.raiseException(ctx, tx, c, t.Raises, e)
	case t.Delivered:
		return s.delivered(ctx, tx, c, cfg, now, updates, e)
	}
	return nil
}

// delivered records the delivery on the buyer's conversation, marks the order delivered
// when the platform still says shipped (the only status a delivery moves forward),
// moves the chat to the stage the buyer's orders now give (after-sale) and sets the
// follow-up (回访) reminder due.
func (s *Service) delivered(ctx context.Context, tx *store.DB, c *chain, cfg models.LogisticsSettings, now time.Time, updates map[string]any, e *effects) error {
	p := c.parcel
	at := now
	if p.LastEventAt != nil {
		at = *p.LastEventAt
	}
	followUp := at.Add(time.Duration(cfg.FollowUpAfterHours) * time.Hour)
	p.DeliveredAt, p.FollowUpAt, p.Exception = &at, &followUp, ""
	updates["delivered_at"], updates["follow_up_at"], updates["exception"] = at, followUp, ""
	if c.order.Status == models.OrderShipped && c.order.TrackingNumber == p.Number {
		if err := tx.SetOrderStatus(ctx, c.order.ID, models.OrderDelivered); err != nil {
			return err
		}
		c.order.Status = models.OrderDelivered
	}
	if c.conv == nil {
		return nil
	}
	if err := s.recordEvent(ctx, tx, c, "delivered", nil); err != nil {
		return err
	}
	if s.stages == nil {
		return nil
	}
	publish, err := s.stages.RestageByCarrier(ctx, tx, c.conv)
	e.then(publish)
	return err
}

// save writes the collected changes with the due time they give; a parcel the carrier
// is done with and that has nothing left to do is finished.
func (s *Service) save(ctx context.Context, tx *store.DB, p *models.Parcel, updates map[string]any) error {
	if len(updates) == 0 {
		return nil
	}
	p.DueAt = earliest(p.NextPollAt, p.StuckAt, p.FollowUpAt)
	updates["due_at"] = p.DueAt
	if p.DueAt == nil && p.FinishedAt == nil && final(p.State) {
		at := s.now()
		p.FinishedAt = &at
		updates["finished_at"] = at
	}
	return tx.UpdateParcel(ctx, p.ID, updates)
}

// latestEvent is the newest event (the last of equals, providers listing oldest first).
func latestEvent(evs []Event) *Event {
	var latest *Event
	for i := range evs {
		if latest == nil || !evs[i].At.Before(latest.At) {
			latest = &evs[i]
		}
	}
	return latest
}

// raiseException raises an exception's alert on the buyer's conversation, once per
// occurrence (the dedup key names the parcel's latest event), and records it in the
// thread when it is new.
func (s *Service) raiseException(ctx context.Context, tx *store.DB, c *chain, exception string, e *effects) error {
	p := c.parcel
	ref := p.StartedAt
	if p.LastEventAt != nil {
		ref = *p.LastEventAt
	}
	var kind, summary string
	switch exception {
	case ExceptionProblem:
		kind, summary = AlertProblem, fmt.Sprintf("包裹 %s（订单 %s）成为疑难件：%s", p.Number, c.order.ExternalID, p.LastEventText)
	case ExceptionReturned:
		kind, summary = AlertReturned, fmt.Sprintf("包裹 %s（订单 %s）被拒签或退回：%s", p.Number, c.order.ExternalID, p.LastEventText)
	default:
		hours := int(s.now().Sub(ref).Hours())
		kind, summary = AlertStuck, fmt.Sprintf("包裹 %s（订单 %s）已 %d 小时没有物流更新：%s", p.Number, c.order.ExternalID, hours, p.LastEventText)
	}
	dedup := fmt.Sprintf("parcel:%d:%s:%d", p.ID, exception, ref.Unix())
	return s.raise(ctx, tx, c, kind, dedup, summary, exception, e)
}

// raise stores an alert for the chat's agent (the agents of the shop while nobody holds
// the chat) and, when it is new, a parcel event in the thread.
func (s *Service) raise(ctx context.Context, tx *store.DB, c *chain, kind, dedup, summary, what string, e *effects) error {
	p := c.parcel
	detail, err := json.Marshal(map[string]any{"parcel_id": view.ID(p.ID), "number": p.Number, "carrier": p.Carrier,
		"state": p.State, "last_event": p.LastEventText})
	if err != nil {
		return fmt.Errorf("logistics: encode alert detail: %w", err)
	}
	a := &models.Alert{ShopID: p.ShopID, Kind: kind, Audience: models.RoleAgent, OrderID: &c.order.ID,
		DedupKey: dedup, Summary: truncateRunes(summary, 500), Detail: models.JSON[json.RawMessage]{V: detail}}
	if c.conv != nil {
		a.ConversationID, a.UserID = &c.conv.ID, c.conv.AssigneeID
	}
	created, err := s.alerts.Raise(ctx, tx, a)
	if err != nil || !created {
		return err
	}
	id, shopID := a.ID, a.ShopID
	e.then(func(ctx context.Context) { s.alerts.Announce(ctx, shopID, id) })
	if c.conv == nil {
		return nil
	}
	return s.recordEvent(ctx, tx, c, what, &id)
}

// recordEvent puts a parcel event in the buyer's thread.
func (s *Service) recordEvent(ctx context.Context, tx *store.DB, c *chain, what string, alertID *uint64) error {
	p := c.parcel
	data := map[string]any{"parcel_id": view.ID(p.ID), "order_id": view.ID(c.order.ID), "order_external_id": c.order.ExternalID,
		"number": p.Number, "carrier": p.Carrier, "kind": what, "state": p.State, "text": p.LastEventText}
	if alertID != nil {
		data["alert_id"] = view.ID(*alertID)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("logistics: encode parcel event: %w", err)
	}
	return tx.InsertConversationEvent(ctx, &models.ConversationEvent{ShopID: p.ShopID, ConversationID: c.conv.ID,
		Kind: EventParcel, Data: models.JSON[json.RawMessage]{V: raw}})
}

// publish sends the parcel's current state live to the shop.
func (s *Service) publish(ctx context.Context, shopID, id uint64) {
	if s.pub == nil {
		return
	}
	p, err := s.db.Parcel(ctx, shopID, id)
	if err != nil {
		s.log.Warn("load parcel for event", "parcel_id", id, "err", err)
		return
	}
	ev, err := realtime.NewEvent(shopID, EventParcelUpdated, p.UpdatedAt, view.NewParcel(p))
	if err == nil {
		err = s.pub.Publish(ctx, ev)
	}
	if err != nil {
		s.log.Warn("parcel event not published; the sidebar catches up on reload", "parcel_id", id, "err", err)
	}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
