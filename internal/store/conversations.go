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
	Label     string
	UpdatedAt time.Time // when set: only conversations changed after it (catch-up)
	Cursor    string
	Limit     int
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
