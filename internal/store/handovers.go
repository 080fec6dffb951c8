package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// AssignedOpenConversations lists, locked until the transaction ends, the conversations
// of a shop assigned to a user that are not resolved, oldest activity first.
func (db *DB) AssignedOpenConversations(ctx context.Context, shopID, userID uint64) ([]models.Conversation, error) {
	var cs []models.Conversation
	err := db.forUpdate(db.q(ctx)).Where("shop_id = ? AND assignee_id = ? AND status <> ?", shopID, userID, models.StatusResolved).
		Order("last_message_at, id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("store: open conversations of user %d: %w", userID, err)
	}
	return cs, nil
}

// InsertHandover stores a handover note.
func (db *DB) InsertHandover(ctx context.Context, h *models.Handover) error {
	if err := db.q(ctx).Create(h).Error; err != nil {
		return fmt.Errorf("store: insert handover: %w", err)
	}
	return nil
}

// InsertHandoverItem stores one chat handed on.
func (db *DB) InsertHandoverItem(ctx context.Context, it *models.HandoverItem) error {
	if err := db.q(ctx).Create(it).Error; err != nil {
		return fmt.Errorf("store: insert handover item: %w", err)
	}
	return nil
}

// HandoverRow is a handover with the names of whose shift it ended and who wrote it.
type HandoverRow struct {
	models.Handover
	UserName      string
	CreatedByName string
}

// HandoverItemRow is a chat handed on with its buyer and the name of who took it.
type HandoverItemRow struct {
	models.HandoverItem
	CustomerExternalID string
	CustomerName       string
	ToUserName         string
}

// ListHandovers lists a shop's handovers newest first, before the given id (0: from the
// newest).
func (db *DB) ListHandovers(ctx context.Context, shopID, beforeID uint64, limit int) ([]HandoverRow, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	q := db.q(ctx).Table("handovers").
		Select("handovers.*, COALESCE(NULLIF(u.display_name, ''), u.username, '') AS user_name, "+
			"COALESCE(NULLIF(c.display_name, ''), c.username, '') AS created_by_name").
		Joins("LEFT JOIN users u ON u.id = handovers.user_id").
		Joins("LEFT JOIN users c ON c.id = handovers.created_by").
		Where("handovers.shop_id = ?", shopID)
	if beforeID != 0 {
		q = q.Where("handovers.id < ?", beforeID)
	}
	var rows []HandoverRow
	if err := q.Order("handovers.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: handovers of shop %d: %w", shopID, err)
	}
	return rows, nil
}

// HandoverItems lists the chats handed on at the given handovers, in order.
func (db *DB) HandoverItems(ctx context.Context, handoverIDs []uint64) ([]HandoverItemRow, error) {
	if len(handoverIDs) == 0 {
		return nil, nil
	}
	var rows []HandoverItemRow
	err := db.q(ctx).Table("handover_items").
		Select("handover_items.*, cu.external_id AS customer_external_id, cu.name AS customer_name, "+
			"COALESCE(NULLIF(u.display_name, ''), u.username, '') AS to_user_name").
		Joins("JOIN conversations cv ON cv.id = handover_items.conversation_id").
		Joins("JOIN customers cu ON cu.id = cv.customer_id").
		Joins("LEFT JOIN users u ON u.id = handover_items.to_user_id").
		Where("handover_items.handover_id IN ?", handoverIDs).
		Order("handover_items.handover_id, handover_items.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: handover items: %w", err)
	}
	return rows, nil
}
