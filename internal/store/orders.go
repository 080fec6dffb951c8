package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/models"
)

// UpsertOrder stores a platform's view of an order unless the stored one is as new or
// newer (PlatformUpdatedAt), so events that arrive out of order never roll an order
// back. It answers whether o was applied and the order as it was before (nil if new).
// ChatBridge's own note and flag are never overwritten by platform events.
func (db *DB) UpsertOrder(ctx context.Context, o *models.Order) (applied bool, prev *models.Order, err error) {
	lock := func() (*models.Order, error) {
		var existing models.Order
		err := db.forUpdate(db.q(ctx)).Where("channel_id = ? AND external_id = ?", o.ChannelID, o.ExternalID).Take(&existing).Error
		return &existing, err
	}
	existing, err := lock()
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if o.Flag == "" {
			o.Flag = "none"
		}
		if o.NoteSync == "" {
			o.NoteSync = models.NoteSyncNone
		}
		err = db.q(ctx).Create(o).Error
		if err == nil {
			return true, nil, nil
		}
		if !isDuplicate(err) {
			return false, nil, fmt.Errorf("store: insert order %q: %w", o.ExternalID, err)
		}
		existing, err = lock()
	}
	if err != nil {
		return false, nil, fmt.Errorf("store: order %q: %w", o.ExternalID, err)
	}
	if !o.PlatformUpdatedAt.After(existing.PlatformUpdatedAt) {
		return false, existing, nil
	}
	o.ID, o.CreatedAt, o.Note, o.Flag = existing.ID, existing.CreatedAt, existing.Note, existing.Flag
	o.NoteCategory, o.NoteSync, o.NoteSyncError = existing.NoteCategory, existing.NoteSync, existing.NoteSyncError
	err = db.q(ctx).Model(&models.Order{}).Where("id = ?", existing.ID).Updates(map[string]any{
		"customer_id":         o.CustomerID,
		"status":              o.Status,
		"total":               o.Total,
		"currency":            o.Currency,
		"items":               o.Items,
		"address":             o.Address,
		"tracking_carrier":    o.TrackingCarrier,
		"tracking_number":     o.TrackingNumber,
		"platform_updated_at": o.PlatformUpdatedAt,
	}).Error
	if err != nil {
		return false, nil, fmt.Errorf("store: update order %q: %w", o.ExternalID, err)
	}
	return true, existing, nil
}

// LatestOrder returns the buyer's most recently updated order, or ErrNotFound.
func (db *DB) LatestOrder(ctx context.Context, customerID uint64) (*models.Order, error) {
	var o models.Order
	err := db.q(ctx).Where("customer_id = ?", customerID).
		Order("platform_updated_at DESC, id DESC").Take(&o).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest order of customer %d: %w", customerID, notFound(err))
	}
	return &o, nil
}

// OrdersOfCustomer lists a buyer's orders, most recently updated first.
func (db *DB) OrdersOfCustomer(ctx context.Context, customerID uint64) ([]models.Order, error) {
	var orders []models.Order
	err := db.q(ctx).Where("customer_id = ?", customerID).
		Order("platform_updated_at DESC, id DESC").Limit(100).Find(&orders).Error
	if err != nil {
		return nil, fmt.Errorf("store: orders of customer %d: %w", customerID, err)
	}
	return orders, nil
}

// Order finds an order of a shop (any shop when shopID is 0).
func (db *DB) Order(ctx context.Context, shopID, id uint64) (*models.Order, error) {
	var o models.Order
	q := db.q(ctx).Where("id = ?", id)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	if err := q.Take(&o).Error; err != nil {
		return nil, fmt.Errorf("store: order %d: %w", id, notFound(err))
	}
	return &o, nil
}

// SetOrderNote records a new note and flag on an order, pending write-back, and keeps
// the change in the order's note history.
func (db *DB) SetOrderNote(ctx context.Context, n *models.OrderNote) error {
	return db.Tx(ctx, func(tx *DB) error {
		n.ID = 0
		if err := tx.q(ctx).Create(n).Error; err != nil {
			return fmt.Errorf("store: insert order note: %w", err)
		}
		err := tx.q(ctx).Model(&models.Order{}).Where("id = ?", n.OrderID).Updates(map[string]any{
			"note": n.Note, "flag": n.Flag, "note_category": n.Category, "note_sync": n.Sync, "note_sync_error": "",
		}).Error
		if err != nil {
			return fmt.Errorf("store: set note of order %d: %w", n.OrderID, err)
		}
		return nil
	})
}

// OrderNote finds one note change.
func (db *DB) OrderNote(ctx context.Context, id uint64) (*models.OrderNote, error) {
	var n models.OrderNote
	if err := db.q(ctx).First(&n, id).Error; err != nil {
		return nil, fmt.Errorf("store: order note %d: %w", id, notFound(err))
	}
	return &n, nil
}

// OrderNotes lists an order's note history, newest first.
func (db *DB) OrderNotes(ctx context.Context, orderID uint64) ([]models.OrderNote, error) {
	var notes []models.OrderNote
	if err := db.q(ctx).Where("order_id = ?", orderID).Order("id DESC").Limit(100).Find(&notes).Error; err != nil {
		return nil, fmt.Errorf("store: notes of order %d: %w", orderID, err)
	}
	return notes, nil
}

// FinishNoteSync records a write-back outcome on the note change and, when it is still
// the order's latest change, on the order.
func (db *DB) FinishNoteSync(ctx context.Context, n *models.OrderNote, sync models.NoteSync, syncErr string) error {
	return db.Tx(ctx, func(tx *DB) error {
		err := tx.q(ctx).Model(&models.OrderNote{}).Where("id = ?", n.ID).
			Updates(map[string]any{"sync": sync, "sync_error": truncate(syncErr, 1024)}).Error
		if err != nil {
			return fmt.Errorf("store: finish note %d: %w", n.ID, err)
		}
		var latest uint64
		err = tx.q(ctx).Model(&models.OrderNote{}).Select("MAX(id)").Where("order_id = ?", n.OrderID).Scan(&latest).Error
		if err != nil || latest != n.ID {
			return err
		}
		return tx.q(ctx).Model(&models.Order{}).Where("id = ?", n.OrderID).
			Updates(map[string]any{"note_sync": sync, "note_sync_error": truncate(syncErr, 1024)}).Error
	})
}
