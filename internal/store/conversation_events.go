package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// InsertConversationEvent records something that happened to a conversation.
func (db *DB) InsertConversationEvent(ctx context.Context, e *models.ConversationEvent) error {
	if len(e.Data.V) == 0 {
		e.Data.V = json.RawMessage("{}")
	}
	if err := db.q(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("store: record %s of conversation %d: %w", e.Kind, e.ConversationID, err)
	}
	return nil
}

// ConversationEvents lists a conversation's events, oldest first.
func (db *DB) ConversationEvents(ctx context.Context, conversationID uint64, limit int) ([]models.ConversationEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	var evs []models.ConversationEvent
	err := db.q(ctx).Where("conversation_id = ?", conversationID).Order("id").Limit(limit).Find(&evs).Error
	if err != nil {
		return nil, fmt.Errorf("store: events of conversation %d: %w", conversationID, err)
	}
	return evs, nil
}

// ShopConversationEvents lists a shop's events of the given kinds in [from, to), oldest
// first, for reports.
func (db *DB) ShopConversationEvents(ctx context.Context, shopID uint64, kinds []string, from, to time.Time) ([]models.ConversationEvent, error) {
	var evs []models.ConversationEvent
	q := db.q(ctx).Where("shop_id = ? AND created_at >= ? AND created_at < ?", shopID, from, to)
	if len(kinds) > 0 {
		q = q.Where("kind IN ?", kinds)
	}
	if err := q.Order("id").Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("store: events of shop %d: %w", shopID, err)
	}
	return evs, nil
}
