package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/models"
)

// ReplyWindowFacts are what a platform's reply window is computed from: when the
// buyer last wrote (the platform's time when it gave one) and how many replies have
// gone out or are on their way since. LastInbound is zero when the buyer never wrote.
type ReplyWindowFacts struct {
	LastInbound  time.Time
	RepliesSince int
}

// ReplyWindowFacts reads the facts of one conversation. Failed replies never reached
// the buyer and do not count.
func (db *DB) ReplyWindowFacts(ctx context.Context, conversationID uint64) (ReplyWindowFacts, error) {
	var last models.Message
	err := db.q(ctx).Where("conversation_id = ? AND direction = ?", conversationID, models.DirectionIn).
		Order("id DESC").Take(&last).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ReplyWindowFacts{}, nil
	}
	if err != nil {
		return ReplyWindowFacts{}, fmt.Errorf("store: last inbound of conversation %d: %w", conversationID, err)
	}
	facts := ReplyWindowFacts{LastInbound: last.CreatedAt}
	if last.SentAt != nil && !last.SentAt.IsZero() {
		facts.LastInbound = *last.SentAt
	}
	var n int64
	err = db.q(ctx).Model(&models.Message{}).
		Where("conversation_id = ? AND direction = ? AND id > ? AND status <> ?", conversationID, models.DirectionOut, last.ID, models.MessageFailed).
		Count(&n).Error
	if err != nil {
		return ReplyWindowFacts{}, fmt.Errorf("store: replies of conversation %d: %w", conversationID, err)
	}
	facts.RepliesSince = int(n)
	return facts, nil
}
