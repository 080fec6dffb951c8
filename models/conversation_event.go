package models

import (
	"encoding/json"
	"time"
)

// ConversationEvent is one thing that happened to a conversation besides its messages:
// an assignment, a stage change, a resolve or reopen. The thread shows them between the
// messages, and the supervisor's reports are computed from them.
type ConversationEvent struct {
	ID             uint64
	ShopID         uint64
	ConversationID uint64
	Kind           string
	// ActorID is the user who did it; nil when ChatBridge did (routing, an order change,
	// the buyer's message).
	ActorID *uint64
	// Data holds the particulars, e.g. {"from":"3","to":"5"} for an assignment.
	Data      JSON[json.RawMessage]
	CreatedAt time.Time
}

// Conversation event kinds recorded by the inbox.
const (
	EventCreated      = "created"
	EventAssigned     = "assigned"
	EventStageChanged = "stage_changed"
	EventResolved     = "resolved"
	EventReopened     = "reopened"
	// EventNote is an agent's private note on the thread: never sent to the buyer.
	EventNote = "note"
)
