package store

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/models"
)

// UpdateChannelSettings replaces a channel's name and encrypted settings.
func (db *DB) UpdateChannelSettings(ctx context.Context, id uint64, name string, configEnc []byte) error {
	err := db.q(ctx).Model(&models.Channel{}).Where("id = ?", id).
		Updates(map[string]any{"name": name, "config_enc": configEnc}).Error
	if err != nil {
		return fmt.Errorf("store: update channel %d: %w", id, err)
	}
	return nil
}
