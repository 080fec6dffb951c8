package models

import "time"

// Category is the class of an inquiry (DOMAIN.md rule 5: classify first); the owner of
// the class handles it.
type Category string

// Inquiry categories; CategoryNone is a chat not classified yet.
const (
	CategoryNone         Category = ""
	CategoryConsultation Category = "consultation"
	CategoryOrder        Category = "order"
	CategoryLogistics    Category = "logistics"
	CategoryReturnRefund Category = "return_refund"
	CategoryComplaint    Category = "complaint"
)

// Categories lists the inquiry categories in the order the web shows them.
var Categories = []Category{CategoryConsultation, CategoryOrder, CategoryLogistics, CategoryReturnRefund, CategoryComplaint}

// Valid reports whether c is a category (not the empty "not classified").
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Conversation event kinds of the service area (besides those of the inbox).
const (
	EventCategoryChanged   = "category_changed"
	EventComplaintOpened   = "complaint_opened"
	EventComplaintWithdraw = "complaint_withdrawn"
	EventTicketCreated     = "ticket_created"
	EventTicketUpdated     = "ticket_updated"
	EventTicketClosed      = "ticket_closed"
	EventRatingInvited     = "rating_invited"
	EventRated             = "rated"
	EventHandover          = "handover"
)

// Complaint is a buyer's complaint registered on a chat. It is answered when the chat
// is next resolved; the answer is due by DeadlineAt (the shop's complaint deadline).
type Complaint struct {
	ID             uint64
	ShopID         uint64
	ConversationID uint64
	CustomerID     uint64
	// AgentID is who the complaint is counted against: the chat's agent when it was
	// registered (or the agent who registered it on an unassigned chat).
	AgentID    *uint64
	OpenedBy   *uint64
	OpenedAt   time.Time
	DeadlineAt time.Time
	// RepeatOf is the buyer's earlier complaint, answered within the repeat window
	// before this one: this one is a repeat complaint.
	RepeatOf    *uint64
	WithdrawnAt *time.Time // classified as something else before it was answered
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TicketStatus is where a ticket stands.
type TicketStatus string

// Ticket statuses.
const (
	TicketOpen   TicketStatus = "open"
	TicketClosed TicketStatus = "closed"
)

// Ticket is work another department must do for a buyer (工单), created from the chat,
// owned by one member of staff until it is closed with its outcome.
type Ticket struct {
	ID             uint64
	ShopID         uint64
	ConversationID uint64
	Category       Category
	Title          string
	Detail         string
	OwnerID        uint64
	CreatedBy      uint64
	DueAt          time.Time
	// RemindAt is when the owner is reminded that the ticket is coming due.
	RemindAt         time.Time
	Status           TicketStatus
	Outcome          string
	OutcomeMessageID *uint64 // the message that told the buyer the outcome, if one was sent
	ClosedBy         *uint64
	ClosedAt         *time.Time
	// DueRemindedAt and OverdueRemindedAt record that each reminder went out (once).
	DueRemindedAt     *time.Time
	OverdueRemindedAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// RatingStatus is where a satisfaction invitation stands.
type RatingStatus string

// Rating statuses: invited until the buyer's next message, which either rates (rated)
// or does not (unanswered); a message after the expiry answers nothing (expired).
const (
	RatingInvited    RatingStatus = "invited"
	RatingRated      RatingStatus = "rated"
	RatingUnanswered RatingStatus = "unanswered"
	RatingExpired    RatingStatus = "expired" // the buyer wrote again only after the window
)

// Rating is a satisfaction invitation sent when a chat was resolved and the buyer's
// answer, counted for the agent who resolved it.
type Rating struct {
	ID              uint64
	ShopID          uint64
	ConversationID  uint64
	AgentID         *uint64
	InviteMessageID *uint64
	InvitedAt       time.Time
	ExpiresAt       time.Time
	Status          RatingStatus
	Score           *int
	AnswerMessageID *uint64
	RatedAt         *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Handover is the note an agent leaves at the end of a shift (交接).
type Handover struct {
	ID        uint64
	ShopID    uint64
	UserID    uint64 // whose shift ended
	CreatedBy uint64 // who wrote it (the agent, or a supervisor for them)
	Note      string
	CreatedAt time.Time
}

// HandoverItem is one open chat handed on at a handover, with its point of attention.
type HandoverItem struct {
	ID             uint64
	HandoverID     uint64
	ConversationID uint64
	Note           string
	ToUserID       *uint64 // nil: nobody was available; it waited in its stage queue
}

// ConflictError is a request that no longer fits the record's state (a ticket closed in
// the meantime). The API answers it 409.
type ConflictError struct{ Reason string }

func (e *ConflictError) Error() string { return e.Reason }
