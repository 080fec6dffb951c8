package view

import (
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
)

// Complaint is a complaint registered on a chat, with where it stands at the time of
// the answer: open, overdue (its deadline passed unanswered), answered (Late when after
// its deadline) or withdrawn (the chat was classified otherwise).
type Complaint struct {
	ID             string  `json:"id"`
	ConversationID string  `json:"conversation_id"`
	AgentID        *string `json:"agent_id"`
	OpenedBy       *string `json:"opened_by"`
	OpenedAt       string  `json:"opened_at"`
	DeadlineAt     string  `json:"deadline_at"`
	AnsweredAt     *string `json:"answered_at"`
	Late           bool    `json:"late"`
	Repeat         bool    `json:"repeat"`
	RepeatOf       *string `json:"repeat_of"`
	WithdrawnAt    *string `json:"withdrawn_at"`
	Status         string  `json:"status"`
}

// NewComplaint renders a complaint as it stands at now.
func NewComplaint(r *store.ComplaintRow, now time.Time) Complaint {
	v := Complaint{ID: ID(r.ID), ConversationID: ID(r.ConversationID), AgentID: OptionalID(r.AgentID),
		OpenedBy: OptionalID(r.OpenedBy), OpenedAt: Time(r.OpenedAt), DeadlineAt: Time(r.DeadlineAt),
		AnsweredAt: OptionalTime(r.AnsweredAt), Repeat: r.RepeatOf != nil, RepeatOf: OptionalID(r.RepeatOf),
		WithdrawnAt: OptionalTime(r.WithdrawnAt)}
	switch {
	case r.WithdrawnAt != nil:
		v.Status = "withdrawn"
	case r.AnsweredAt != nil:
		v.Status, v.Late = "answered", r.AnsweredAt.After(r.DeadlineAt)
	case now.After(r.DeadlineAt):
		v.Status = "overdue"
	default:
		v.Status = "open"
	}
	return v
}

// OptionalTime renders a nullable time; nil stays null.
func OptionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := Time(*t)
	return &s
}

// Ticket is a ticket as staff see it; Overdue tells an open ticket past its due time.
type Ticket struct {
	ID               string   `json:"id"`
	ConversationID   string   `json:"conversation_id"`
	Customer         Customer `json:"customer"`
	Category         string   `json:"category"`
	Title            string   `json:"title"`
	Detail           string   `json:"detail"`
	OwnerID          string   `json:"owner_id"`
	OwnerName        string   `json:"owner_name"`
	CreatedBy        string   `json:"created_by"`
	DueAt            string   `json:"due_at"`
	Status           string   `json:"status"`
	Overdue          bool     `json:"overdue"`
	Outcome          string   `json:"outcome"`
	OutcomeMessageID *string  `json:"outcome_message_id"`
	ClosedBy         *string  `json:"closed_by"`
	ClosedAt         *string  `json:"closed_at"`
	CreatedAt        string   `json:"created_at"`
	UpdatedAt        string   `json:"updated_at"`
}

// NewTicket renders a ticket as it stands at now.
func NewTicket(r *store.TicketRow, now time.Time) Ticket {
	return Ticket{ID: ID(r.ID), ConversationID: ID(r.ConversationID),
		Customer: Customer{ID: r.CustomerExternalID, Name: r.CustomerName}, Category: string(r.Category),
		Title: r.Title, Detail: r.Detail, OwnerID: ID(r.OwnerID), OwnerName: r.OwnerName, CreatedBy: ID(r.CreatedBy),
		DueAt: Time(r.DueAt), Status: string(r.Status), Overdue: r.Status == "open" && now.After(r.DueAt),
		Outcome: r.Outcome, OutcomeMessageID: OptionalID(r.OutcomeMessageID), ClosedBy: OptionalID(r.ClosedBy),
		ClosedAt: OptionalTime(r.ClosedAt), CreatedAt: Time(r.CreatedAt), UpdatedAt: Time(r.UpdatedAt)}
}

// HandoverItem is one chat handed on at the end of a shift, with who took it (null: it
// waited in its stage queue for the next shift).
type HandoverItem struct {
	ConversationID string   `json:"conversation_id"`
	Customer       Customer `json:"customer"`
	Note           string   `json:"note"`
	ToUserID       *string  `json:"to_user_id"`
	ToUserName     string   `json:"to_user_name"`
}

// Handover is the note an agent left at the end of a shift and the chats handed on.
type Handover struct {
	ID            string         `json:"id"`
	UserID        string         `json:"user_id"`
	UserName      string         `json:"user_name"`
	CreatedBy     string         `json:"created_by"`
	CreatedByName string         `json:"created_by_name"`
	Note          string         `json:"note"`
	CreatedAt     string         `json:"created_at"`
	Items         []HandoverItem `json:"items"`
}

// NewHandover renders a handover with its items.
func NewHandover(h *store.HandoverRow, items []store.HandoverItemRow) Handover {
	v := Handover{ID: ID(h.ID), UserID: ID(h.UserID), UserName: h.UserName, CreatedBy: ID(h.CreatedBy),
		CreatedByName: h.CreatedByName, Note: h.Note, CreatedAt: Time(h.CreatedAt), Items: make([]HandoverItem, 0, len(items))}
	for _, it := range items {
		v.Items = append(v.Items, HandoverItem{ConversationID: ID(it.ConversationID),
			Customer: Customer{ID: it.CustomerExternalID, Name: it.CustomerName}, Note: it.Note,
			ToUserID: OptionalID(it.ToUserID), ToUserName: it.ToUserName})
	}
	return v
}
