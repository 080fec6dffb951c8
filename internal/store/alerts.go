package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/models"
)

// InsertAlert stores a new alert, or, when the shop already has one with its dedup key,
// loads that one into a and answers created false.
func (db *DB) InsertAlert(ctx context.Context, a *models.Alert) (created bool, err error) {
	if a.Status == "" {
		a.Status = models.AlertOpen
	}
	if len(a.Detail.V) == 0 {
		a.Detail.V = json.RawMessage("{}")
	}
	err = db.q(ctx).Create(a).Error
	if isDuplicate(err) {
		err = db.q(ctx).Where("shop_id = ? AND dedup_key = ?", a.ShopID, a.DedupKey).Take(a).Error
		if err != nil {
			return false, fmt.Errorf("store: alert %q: %w", a.DedupKey, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: insert alert %q: %w", a.DedupKey, err)
	}
	return true, nil
}

// AlertRow is an alert with the platform's id of its order, which is what staff see.
type AlertRow struct {
	models.Alert
	OrderExternalID string
}

const alertRowSelect = "alerts.*, COALESCE(o.external_id, '') AS order_external_id"

func (db *DB) alertRows(ctx context.Context) *gorm.DB {
	return db.q(ctx).Table("alerts").Select(alertRowSelect).Joins("LEFT JOIN orders o ON o.id = alerts.order_id")
}

// Alert finds an alert of a shop (any shop when shopID is 0).
func (db *DB) Alert(ctx context.Context, shopID, id uint64) (*AlertRow, error) {
	var row AlertRow
	q := db.alertRows(ctx).Where("alerts.id = ?", id)
	if shopID != 0 {
		q = q.Where("alerts.shop_id = ?", shopID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: alert %d: %w", id, notFound(err))
	}
	return &row, nil
}

// AlertFilter selects alerts for a list.
type AlertFilter struct {
	ShopID uint64 // 0: every shop (admins)
	// Audiences limits the list to these roles' alerts; empty means all.
	Audiences []models.Role
	// ForUser, when set, keeps only the alerts of the audience as a whole and this user's.
	ForUser        *uint64
	Status         models.AlertStatus
	Kinds          []string
	OrderID        uint64
	ConversationID uint64
	BeforeID       uint64 // paging: only alerts older than this id
	Limit          int
}

// ListAlerts lists alerts newest first; open ones before acknowledged ones when both
// are asked for.
func (db *DB) ListAlerts(ctx context.Context, f AlertFilter) ([]AlertRow, error) {
	q := db.alertRows(ctx)
	if f.ShopID != 0 {
		q = q.Where("alerts.shop_id = ?", f.ShopID)
	}
	if len(f.Audiences) > 0 {
		q = q.Where("alerts.audience IN ?", f.Audiences)
	}
	if f.ForUser != nil {
		q = q.Where("(alerts.user_id IS NULL OR alerts.user_id = ?)", *f.ForUser)
	}
	if f.Status != "" {
		q = q.Where("alerts.status = ?", f.Status)
	}
	if len(f.Kinds) > 0 {
		q = q.Where("alerts.kind IN ?", f.Kinds)
	}
	if f.OrderID != 0 {
		q = q.Where("alerts.order_id = ?", f.OrderID)
	}
	if f.ConversationID != 0 {
		q = q.Where("alerts.conversation_id = ?", f.ConversationID)
	}
	if f.BeforeID != 0 {
		q = q.Where("alerts.id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var rows []AlertRow
	err := q.Order("CASE WHEN alerts.status = 'open' THEN 0 ELSE 1 END, alerts.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	return rows, nil
}

// AcknowledgeAlert marks an open alert acknowledged by a user; it answers false when
// the alert was no longer open (acknowledged by someone else first).
func (db *DB) AcknowledgeAlert(ctx context.Context, id, userID uint64, at time.Time) (bool, error) {
	res := db.q(ctx).Model(&models.Alert{}).Where("id = ? AND status = ?", id, models.AlertOpen).Updates(map[string]any{
		"status": models.AlertAcknowledged, "acknowledged_by": userID, "acknowledged_at": at, "next_notify_at": nil,
	})
	if res.Error != nil {
		return false, fmt.Errorf("store: acknowledge alert %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// DueAlerts lists open alerts whose next push is due at now, oldest due first.
func (db *DB) DueAlerts(ctx context.Context, now time.Time, limit int) ([]models.Alert, error) {
	var alerts []models.Alert
	err := db.q(ctx).Where("status = ? AND next_notify_at IS NOT NULL AND next_notify_at <= ?", models.AlertOpen, now).
		Order("next_notify_at").Limit(limit).Find(&alerts).Error
	if err != nil {
		return nil, fmt.Errorf("store: due alerts: %w", err)
	}
	return alerts, nil
}

// RecordAlertNotified counts one push of an open alert and sets when the next is due
// (nil: no more). It answers false when the alert is no longer open or another process
// already recorded this push (its next_notify_at moved).
func (db *DB) RecordAlertNotified(ctx context.Context, a *models.Alert, next *time.Time) (bool, error) {
	q := db.q(ctx).Model(&models.Alert{}).Where("id = ? AND status = ?", a.ID, models.AlertOpen)
	if a.NextNotifyAt != nil {
		q = q.Where("next_notify_at = ?", *a.NextNotifyAt)
	} else {
		q = q.Where("next_notify_at IS NULL")
	}
	res := q.Updates(map[string]any{"notify_count": gorm.Expr("notify_count + 1"), "next_notify_at": next})
	if res.Error != nil {
		return false, fmt.Errorf("store: record push of alert %d: %w", a.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// EscalateAlert records that an open alert went to the supervisor; false when it was
// escalated already or is no longer open.
func (db *DB) EscalateAlert(ctx context.Context, id uint64, at time.Time) (bool, error) {
	res := db.q(ctx).Model(&models.Alert{}).Where("id = ? AND status = ? AND escalated_at IS NULL", id, models.AlertOpen).
		Update("escalated_at", at)
	if res.Error != nil {
		return false, fmt.Errorf("store: escalate alert %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}
