package models

import (
	"encoding/json"
	"time"
)

// AlertStatus is where an alert stands.
type AlertStatus string

// Alert statuses: an open alert is repeated (when it repeats) until someone acknowledges it.
const (
	AlertOpen         AlertStatus = "open"
	AlertAcknowledged AlertStatus = "acknowledged"
)

// Alert is something staff must see and acknowledge: a packer alert for an order
// changed before shipping, a refund's deadline coming, a parcel that stopped moving,
// a ticket due. It is stored once per trigger (DedupKey), so a repeated trigger never
// doubles it.
type Alert struct {
	ID     uint64
	ShopID uint64
	// Kind says what happened (address_change, item_change, intercept, refund_due,
	// parcel_stuck, ticket_due...); each area names its own.
	Kind string
	// Audience is the role it is for (packer, agent, supervisor); UserID, when set,
	// narrows it to one user of that role (the chat's agent).
	Audience       Role
	UserID         *uint64
	OrderID        *uint64
	ConversationID *uint64
	// DedupKey is unique within the shop: the same trigger (the same order change, the
	// same reminder of the same case) raises one alert however often it fires.
	DedupKey string
	Summary  string
	// Detail is the alert's particulars for its view (e.g. the address before and after).
	Detail         JSON[json.RawMessage]
	Status         AlertStatus
	RaisedBy       *uint64 // the user whose action raised it, if any
	AcknowledgedBy *uint64
	AcknowledgedAt *time.Time
	// NotifyCount counts the times it was pushed to staff; NextNotifyAt is when an open
	// alert is pushed again (nil: it does not repeat).
	NotifyCount  int
	NextNotifyAt *time.Time
	EscalatedAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
