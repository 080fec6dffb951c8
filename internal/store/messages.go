package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// InsertMessage stores a message; an inbound message whose platform id the channel
// already holds answers ErrDuplicate (the unique key decides, not a prior read).
func (db *DB) InsertMessage(ctx context.Context, m *models.Message) error {
	if err := db.q(ctx).Create(m).Error; err != nil {
		if isDuplicate(err) {
			return fmt.Errorf("store: message %v of channel %d: %w", deref(m.ExternalID), m.ChannelID, ErrDuplicate)
		}
		return fmt.Errorf("store: insert message: %w", err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Message looks a message up by id.
func (db *DB) Message(ctx context.Context, id uint64) (*models.Message, error) {
	var m models.Message
	if err := db.q(ctx).Preload("Media").First(&m, id).Error; err != nil {
		return nil, fmt.Errorf("store: message %d: %w", id, notFound(err))
	}
	return &m, nil
}

// Messages returns up to limit messages of a conversation before the given message id
// (0: the newest), oldest first.
func (db *DB) Messages(ctx context.Context, conversationID, before uint64, limit int) ([]models.Message, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := db.q(ctx).Preload("Media").Where("conversation_id = ?", conversationID)
	if before != 0 {
		q = q.Where("id < ?", before)
	}
	var msgs []models.Message
	if err := q.Order("id DESC").Limit(limit).Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("store: messages of conversation %d: %w", conversationID, err)
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	return msgs, nil
}

// MessagesUpdatedSince lists a shop's messages created or changed after t, oldest
// change first, for a client catching up after a reconnect.
func (db *DB) MessagesUpdatedSince(ctx context.Context, shopID uint64, t time.Time, limit int) ([]models.Message, error) {
	var msgs []models.Message
	err := db.q(ctx).Preload("Media").Where("shop_id = ? AND updated_at > ?", shopID, t).
		Order("updated_at ASC, id ASC").Limit(limit).Find(&msgs).Error
	if err != nil {
		return nil, fmt.Errorf("store: messages of shop %d since %s: %w", shopID, t, err)
	}
	return msgs, nil
}

// FinishOutbound moves a pending outbound message to sent or failed. It answers false
// when the message was no longer pending (another attempt finished it first).
func (db *DB) FinishOutbound(ctx context.Context, id uint64, status models.MessageStatus, remoteID, sendErr string) (bool, error) {
	updates := map[string]any{"status": status, "error": truncate(sendErr, 1024)}
	if status == models.MessageSent {
		updates["remote_id"] = remoteID
		updates["sent_at"] = time.Now().UTC()
	}
	res := db.q(ctx).Model(&models.Message{}).
		Where("id = ? AND status = ?", id, models.MessagePending).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("store: finish message %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NoteSendError records the latest failed attempt on a message that will be retried.
func (db *DB) NoteSendError(ctx context.Context, id uint64, sendErr string) error {
	err := db.q(ctx).Model(&models.Message{}).Where("id = ? AND status = ?", id, models.MessagePending).
		Update("error", truncate(sendErr, 1024)).Error
	if err != nil {
		return fmt.Errorf("store: note send error of message %d: %w", id, err)
	}
	return nil
}

// PendingOutbound lists outbound messages still pending that were created before t,
// so a sweeper can make sure each has a send task.
func (db *DB) PendingOutbound(ctx context.Context, before time.Time, limit int) ([]models.Message, error) {
	var msgs []models.Message
	err := db.q(ctx).Where("status = ? AND direction = ? AND created_at < ?", models.MessagePending, models.DirectionOut, before).
		Order("created_at ASC").Limit(limit).Find(&msgs).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending outbound messages: %w", err)
	}
	return msgs, nil
}
