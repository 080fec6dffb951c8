package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// CreateNotifyTarget stores a staff notification target whose config is encrypted.
func (db *DB) CreateNotifyTarget(ctx context.Context, nt *models.NotifyTarget) error {
	if err := db.q(ctx).Create(nt).Error; err != nil {
		return fmt.Errorf("store: create notify target: %w", err)
	}
	return nil
}

// NotifyTargets lists a shop's notification targets.
func (db *DB) NotifyTargets(ctx context.Context, shopID uint64) ([]models.NotifyTarget, error) {
	var nts []models.NotifyTarget
	if err := db.q(ctx).Where("shop_id = ?", shopID).Order("id").Find(&nts).Error; err != nil {
		return nil, fmt.Errorf("store: notify targets of shop %d: %w", shopID, err)
	}
	return nts, nil
}
