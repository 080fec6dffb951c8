package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// QuickReplies lists a shop's shop-wide quick replies and the user's own, in their
// order (position, then age).
func (db *DB) QuickReplies(ctx context.Context, shopID, userID uint64) ([]models.QuickReply, error) {
	var out []models.QuickReply
	err := db.q(ctx).Where("shop_id = ? AND (owner_id IS NULL OR owner_id = ?)", shopID, userID).
		Order("position, id").Limit(1000).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: quick replies of shop %d: %w", shopID, err)
	}
	return out, nil
}

// QuickReply finds one quick reply of a shop.
func (db *DB) QuickReply(ctx context.Context, shopID, id uint64) (*models.QuickReply, error) {
	var r models.QuickReply
	if err := db.q(ctx).Where("id = ? AND shop_id = ?", id, shopID).Take(&r).Error; err != nil {
		return nil, fmt.Errorf("store: quick reply %d: %w", id, notFound(err))
	}
	return &r, nil
}

// SaveQuickReply inserts or updates a quick reply.
func (db *DB) SaveQuickReply(ctx context.Context, r *models.QuickReply) error {
	if err := db.q(ctx).Save(r).Error; err != nil {
		return fmt.Errorf("store: save quick reply: %w", err)
	}
	return nil
}

// DeleteQuickReply removes a quick reply.
func (db *DB) DeleteQuickReply(ctx context.Context, id uint64) error {
	if err := db.q(ctx).Delete(&models.QuickReply{}, id).Error; err != nil {
		return fmt.Errorf("store: delete quick reply %d: %w", id, err)
	}
	return nil
}
