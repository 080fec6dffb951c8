package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// CreateMedia stores a media row (a buyer's pending image, or an agent's upload).
func (db *DB) CreateMedia(ctx context.Context, m *models.Media) error {
	if err := db.q(ctx).Create(m).Error; err != nil {
		return fmt.Errorf("store: create media: %w", err)
	}
	return nil
}

// Media looks a media row up in a shop (any shop when shopID is 0); another shop's
// answers ErrNotFound.
func (db *DB) Media(ctx context.Context, shopID, id uint64) (*models.Media, error) {
	q := db.q(ctx).Where("id = ?", id)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	var m models.Media
	if err := q.Take(&m).Error; err != nil {
		return nil, fmt.Errorf("store: media %d: %w", id, notFound(err))
	}
	return &m, nil
}

// FinishMedia writes the outcome of a pending media row's fetch (status ready with its
// file, or failed with the reason). It answers false when the row was no longer pending
// (another attempt finished it first).
func (db *DB) FinishMedia(ctx context.Context, id uint64, done *models.Media) (bool, error) {
	updates := map[string]any{
		"status": done.Status, "storage_key": done.StorageKey, "content_type": done.ContentType,
		"size": done.Size, "sha256": done.SHA256, "error": truncate(done.Error, 1024),
	}
	res := db.q(ctx).Model(&models.Media{}).Where("id = ? AND status = ?", id, models.MediaPending).Updates(updates)
	if res.Error != nil {
		return false, fmt.Errorf("store: finish media %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// NoteMediaError records the latest failed fetch of a media row that will be retried.
func (db *DB) NoteMediaError(ctx context.Context, id uint64, fetchErr string) error {
	err := db.q(ctx).Model(&models.Media{}).Where("id = ? AND status = ?", id, models.MediaPending).
		Update("error", truncate(fetchErr, 1024)).Error
	if err != nil {
		return fmt.Errorf("store: note fetch error of media %d: %w", id, err)
	}
	return nil
}

// PendingMedia lists buyers' files still waiting to be fetched that were created before
// t, so a sweeper can make sure each has a fetch task.
func (db *DB) PendingMedia(ctx context.Context, before time.Time, limit int) ([]models.Media, error) {
	var list []models.Media
	err := db.q(ctx).Where("status = ? AND created_at < ?", models.MediaPending, before).
		Order("created_at ASC").Limit(limit).Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending media: %w", err)
	}
	return list, nil
}

// TouchMessagesOfMedia marks the messages showing a media file as changed now, so a
// client catching up after a reconnect gets the file's new state, and returns them.
func (db *DB) TouchMessagesOfMedia(ctx context.Context, mediaID uint64) ([]models.Message, error) {
	err := db.q(ctx).Model(&models.Message{}).Where("media_id = ?", mediaID).
		Update("updated_at", time.Now().UTC()).Error
	if err != nil {
		return nil, fmt.Errorf("store: touch messages of media %d: %w", mediaID, err)
	}
	var msgs []models.Message
	if err := db.q(ctx).Preload("Media").Where("media_id = ?", mediaID).Order("id").Find(&msgs).Error; err != nil {
		return nil, fmt.Errorf("store: messages of media %d: %w", mediaID, err)
	}
	return msgs, nil
}
