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
