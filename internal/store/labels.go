package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

type labelRow struct {
	ConversationID uint64
	Label          string
	ShopID         uint64
	CreatedAt      time.Time
}

func (labelRow) TableName() string { return "conversation_labels" }

// SetLabels replaces a conversation's labels: the column the inbox shows and the rows
// the label filter looks up, together.
func (db *DB) SetLabels(ctx context.Context, shopID, conversationID uint64, labels []string) error {
	if err := db.q(ctx).Where("conversation_id = ?", conversationID).Delete(&labelRow{}).Error; err != nil {
		return fmt.Errorf("store: clear labels of conversation %d: %w", conversationID, err)
	}
	if len(labels) > 0 {
		now := time.Now().UTC()
		rows := make([]labelRow, len(labels))
		for i, l := range labels {
			rows[i] = labelRow{ConversationID: conversationID, Label: l, ShopID: shopID, CreatedAt: now}
		}
		if err := db.q(ctx).Create(&rows).Error; err != nil {
			return fmt.Errorf("store: labels of conversation %d: %w", conversationID, err)
		}
	}
	return db.UpdateConversation(ctx, conversationID, map[string]any{"labels": strings.Join(labels, ",")})
}

// LabelCount is a label in use in a shop and how many conversations carry it.
type LabelCount struct {
	Label string
	Count int
}

// ShopLabels lists the labels a shop uses, most used first.
func (db *DB) ShopLabels(ctx context.Context, shopID uint64) ([]LabelCount, error) {
	var out []LabelCount
	err := db.q(ctx).Model(&labelRow{}).Select("label, COUNT(*) AS count").Where("shop_id = ?", shopID).
		Group("label").Order("count DESC, label").Limit(200).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: labels of shop %d: %w", shopID, err)
	}
	return out, nil
}
