package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/models"
)

// EnsureCustomer returns the channel's buyer with that platform id, creating them.
// A non-empty name replaces the stored one (the platform's latest name wins).
func (db *DB) EnsureCustomer(ctx context.Context, shopID, channelID uint64, externalID, name string) (*models.Customer, error) {
	find := func() (*models.Customer, error) {
		var c models.Customer
		err := db.q(ctx).Where("channel_id = ? AND external_id = ?", channelID, externalID).Take(&c).Error
		return &c, err
	}
	c, err := find()
	if errors.Is(err, gorm.ErrRecordNotFound) {
		c = &models.Customer{ShopID: shopID, ChannelID: channelID, ExternalID: externalID, Name: name}
		err = db.q(ctx).Create(c).Error
		if isDuplicate(err) {
			c, err = find()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer %q of channel %d: %w", externalID, channelID, err)
	}
	if name != "" && c.Name != name {
		if err := db.q(ctx).Model(c).Update("name", name).Error; err != nil {
			return nil, fmt.Errorf("store: rename customer %d: %w", c.ID, err)
		}
	}
	return c, nil
}

// LockConversation returns the buyer's conversation on a channel, locked for update
// until the transaction ends, or ErrNotFound.
func (db *DB) LockConversation(ctx context.Context, channelID, customerID uint64) (*models.Conversation, error) {
	var conv models.Conversation
	err := db.forUpdate(db.q(ctx)).Where("channel_id = ? AND customer_id = ?", channelID, customerID).Take(&conv).Error
	if err != nil {
		return nil, fmt.Errorf("store: conversation of customer %d: %w", customerID, notFound(err))
	}
	return &conv, nil
}

// CreateConversation inserts a conversation; if another transaction created the same
// (channel, customer) conversation first, that one is returned locked instead.
func (db *DB) CreateConversation(ctx context.Context, conv *models.Conversation) (created bool, err error) {
	err = db.q(ctx).Create(conv).Error
	if isDuplicate(err) {
		existing, err := db.LockConversation(ctx, conv.ChannelID, conv.CustomerID)
		if err != nil {
			return false, err
		}
		*conv = *existing
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: create conversation: %w", err)
	}
	return true, nil
}

// UpdateConversation writes the given columns of a conversation.
func (db *DB) UpdateConversation(ctx context.Context, id uint64, updates map[string]any) error {
	if err := db.q(ctx).Model(&models.Conversation{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: update conversation %d: %w", id, err)
	}
	return nil
}

// RecordInbound marks new buyer activity on a conversation: it reopens a resolved one.
func (db *DB) RecordInbound(ctx context.Context, id uint64, at time.Time, preview string) error {
	return db.UpdateConversation(ctx, id, map[string]any{
		"last_message_at":      at,
		"last_message_preview": truncate(preview, 255),
		"unread_count":         gorm.Expr("unread_count + 1"),
		"status":               models.StatusOpen,
	})
}

// ConversationRow is a conversation with its buyer, as the inbox shows it.
type ConversationRow struct {
	models.Conversation
	CustomerExternalID string
	CustomerName       string
}

const conversationRowSelect = "conversations.*, cu.external_id AS customer_external_id, cu.name AS customer_name"

// ConversationRow finds one conversation of a shop (any shop when shopID is 0).
func (db *DB) ConversationRow(ctx context.Context, shopID, id uint64) (*ConversationRow, error) {
	var row ConversationRow
	q := db.q(ctx).Table("conversations").Select(conversationRowSelect).
		Joins("JOIN customers cu ON cu.id = conversations.customer_id").
		Where("conversations.id = ?", id)
	if shopID != 0 {
		q = q.Where("conversations.shop_id = ?", shopID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, fmt.Errorf("store: conversation %d: %w", id, notFound(err))
	}
	return &row, nil
}

// ConversationFilter selects conversations for the inbox list.
type ConversationFilter struct {
	ShopID uint64 // 0: every shop (admins)
	// VisibleTo, when set, limits the list to that agent's conversations and the unassigned ones.
	VisibleTo *uint64
	Stage     models.Stage
	Status    models.ConversationStatus
	Assignee  string // "", "none", or a user id
	ChannelID uint64
	// Category is "" (any), "none" (not classified yet) or an inquiry category.
	Category  string
	Query     string
	UpdatedAt time.Time // when set: only conversations changed after it (catch-up)
	Cursor    string
	Limit     int
}

// ListConversations returns a page of conversations, newest activity first, and the
// cursor of the next page ("" at the end).
func (db *DB) ListConversations(ctx context.Context, f ConversationFilter) ([]ConversationRow, string, error) {
	q := db.q(ctx).Table("conversations").Select(conversationRowSelect).
		Joins("JOIN customers cu ON cu.id = conversations.customer_id")
	if f.ShopID != 0 {
		q = q.Where("conversations.shop_id = ?", f.ShopID)
	}
	if f.VisibleTo != nil {
		q = q.Where("(conversations.assignee_id = ? OR conversations.assignee_id IS NULL)", *f.VisibleTo)
	}
	if f.Stage != "" {
		q = q.Where("conversations.stage = ?", f.Stage)
	}
	if f.Status != "" {
		q = q.Where("conversations.status = ?", f.Status)
	}
	switch f.Assignee {
	case "":
	case "none":
		q = q.Where("conversations.assignee_id IS NULL")
	default:
		q = q.Where("conversations.assignee_id = ?", f.Assignee)
	}
	if f.ChannelID != 0 {
		q = q.Where("conversations.channel_id = ?", f.ChannelID)
	}
	switch f.Category {
	case "":
	case "none":
		q = q.Where("conversations.category = ''")
	default:
		q = q.Where("conversations.category = ?", f.Category)
	}
	if !f.UpdatedAt.IsZero() {
		q = q.Where("conversations.updated_at > ?", f.UpdatedAt)
	}
	if f.Query != "" {
		q = db.searchConversations(ctx, q, f.Query)
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(conversations.last_message_at < ? OR (conversations.last_message_at = ? AND conversations.id < ?))", at, at, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var rows []ConversationRow
	err := q.Order("conversations.last_message_at DESC, conversations.id DESC").Limit(limit + 1).Scan(&rows).Error
	if err != nil {
		return nil, "", fmt.Errorf("store: list conversations: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = encodeCursor(last.LastMessageAt, last.ID)
	}
	return rows, next, nil
}

// searchConversations matches a buyer's name or platform id, an order id, or message text.
func (db *DB) searchConversations(ctx context.Context, q *gorm.DB, query string) *gorm.DB {
	like := "%" + escapeLike(query) + "%"
	orders := db.q(ctx).Table("orders").Select("customer_id").Where("external_id = ?", query)
	msgs := db.q(ctx).Table("messages").Select("conversation_id").Where("text LIKE ?", like)
	return q.Where("(cu.name LIKE ? OR cu.external_id = ? OR conversations.customer_id IN (?) OR conversations.id IN (?))",
		like, query, orders, msgs)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrBadCursor is returned for a cursor this server did not make.
var ErrBadCursor = errors.New("invalid cursor")

func encodeCursor(at time.Time, id uint64) string {
	raw := strconv.FormatInt(at.UnixNano(), 10) + ":" + strconv.FormatUint(id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (time.Time, uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	ns, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return time.Time{}, 0, ErrBadCursor
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseUint(id, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	return time.Unix(0, n).UTC(), i, nil
}
