package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// InsertRating stores a satisfaction invitation.
func (db *DB) InsertRating(ctx context.Context, r *models.Rating) error {
	if err := db.q(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: insert rating of conversation %d: %w", r.ConversationID, err)
	}
	return nil
}

// LockInvitedRatings reads a conversation's invitations still waiting for the buyer's
// answer, newest first, locked until the transaction ends.
func (db *DB) LockInvitedRatings(ctx context.Context, conversationID uint64) ([]models.Rating, error) {
	var rs []models.Rating
	err := db.forUpdate(db.q(ctx)).Where("conversation_id = ? AND status = ?", conversationID, models.RatingInvited).
		Order("id DESC").Find(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("store: invitations of conversation %d: %w", conversationID, err)
	}
	return rs, nil
}

// UpdateRating writes the given columns of a rating.
func (db *DB) UpdateRating(ctx context.Context, id uint64, updates map[string]any) error {
	if err := db.q(ctx).Model(&models.Rating{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: update rating %d: %w", id, err)
	}
	return nil
}

// ShopRatings lists a shop's ratings given in [from, to), oldest first.
func (db *DB) ShopRatings(ctx context.Context, shopID uint64, from, to time.Time) ([]models.Rating, error) {
	var rs []models.Rating
	err := db.q(ctx).Where("shop_id = ? AND status = ? AND rated_at >= ? AND rated_at < ?", shopID, models.RatingRated, from, to).
		Order("rated_at, id").Find(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("store: ratings of shop %d: %w", shopID, err)
	}
	return rs, nil
}

// RatingsOfConversation lists a conversation's invitations and answers, oldest first.
func (db *DB) RatingsOfConversation(ctx context.Context, conversationID uint64) ([]models.Rating, error) {
	var rs []models.Rating
	if err := db.q(ctx).Where("conversation_id = ?", conversationID).Order("id").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("store: ratings of conversation %d: %w", conversationID, err)
	}
	return rs, nil
}

// InvitationMessageIDs answers which of the given messages are rating invitations: the
// reports do not count them as replies.
func (db *DB) InvitationMessageIDs(ctx context.Context, messageIDs []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	for _, ids := range chunks(messageIDs, 500) {
		var found []uint64
		err := db.q(ctx).Model(&models.Rating{}).Where("invite_message_id IN ?", ids).Pluck("invite_message_id", &found).Error
		if err != nil {
			return nil, fmt.Errorf("store: invitation messages: %w", err)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}
