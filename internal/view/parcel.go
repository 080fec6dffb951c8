package view

import (
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// Parcel is an order's parcel as the chat's sidebar shows it.
type Parcel struct {
	ID      string `json:"id"`
	OrderID string `json:"order_id"`
	// Carrier is the carrier as the platform named it; CarrierCode ChatBridge's code.
	Carrier     string `json:"carrier"`
	CarrierCode string `json:"carrier_code"`
	Number      string `json:"number"`
	// Provider is the tracking provider following it ("" while the shop has none).
	Provider string `json:"provider"`
	State    string `json:"state"`
	// Exception is the open exception: stuck, problem, returned, or "".
	Exception string `json:"exception"`
	// Subscribed reports that the provider pushes the parcel's updates.
	Subscribed    bool    `json:"subscribed"`
	Active        bool    `json:"active"`
	LastEventAt   *string `json:"last_event_at"`
	LastEventText string  `json:"last_event_text"`
	StartedAt     string  `json:"started_at"`
	DeliveredAt   *string `json:"delivered_at"`
	FollowUpAt    *string `json:"follow_up_at"`
	NextPollAt    *string `json:"next_poll_at"`
	LastPolledAt  *string `json:"last_polled_at"`
	LastError     string  `json:"last_error,omitempty"`
	UpdatedAt     string  `json:"updated_at"`
}

// NewParcel renders a parcel.
func NewParcel(p *models.Parcel) Parcel {
	return Parcel{
		ID: ID(p.ID), OrderID: ID(p.OrderID), Carrier: p.Carrier, CarrierCode: p.CarrierCode, Number: p.Number,
		Provider: p.Provider, State: string(p.State), Exception: p.Exception, Subscribed: p.SubscribedAt != nil,
		Active: p.FinishedAt == nil, LastEventAt: optionalTime(p.LastEventAt), LastEventText: p.LastEventText,
		StartedAt: Time(p.StartedAt), DeliveredAt: optionalTime(p.DeliveredAt), FollowUpAt: optionalTime(p.FollowUpAt),
		NextPollAt: optionalTime(p.NextPollAt), LastPolledAt: optionalTime(p.LastPolledAt), LastError: p.LastError,
		UpdatedAt: Time(p.UpdatedAt),
	}
}

// ParcelEvent is one line of a parcel's timeline.
type ParcelEvent struct {
	ID       string `json:"id"`
	At       string `json:"at"`
	Text     string `json:"text"`
	Location string `json:"location"`
	Status   string `json:"status"`
	State    string `json:"state"`
}

// NewParcelEvent renders a timeline line.
func NewParcelEvent(e *models.ParcelEvent) ParcelEvent {
	return ParcelEvent{ID: ID(e.ID), At: Time(e.OccurredAt), Text: e.Text, Location: e.Location,
		Status: e.Status, State: string(e.State)}
}

func optionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := Time(*t)
	return &s
}
