// Package alerts is how ChatBridge makes staff see what must not be missed: an order
// changed before packing, a refund's deadline, a parcel that stopped moving, a ticket
// due. Each area raises its alerts here, inside the transaction of the change that
// causes them; this package stores them once per trigger, pushes them live to their
// audience and records who acknowledged them.
package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Publisher sends live events.
type Publisher interface {
	Publish(ctx context.Context, ev realtime.Event) error
}

// Service raises, announces and acknowledges alerts.
type Service struct {
	db  *store.DB
	pub Publisher
	log *slog.Logger
	now func() time.Time
}

// NewService wires the alert service.
func NewService(db *store.DB, pub Publisher, log *slog.Logger) *Service {
	return &Service{db: db, pub: pub, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// Raise stores a within tx unless the shop already has an alert with its DedupKey; then
// a is that alert and created is false. Call Announce with a after the commit when created.
func (s *Service) Raise(ctx context.Context, tx *store.DB, a *models.Alert) (created bool, err error) {
	if a.ShopID == 0 || a.Kind == "" || a.DedupKey == "" || !a.Audience.Valid() {
		return false, fmt.Errorf("alerts: an alert needs a shop, a kind, a dedup key and an audience (got %+v)", a)
	}
	created, err = tx.InsertAlert(ctx, a)
	if err != nil {
		return false, fmt.Errorf("alerts: raise %s: %w", a.Kind, err)
	}
	return created, nil
}

// Announce pushes an alert live to its audience as alert.created. A failure only delays
// the live view (the lists are read from the store), so it is logged, not returned.
func (s *Service) Announce(ctx context.Context, shopID, id uint64) {
	s.publish(ctx, shopID, id, realtime.AlertCreated)
}

func (s *Service) publish(ctx context.Context, shopID, id uint64, typ string) {
	row, err := s.db.Alert(ctx, shopID, id)
	if err != nil {
		s.log.Error("load alert for event", "alert_id", id, "err", err)
		return
	}
	ev, err := realtime.NewEvent(shopID, typ, row.UpdatedAt, view.NewAlert(row))
	if err == nil {
		ev.Audience = AudienceOf(&row.Alert)
		err = s.pub.Publish(ctx, ev)
	}
	if err != nil {
		s.log.Warn("alert event not published; the lists still show it", "alert_id", id, "err", err)
	}
}

// AudienceOf is who an alert's live events reach.
func AudienceOf(a *models.Alert) *realtime.Audience {
	if a.UserID != nil {
		return &realtime.Audience{UserIDs: []uint64{*a.UserID}}
	}
	return &realtime.Audience{Roles: []string{string(a.Audience)}}
}

// Visible reports whether a user may see an alert: its audience's role (or the one
// user it names), and the shop's supervisors and admins.
func Visible(u *models.User, a *models.Alert) bool {
	switch {
	case u.Role == models.RoleAdmin || u.Role == models.RoleSupervisor:
		return true
	case a.UserID != nil:
		return *a.UserID == u.ID
	default:
		return a.Audience == u.Role
	}
}

// Acknowledge records that u has seen an alert: it stops repeating. Acknowledging an
// alert twice is harmless; the first acknowledgement is kept.
func (s *Service) Acknowledge(ctx context.Context, u *models.User, a *store.AlertRow) (*store.AlertRow, error) {
	changed, err := s.db.AcknowledgeAlert(ctx, a.ID, u.ID, s.now())
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if changed {
		s.publish(ctx, a.ShopID, a.ID, realtime.AlertUpdated)
	}
	return s.db.Alert(ctx, a.ShopID, a.ID)
}
