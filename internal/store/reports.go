package store

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// ReportMessage is what the reports read of a message.
type ReportMessage struct {
	ID             uint64
	ConversationID uint64
	Direction      models.Direction
	SenderID       *uint64
	Status         models.MessageStatus
	Override       bool
	// Automatic is set for what staff send without writing it, the rating invitation and
	// the greeting sent on assignment (a message with a once key): no reply to the buyer.
	Automatic bool
	CreatedAt time.Time
}

// IsReply reports whether the message answers a waiting buyer: written by a member of
// staff, not automatic (the rating invitation, the greeting), and not failed (the buyer
// never got it).
func (m *ReportMessage) IsReply() bool {
	return m.Direction == models.DirectionOut && m.SenderID != nil && !m.Automatic && m.Status != models.MessageFailed
}

const reportMessageSelect = "messages.id, messages.conversation_id, messages.direction, messages.sender_id, messages.status, " +
	"messages.override, messages.created_at, " +
	"CASE WHEN messages.once_key IS NOT NULL OR EXISTS (SELECT 1 FROM ratings r WHERE r.invite_message_id = messages.id) THEN 1 ELSE 0 END AS automatic"

// ConversationsWithInbound lists the shop's conversations that received a buyer message
// in [from, to).
func (db *DB) ConversationsWithInbound(ctx context.Context, shopID uint64, from, to time.Time) ([]uint64, error) {
	var ids []uint64
	err := db.q(ctx).Model(&models.Message{}).Distinct("conversation_id").
		Where("shop_id = ? AND direction = ? AND created_at >= ? AND created_at < ?", shopID, models.DirectionIn, from, to).
		Order("conversation_id").Pluck("conversation_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: conversations with buyer messages: %w", err)
	}
	return ids, nil
}

// ReportMessages lists the messages of some conversations created at or after since,
// in the order of the thread.
func (db *DB) ReportMessages(ctx context.Context, conversationIDs []uint64, since time.Time) ([]ReportMessage, error) {
	var out []ReportMessage
	for _, ids := range chunks(conversationIDs, 500) {
		var ms []ReportMessage
		err := db.q(ctx).Table("messages").Select(reportMessageSelect).
			Where("messages.conversation_id IN ? AND messages.created_at >= ?", ids, since).
			Order("messages.created_at, messages.id").Scan(&ms).Error
		if err != nil {
			return nil, fmt.Errorf("store: report messages: %w", err)
		}
		out = append(out, ms...)
	}
	return out, nil
}

// LatestBefore answers, per conversation, its latest buyer message (replies false) or
// its latest reply (replies true) created before t.
func (db *DB) LatestBefore(ctx context.Context, conversationIDs []uint64, t time.Time, replies bool) (map[uint64]ReportMessage, error) {
	out := map[uint64]ReportMessage{}
	for _, ids := range chunks(conversationIDs, 500) {
		q := db.q(ctx).Table("messages").Select("MAX(messages.id)").
			Where("messages.conversation_id IN ? AND messages.created_at < ?", ids, t).Group("messages.conversation_id")
		if replies {
			q = q.Where("messages.direction = ? AND messages.sender_id IS NOT NULL AND messages.status <> ?", models.DirectionOut, models.MessageFailed).
				Where("messages.once_key IS NULL AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.invite_message_id = messages.id)")
		} else {
			q = q.Where("messages.direction = ?", models.DirectionIn)
		}
		var ms []ReportMessage
		err := db.q(ctx).Table("messages").Select(reportMessageSelect).Where("messages.id IN (?)", q).Scan(&ms).Error
		if err != nil {
			return nil, fmt.Errorf("store: latest messages before %s: %w", t, err)
		}
		for _, m := range ms {
			out[m.ConversationID] = m
		}
	}
	return out, nil
}

// LatestEventBefore answers, per conversation, its latest event of a kind created before t.
func (db *DB) LatestEventBefore(ctx context.Context, conversationIDs []uint64, kind string, t time.Time) (map[uint64]models.ConversationEvent, error) {
	out := map[uint64]models.ConversationEvent{}
	for _, ids := range chunks(conversationIDs, 500) {
		latest := db.q(ctx).Model(&models.ConversationEvent{}).Select("MAX(id)").
			Where("conversation_id IN ? AND kind = ? AND created_at < ?", ids, kind, t).Group("conversation_id")
		var evs []models.ConversationEvent
		if err := db.q(ctx).Where("id IN (?)", latest).Find(&evs).Error; err != nil {
			return nil, fmt.Errorf("store: latest %s events before %s: %w", kind, t, err)
		}
		for _, e := range evs {
			out[e.ConversationID] = e
		}
	}
	return out, nil
}

// OverrideMessages lists the shop's replies sent in [from, to) despite a forbidden-phrase
// warning.
func (db *DB) OverrideMessages(ctx context.Context, shopID uint64, from, to time.Time) ([]ReportMessage, error) {
	var ms []ReportMessage
	err := db.q(ctx).Table("messages").Select(reportMessageSelect).
		Where("messages.shop_id = ? AND messages.override = ? AND messages.created_at >= ? AND messages.created_at < ?", shopID, true, from, to).
		Order("messages.created_at, messages.id").Scan(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("store: override messages: %w", err)
	}
	return ms, nil
}
