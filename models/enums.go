package models

// Role is what a user may do; admin spans all shops, the others belong to one shop.
type Role string

// The roles of ChatBridge users.
const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
	RolePacker     Role = "packer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleSupervisor, RoleAgent, RolePacker:
		return true
	}
	return false
}

// Stage is where a buyer stands in the purchase: it decides which agents serve the chat.
type Stage string

// The three stages of a buyer (售前, 售中, 售后).
const (
	StagePreSale   Stage = "pre_sale"
	StageInSale    Stage = "in_sale"
	StageAfterSale Stage = "after_sale"
)

// Stages lists the stages in the order the inbox shows them.
var Stages = []Stage{StagePreSale, StageInSale, StageAfterSale}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	return s == StagePreSale || s == StageInSale || s == StageAfterSale
}

// ConversationStatus is the life cycle of a conversation.
type ConversationStatus string

// Conversation statuses.
const (
	StatusOpen     ConversationStatus = "open"
	StatusPending  ConversationStatus = "pending"
	StatusResolved ConversationStatus = "resolved"
)

// Valid reports whether s is a known conversation status.
func (s ConversationStatus) Valid() bool {
	return s == StatusOpen || s == StatusPending || s == StatusResolved
}

// Direction says whether a message came from the buyer or went to them.
type Direction string

// Message directions.
const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
)

// MessageStatus tracks an inbound message (received) or an outbound one through delivery.
type MessageStatus string

// Message statuses.
const (
	MessageReceived MessageStatus = "received"
	MessagePending  MessageStatus = "pending"
	MessageSent     MessageStatus = "sent"
	MessageFailed   MessageStatus = "failed"
)

// OrderStatus is the unified status of a marketplace order.
type OrderStatus string

// Order statuses shared by every marketplace adapter.
const (
	OrderUnpaid    OrderStatus = "unpaid"
	OrderPaid      OrderStatus = "paid"
	OrderShipped   OrderStatus = "shipped"
	OrderDelivered OrderStatus = "delivered"
	OrderRefunding OrderStatus = "refunding"
	OrderRefunded  OrderStatus = "refunded"
	OrderClosed    OrderStatus = "closed"
)

// Valid reports whether s is a known order status.
func (s OrderStatus) Valid() bool {
	switch s {
	case OrderUnpaid, OrderPaid, OrderShipped, OrderDelivered, OrderRefunding, OrderRefunded, OrderClosed:
		return true
	}
	return false
}

// UserStatus is an agent's presence; only online agents receive new chats.
type UserStatus string

// Presence values.
const (
	UserOnline  UserStatus = "online"
	UserAway    UserStatus = "away"
	UserOffline UserStatus = "offline"
)

// Valid reports whether s is a known presence value.
func (s UserStatus) Valid() bool {
	return s == UserOnline || s == UserAway || s == UserOffline
}

// NoteSync is where an order note's write-back to the marketplace stands.
type NoteSync string

// Write-back states; unsupported means the platform offers no note API (kept in ChatBridge only).
const (
	NoteSyncNone        NoteSync = "none"
	NoteSyncPending     NoteSync = "pending"
	NoteSyncSynced      NoteSync = "synced"
	NoteSyncFailed      NoteSync = "failed"
	NoteSyncUnsupported NoteSync = "unsupported"
)

// Flags are the note flag colours (旗帜) ChatBridge offers; adapters map them to each
// marketplace's own values.
var Flags = []string{"none", "red", "yellow", "green", "blue", "purple"}

// NoteCategories are the kinds of special request a note records.
var NoteCategories = []string{"address_change", "item_change", "courier", "invoice", "greeting_card", "delivery_time", "other"}
