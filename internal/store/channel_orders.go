package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// ChannelOrders lists a channel's orders, the latest changed on the platform first;
// a non-empty externalID narrows the list to that platform order.
func (db *DB) ChannelOrders(ctx context.Context, channelID uint64, externalID string, limit int) ([]models.Order, error) {
	q := db.q(ctx).Where("channel_id = ?", channelID)
	if externalID != "" {
		q = q.Where("external_id = ?", externalID)
	}
	var out []models.Order
	if err := q.Order("platform_updated_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: orders of channel %d: %w", channelID, err)
	}
	return out, nil
}
