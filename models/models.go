package models

import "time"

// Shop is a tenant: every other record belongs to exactly one shop.
type Shop struct {
	ID        uint64
	Name      string
	CreatedAt time.Time
}

// User is a member of a shop's staff, or an admin (ShopID nil) who spans all shops.
type User struct {
	ID           uint64
	ShopID       *uint64
	Username     string
	PasswordHash string
	Role         Role
	DisplayName  string
	AgentNo      string
	Skills       string // comma-separated stages, e.g. "pre_sale,after_sale"
	Status       UserStatus
	MaxOpen      int // routing limit of open chats; 0 means the shop default
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a login: the token itself is never stored, only its SHA-256.
type Session struct {
	ID        uint64
	TokenHash string
	UserID    uint64
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Channel is one connected platform account of a shop. Its configuration and its
// webhook secret are stored encrypted.
type Channel struct {
	ID        uint64
	ShopID    uint64
	Type      string
	Name      string
	ConfigEnc []byte
	SecretEnc []byte
	LastInAt  *time.Time
	LastOutAt *time.Time
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Customer is a buyer as one channel knows them.
type Customer struct {
	ID         uint64
	ShopID     uint64
	ChannelID  uint64
	ExternalID string
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time

	// LastAgentID is the agent who last served the buyer: routing prefers them.
	LastAgentID *uint64
}

// Conversation is the one thread between a shop and a buyer on a channel.
type Conversation struct {
	ID                 uint64
	ShopID             uint64
	ChannelID          uint64
	CustomerID         uint64
	Stage              Stage
	Status             ConversationStatus
	AssigneeID         *uint64
	LastMessageAt      time.Time
	LastMessagePreview string
	UnreadCount        int
	CreatedAt          time.Time
	UpdatedAt          time.Time

	// Category is the inquiry's class (service.go); empty until classified.
	Category Category
	// Labels are the conversation's labels, comma-separated (conversation_labels indexes them).
	Labels string
}

// Message is one chat message in either direction. ExternalID is the platform's id of
// an inbound message (unique per channel); RemoteID is what the platform answered
// when an outbound message was delivered.
type Message struct {
	ID             uint64
	ShopID         uint64
	ChannelID      uint64
	ConversationID uint64
	Direction      Direction
	Type           string
	Text           string
	Status         MessageStatus
	ExternalID     *string
	RemoteID       string
	SenderID       *uint64
	SenderName     string
	Error          string
	Override       bool // sent despite a forbidden-phrase warning
	SentAt         *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// OnceKey marks a message the system sends at most once per conversation (the greeting).
	OnceKey *string
	// MediaID names the image of an image message; Media is loaded with the message.
	MediaID *uint64
	Media   *Media `gorm:"foreignKey:MediaID"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	SKU      string `json:"sku"`
	Title    string `json:"title"`
	Quantity int    `json:"quantity"`
}

// Address is a shipping address as the marketplace holds it.
type Address struct {
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Region string `json:"region"`
	Detail string `json:"detail"`
}

// Order is a marketplace order of a buyer. PlatformUpdatedAt is the platform's own
// modification time, which guards against out-of-order events.
type Order struct {
	ID                uint64
	ShopID            uint64
	ChannelID         uint64
	CustomerID        uint64
	ExternalID        string
	Status            OrderStatus
	Total             string
	Currency          string
	Items             JSON[[]OrderItem]
	Address           JSON[Address]
	TrackingCarrier   string
	TrackingNumber    string
	Note              string
	Flag              string
	NoteCategory      string
	NoteSync          NoteSync
	NoteSyncError     string
	PlatformUpdatedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// OrderNote is one change of an order's note and flag, with the outcome of writing it
// back to the marketplace.
type OrderNote struct {
	ID        uint64
	ShopID    uint64
	OrderID   uint64
	Flag      string
	Note      string
	Category  string
	AuthorID  *uint64
	Sync      NoteSync
	SyncError string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NotifyTarget is a staff group robot (WeCom or DingTalk) that alerts and reminders are
// sent to. Audience is a comma-separated list of roles.
type NotifyTarget struct {
	ID        uint64
	ShopID    uint64
	Type      string
	ConfigEnc []byte
	Audience  string
	CreatedAt time.Time
	UpdatedAt time.Time
}
