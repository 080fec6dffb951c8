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
