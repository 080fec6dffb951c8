package view

import (
	"encoding/json"

	"github.com/chatbridge/chatbridge/internal/store"
)

// Alert is an alert as staff see it. OrderID is the platform's order id (what the
// packer finds on the waybill); OrderRef is ChatBridge's, for /api/v1/orders/{id}.
type Alert struct {
	ID             string          `json:"id"`
	Kind           string          `json:"kind"`
	Audience       string          `json:"audience"`
	UserID         *string         `json:"user_id"`
	OrderID        *string         `json:"order_id"`
	OrderRef       *string         `json:"order_ref"`
	ConversationID *string         `json:"conversation_id"`
	Summary        string          `json:"summary"`
	Detail         json.RawMessage `json:"detail"`
	Status         string          `json:"status"`
	RaisedBy       *string         `json:"raised_by"`
	CreatedAt      string          `json:"created_at"`
	AcknowledgedBy *string         `json:"acknowledged_by"`
	AcknowledgedAt *string         `json:"acknowledged_at"`
	NotifyCount    int             `json:"notify_count"`
	EscalatedAt    *string         `json:"escalated_at"`
}

// NewAlert renders an alert.
func NewAlert(r *store.AlertRow) Alert {
	v := Alert{
		ID: ID(r.ID), Kind: r.Kind, Audience: string(r.Audience), UserID: OptionalID(r.UserID),
		OrderRef: OptionalID(r.OrderID), ConversationID: OptionalID(r.ConversationID),
		Summary: r.Summary, Detail: r.Detail.V, Status: string(r.Status), RaisedBy: OptionalID(r.RaisedBy),
		CreatedAt: Time(r.CreatedAt), AcknowledgedBy: OptionalID(r.AcknowledgedBy),
		NotifyCount: r.NotifyCount,
	}
	if r.OrderExternalID != "" {
		ext := r.OrderExternalID
		v.OrderID = &ext
	}
	if len(v.Detail) == 0 {
		v.Detail = json.RawMessage("{}")
	}
	if r.AcknowledgedAt != nil {
		t := Time(*r.AcknowledgedAt)
		v.AcknowledgedAt = &t
	}
	if r.EscalatedAt != nil {
		t := Time(*r.EscalatedAt)
		v.EscalatedAt = &t
	}
	return v
}
