package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/chatbridge/chatbridge/models"
)

// CreateChannel stores a channel whose config and secret are already encrypted.
func (db *DB) CreateChannel(ctx context.Context, ch *models.Channel) error {
	if err := db.q(ctx).Create(ch).Error; err != nil {
		return fmt.Errorf("store: create channel: %w", err)
	}
	return nil
}

// Channel looks a channel up by id.
func (db *DB) Channel(ctx context.Context, id uint64) (*models.Channel, error) {
	var ch models.Channel
	if err := db.q(ctx).First(&ch, id).Error; err != nil {
		return nil, fmt.Errorf("store: channel %d: %w", id, notFound(err))
	}
	return &ch, nil
}

// Channels lists a shop's channels.
func (db *DB) Channels(ctx context.Context, shopID uint64) ([]models.Channel, error) {
	var chs []models.Channel
	if err := db.q(ctx).Where("shop_id = ?", shopID).Order("id").Find(&chs).Error; err != nil {
		return nil, fmt.Errorf("store: channels of shop %d: %w", shopID, err)
	}
	return chs, nil
}

// RecordChannelOut notes a delivery attempt on a channel: its time, and the error if any.
func (db *DB) RecordChannelOut(ctx context.Context, id uint64, at time.Time, sendErr error) error {
	updates := map[string]any{"last_out_at": at, "last_error": ""}
	if sendErr != nil {
		updates = map[string]any{"last_error": truncate(sendErr.Error(), 1024)}
	}
	if err := db.q(ctx).Model(&models.Channel{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: record channel %d out: %w", id, err)
	}
	return nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// UpdateChannelConfig replaces a channel's encrypted settings.
func (db *DB) UpdateChannelConfig(ctx context.Context, id uint64, configEnc []byte) error {
	if err := db.q(ctx).Model(&models.Channel{}).Where("id = ?", id).Update("config_enc", configEnc).Error; err != nil {
		return fmt.Errorf("store: update channel %d: %w", id, err)
	}
	return nil
}

// ChannelCursor reads where the last pull of a channel's stream stopped ("" before the first).
func (db *DB) ChannelCursor(ctx context.Context, channelID uint64, name string) (string, error) {
	var value string
	err := db.q(ctx).Table("channel_cursors").Select("cursor_value").
		Where("channel_id = ? AND name = ?", channelID, name).Scan(&value).Error
	if err != nil {
		return "", fmt.Errorf("store: cursor %s of channel %d: %w", name, channelID, err)
	}
	return value, nil
}

// SetChannelCursor records where the last pull of a channel's stream stopped.
func (db *DB) SetChannelCursor(ctx context.Context, channelID uint64, name, value string) error {
	row := map[string]any{"channel_id": channelID, "name": name, "cursor_value": value, "updated_at": time.Now().UTC()}
	err := db.q(ctx).Table("channel_cursors").Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel_id"}, {Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"cursor_value", "updated_at"}),
	}).Create(row).Error
	if err != nil {
		return fmt.Errorf("store: set cursor %s of channel %d: %w", name, channelID, err)
	}
	return nil
}

// RecordChannelIn notes that a channel delivered something just now.
func (db *DB) RecordChannelIn(ctx context.Context, id uint64, at time.Time) error {
	if err := db.q(ctx).Model(&models.Channel{}).Where("id = ?", id).Update("last_in_at", at).Error; err != nil {
		return fmt.Errorf("store: record channel %d in: %w", id, err)
	}
	return nil
}

// ChannelsOfTypes lists every shop's channels of the given types (for scheduled pulls).
func (db *DB) ChannelsOfTypes(ctx context.Context, types []string) ([]models.Channel, error) {
	var chs []models.Channel
	if len(types) == 0 {
		return nil, nil
	}
	if err := db.q(ctx).Where("type IN ?", types).Order("id").Find(&chs).Error; err != nil {
		return nil, fmt.Errorf("store: channels of types %v: %w", types, err)
	}
	return chs, nil
}
