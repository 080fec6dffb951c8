package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// ComplaintRow is a complaint with when it was answered: the first time its chat was
// resolved after it was registered (nil while unanswered).
type ComplaintRow struct {
	models.Complaint
	AnsweredAt *time.Time
}

// InsertComplaint registers a complaint.
func (db *DB) InsertComplaint(ctx context.Context, c *models.Complaint) error {
	if err := db.q(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("store: insert complaint of conversation %d: %w", c.ConversationID, err)
	}
	return nil
}

// WithdrawComplaint marks a complaint as withdrawn (the chat was classified otherwise).
func (db *DB) WithdrawComplaint(ctx context.Context, id uint64, at time.Time) error {
	err := db.q(ctx).Model(&models.Complaint{}).Where("id = ? AND withdrawn_at IS NULL", id).
		Update("withdrawn_at", at).Error
	if err != nil {
		return fmt.Errorf("store: withdraw complaint %d: %w", id, err)
	}
	return nil
}

// ComplaintsOfConversation lists a conversation's complaints, oldest first, with when
// each was answered.
func (db *DB) ComplaintsOfConversation(ctx context.Context, conversationID uint64) ([]ComplaintRow, error) {
	var cs []models.Complaint
	if err := db.q(ctx).Where("conversation_id = ?", conversationID).Order("opened_at, id").Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("store: complaints of conversation %d: %w", conversationID, err)
	}
	return db.withAnswers(ctx, cs)
}

// ComplaintsOfCustomer lists a buyer's complaints opened in [from, to), oldest first,
// with when each was answered.
func (db *DB) ComplaintsOfCustomer(ctx context.Context, customerID uint64, from, to time.Time) ([]ComplaintRow, error) {
	var cs []models.Complaint
	err := db.q(ctx).Where("customer_id = ? AND opened_at >= ? AND opened_at < ?", customerID, from, to).
		Order("opened_at, id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("store: complaints of customer %d: %w", customerID, err)
	}
	return db.withAnswers(ctx, cs)
}

// ShopComplaints lists a shop's complaints opened in [from, to), oldest first, with
// when each was answered, for the reports.
func (db *DB) ShopComplaints(ctx context.Context, shopID uint64, from, to time.Time) ([]ComplaintRow, error) {
	var cs []models.Complaint
	err := db.q(ctx).Where("shop_id = ? AND opened_at >= ? AND opened_at < ?", shopID, from, to).
		Order("opened_at, id").Find(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("store: complaints of shop %d: %w", shopID, err)
	}
	return db.withAnswers(ctx, cs)
}

// withAnswers reads each complaint's answer time from its conversation's resolves.
func (db *DB) withAnswers(ctx context.Context, cs []models.Complaint) ([]ComplaintRow, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	seen := map[uint64]bool{}
	var convIDs []uint64
	since := cs[0].OpenedAt
	for _, c := range cs {
		if !seen[c.ConversationID] {
			seen[c.ConversationID] = true
			convIDs = append(convIDs, c.ConversationID)
		}
		if c.OpenedAt.Before(since) {
			since = c.OpenedAt
		}
	}
	resolves, err := db.ResolveTimes(ctx, convIDs, since)
	if err != nil {
		return nil, err
	}
	rows := make([]ComplaintRow, len(cs))
	for i, c := range cs {
		rows[i] = ComplaintRow{Complaint: c}
		if c.WithdrawnAt == nil {
			rows[i].AnsweredAt = FirstAtOrAfter(resolves[c.ConversationID], c.OpenedAt)
		}
	}
	return rows, nil
}
