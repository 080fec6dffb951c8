// Package view is the JSON shape of each noun, shared by the HTTP answers and the live
// events so that a client applies both the same way. Ids are strings, times RFC 3339 UTC.
package view

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ID renders a numeric id as the string clients see.
func ID(id uint64) string { return strconv.FormatUint(id, 10) }

// OptionalID renders a nullable id; nil stays null.
func OptionalID(id *uint64) *string {
	if id == nil {
		return nil
	}
	s := ID(*id)
	return &s
}

// Time renders a time in UTC.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Customer is a buyer.
type Customer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Conversation is an inbox row.
type Conversation struct {
	ID                 string   `json:"id"`
	ShopID             string   `json:"shop_id"`
	ChannelID          string   `json:"channel_id"`
	Customer           Customer `json:"customer"`
	Stage              string   `json:"stage"`
	Status             string   `json:"status"`
	AssigneeID         *string  `json:"assignee_id"`
	LastMessageAt      string   `json:"last_message_at"`
	LastMessagePreview string   `json:"last_message_preview"`
	UnreadCount        int      `json:"unread_count"`
	UpdatedAt          string   `json:"updated_at"`
	// Category is the inquiry's class; "" until an agent classifies it.
	Category string `json:"category"`

	// Labels are the conversation's labels.
	Labels []string `json:"labels"`
}

// NewConversation renders a conversation row.
func NewConversation(r *store.ConversationRow) Conversation {
	return Conversation{
		ID: ID(r.ID), ShopID: ID(r.ShopID), ChannelID: ID(r.ChannelID),
		Customer: Customer{ID: r.CustomerExternalID, Name: r.CustomerName},
		Stage:    string(r.Stage), Status: string(r.Status), AssigneeID: OptionalID(r.AssigneeID),
		LastMessageAt: Time(r.LastMessageAt), LastMessagePreview: r.LastMessagePreview,
		UnreadCount: r.UnreadCount, UpdatedAt: Time(r.UpdatedAt), Category: string(r.Category), Labels: splitList(r.Labels),
	}
}

// splitList reads a comma-separated column; empty gives an empty list, never null.
func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Message is one chat message.
type Message struct {
	ID             string  `json:"id"`
	ConversationID string  `json:"conversation_id"`
	Direction      string  `json:"direction"`
	Type           string  `json:"type"`
	Text           string  `json:"text"`
	Status         string  `json:"status"`
	Sender         string  `json:"sender"`
	SenderID       *string `json:"sender_id,omitempty"`
	Error          string  `json:"error,omitempty"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
	// Media is the image of an image message (absent for text).
	Media *Media `json:"media,omitempty"`
}

// NewMessage renders a message (with its media, when it was loaded with it).
func NewMessage(m *models.Message) Message {
	v := Message{
		ID: ID(m.ID), ConversationID: ID(m.ConversationID), Direction: string(m.Direction),
		Type: m.Type, Text: m.Text, Status: string(m.Status), Sender: m.SenderName,
		SenderID: OptionalID(m.SenderID), Error: m.Error,
		CreatedAt: Time(m.CreatedAt), UpdatedAt: Time(m.UpdatedAt),
	}
	if m.Media != nil {
		md := NewMedia(m.Media)
		v.Media = &md
	}
	return v
}

// Tracking is a parcel's carrier and number.
type Tracking struct {
	Carrier string `json:"carrier"`
	Number  string `json:"number"`
}

// Order is a buyer's order beside the chat.
type Order struct {
	ID         string             `json:"id"`
	ExternalID string             `json:"external_id"`
	ChannelID  string             `json:"channel_id"`
	Status     string             `json:"status"`
	Total      string             `json:"total"`
	Currency   string             `json:"currency"`
	Items      []models.OrderItem `json:"items"`
	Address    models.Address     `json:"address"`
	Tracking   Tracking           `json:"tracking"`
	Note       string             `json:"note"`
	Flag       string             `json:"flag"`
	// NoteCategory is the kind of special request the note records.
	NoteCategory string `json:"note_category"`
	// NoteSync tells whether the note reached the marketplace: none, pending, synced,
	// failed (NoteSyncError says why) or unsupported by the platform.
	NoteSync      string `json:"note_sync"`
	NoteSyncError string `json:"note_sync_error,omitempty"`
	UpdatedAt     string `json:"updated_at"`
}

// NewOrder renders an order.
func NewOrder(o *models.Order) Order {
	items := o.Items.V
	if items == nil {
		items = []models.OrderItem{}
	}
	return Order{
		ID: ID(o.ID), ExternalID: o.ExternalID, ChannelID: ID(o.ChannelID), Status: string(o.Status),
		Total: o.Total, Currency: o.Currency, Items: items, Address: o.Address.V,
		Tracking: Tracking{Carrier: o.TrackingCarrier, Number: o.TrackingNumber},
		Note:     o.Note, Flag: o.Flag, NoteCategory: o.NoteCategory, NoteSync: string(o.NoteSync),
		NoteSyncError: o.NoteSyncError, UpdatedAt: Time(o.PlatformUpdatedAt),
	}
}

// User is a member of staff, never with their password.
type User struct {
	ID          string   `json:"id"`
	Username    string   `json:"username"`
	Role        string   `json:"role"`
	ShopID      *string  `json:"shop_id"`
	DisplayName string   `json:"display_name"`
	AgentNo     string   `json:"agent_no"`
	Skills      []string `json:"skills"`
	Status      string   `json:"status"`

	// MaxOpen is the agent's own routing limit (0: the shop's default).
	MaxOpen int `json:"max_open"`
}

// NewUser renders a user.
func NewUser(u *models.User) User {
	skills := []string{}
	for _, s := range strings.Split(u.Skills, ",") {
		if s != "" {
			skills = append(skills, s)
		}
	}
	return User{ID: ID(u.ID), Username: u.Username, Role: string(u.Role), ShopID: OptionalID(u.ShopID),
		DisplayName: u.DisplayName, AgentNo: u.AgentNo, Skills: skills, Status: string(u.Status), MaxOpen: u.MaxOpen}
}

// OrderNote is one change of an order's note, with its write-back outcome.
type OrderNote struct {
	ID        string  `json:"id"`
	OrderID   string  `json:"order_id"`
	Flag      string  `json:"flag"`
	Note      string  `json:"note"`
	Category  string  `json:"category"`
	AuthorID  *string `json:"author_id"`
	Sync      string  `json:"sync"`
	SyncError string  `json:"sync_error,omitempty"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

// NewOrderNote renders a note change.
func NewOrderNote(n *models.OrderNote) OrderNote {
	return OrderNote{ID: ID(n.ID), OrderID: ID(n.OrderID), Flag: n.Flag, Note: n.Note, Category: n.Category,
		AuthorID: OptionalID(n.AuthorID), Sync: string(n.Sync), SyncError: n.SyncError,
		CreatedAt: Time(n.CreatedAt), UpdatedAt: Time(n.UpdatedAt)}
}

// ConversationEvent is something that happened to a conversation besides its messages.
type ConversationEvent struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	Kind           string          `json:"kind"`
	ActorID        *string         `json:"actor_id"`
	Data           json.RawMessage `json:"data"`
	CreatedAt      string          `json:"created_at"`
}

// NewConversationEvent renders a conversation event.
func NewConversationEvent(e *models.ConversationEvent) ConversationEvent {
	data := e.Data.V
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	return ConversationEvent{ID: ID(e.ID), ConversationID: ID(e.ConversationID), Kind: e.Kind,
		ActorID: OptionalID(e.ActorID), Data: data, CreatedAt: Time(e.CreatedAt)}
}
