// Package tickets tracks work another department must do for a buyer (工单, DOMAIN.md
// rule 5): a ticket is created from the chat with a category, an owner and a due time;
// its owner is reminded as it comes due and again when it is overdue; closing it records
// the outcome and can tell the buyer, so the loop closes.
package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Settings gives a shop's settings.
type Settings interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// Outbound is the inbox's path for a message from staff to the buyer.
type Outbound interface {
	// QueueOutbound stores the message in the transaction; the function it returns
	// queues its delivery and shows it live after the commit.
	QueueOutbound(ctx context.Context, tx *store.DB, conv *models.Conversation, sender *models.User, text string, override bool) (*models.Message, func(context.Context), error)
}

// Alerts raises reminders (inside the transaction) and pushes them (after the commit).
type Alerts interface {
	Raise(ctx context.Context, tx *store.DB, a *models.Alert) (bool, error)
	Announce(ctx context.Context, shopID, id uint64)
}

// Alert kinds of tickets.
const (
	AlertAssigned = "ticket_assigned"
	AlertDue      = "ticket_due"
	AlertOverdue  = "ticket_overdue"
)

// Service creates, changes, closes and reminds tickets.
type Service struct {
	db       *store.DB
	settings Settings
	outbound Outbound
	alerts   Alerts
	log      *slog.Logger
	now      func() time.Time
}

// NewService wires the ticket service; now is the clock (time.Now in production).
func NewService(db *store.DB, settings Settings, outbound Outbound, alerts Alerts, log *slog.Logger, now func() time.Time) *Service {
	return &Service{db: db, settings: settings, outbound: outbound, alerts: alerts, log: log, now: now}
}

// Now is the service's clock, for views that tell overdue tickets.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Limits of a ticket's texts.
const (
	maxTitle   = 191
	maxDetail  = 2000
	maxOutcome = 2000
	maxAhead   = 366 * 24 * time.Hour
)

// NewTicket is what a ticket is created with.
type NewTicket struct {
	Category models.Category
	Title    string
	Detail   string
	OwnerID  uint64
	DueAt    time.Time
}

// Create opens a ticket from a chat and tells its owner (unless they created it).
func (s *Service) Create(ctx context.Context, actor *models.User, conv *store.ConversationRow, in NewTicket) (*models.Ticket, error) {
	now := s.Now()
	if !in.Category.Valid() {
		return nil, &models.InvalidError{Field: "category", Reason: "must be consultation, order, logistics, return_refund or complaint"}
	}
	if err := checkText("title", in.Title, maxTitle, true); err != nil {
		return nil, err
	}
	if err := checkText("detail", in.Detail, maxDetail, false); err != nil {
		return nil, err
	}
	if err := checkDue(in.DueAt, now); err != nil {
		return nil, err
	}
	if err := s.checkOwner(ctx, conv.ShopID, in.OwnerID); err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx, conv.ShopID)
	if err != nil {
		return nil, err
	}
	lead := rules.Service.TicketReminderLead()
	t := &models.Ticket{ShopID: conv.ShopID, ConversationID: conv.ID, Category: in.Category,
		Title: strings.TrimSpace(in.Title), Detail: strings.TrimSpace(in.Detail), OwnerID: in.OwnerID, CreatedBy: actor.ID,
		DueAt: in.DueAt.UTC(), RemindAt: remindAt(in.DueAt.UTC(), lead, now), Status: models.TicketOpen}
	var announce []uint64
	err = s.db.Tx(ctx, func(tx *store.DB) error {
		t.ID, announce = 0, nil
		if err := tx.InsertTicket(ctx, t); err != nil {
			return err
		}
		_, err := tx.RecordConversationEvent(ctx, t.ShopID, t.ConversationID, models.EventTicketCreated, &actor.ID, map[string]any{
			"ticket_id": view.ID(t.ID), "title": t.Title, "category": string(t.Category), "owner_id": view.ID(t.OwnerID), "due_at": view.Time(t.DueAt)})
		if err != nil {
			return err
		}
		announce, err = s.tellOwner(ctx, tx, actor, t, rules.Location())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: create: %w", err)
	}
	s.announce(ctx, t.ShopID, announce)
	return t, nil
}

// Change is a change of an open ticket; nil fields stay as they are.
type Change struct {
	Title   *string
	Detail  *string
	OwnerID *uint64
	DueAt   *time.Time
}

// Update changes an open ticket: a new owner is told; a new due time brings both
// reminders back for it.
func (s *Service) Update(ctx context.Context, actor *models.User, row *store.TicketRow, ch Change) error {
	now := s.Now()
	updates := map[string]any{}
	data := map[string]any{"ticket_id": view.ID(row.ID)}
	if ch.Title != nil {
		if err := checkText("title", *ch.Title, maxTitle, true); err != nil {
			return err
		}
		updates["title"], data["title"] = strings.TrimSpace(*ch.Title), strings.TrimSpace(*ch.Title)
	}
	if ch.Detail != nil {
		if err := checkText("detail", *ch.Detail, maxDetail, false); err != nil {
			return err
		}
		updates["detail"] = strings.TrimSpace(*ch.Detail)
	}
	if ch.OwnerID != nil && *ch.OwnerID != row.OwnerID {
		if err := s.checkOwner(ctx, row.ShopID, *ch.OwnerID); err != nil {
			return err
		}
		updates["owner_id"], data["owner_id"] = *ch.OwnerID, view.ID(*ch.OwnerID)
	}
	if ch.DueAt != nil && !ch.DueAt.Equal(row.DueAt) {
		if err := checkDue(*ch.DueAt, now); err != nil {
			return err
		}
		rules, err := s.rules(ctx, row.ShopID)
		if err != nil {
			return err
		}
		due := ch.DueAt.UTC()
		updates["due_at"], updates["remind_at"], data["due_at"] = due, remindAt(due, rules.Service.TicketReminderLead(), now), view.Time(due)
		updates["due_reminded_at"], updates["overdue_reminded_at"] = nil, nil
	}
	if len(updates) == 0 {
		return nil
	}
	var announce []uint64
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		announce = nil
		t, err := tx.LockTicket(ctx, row.ID)
		if err != nil {
			return err
		}
		if t.Status != models.TicketOpen {
			return &models.ConflictError{Reason: "the ticket is closed"}
		}
		if err := tx.UpdateTicket(ctx, t.ID, updates); err != nil {
			return err
		}
		if _, err := tx.RecordConversationEvent(ctx, t.ShopID, t.ConversationID, models.EventTicketUpdated, &actor.ID, data); err != nil {
			return err
		}
		if owner, ok := updates["owner_id"].(uint64); ok {
			t.OwnerID = owner
			if due, ok := updates["due_at"].(time.Time); ok {
				t.DueAt = due
			}
			rules, err := s.rules(ctx, t.ShopID)
			if err != nil {
				return err
			}
			announce, err = s.tellOwner(ctx, tx, actor, t, rules.Location())
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("tickets: update %d: %w", row.ID, err)
	}
	s.announce(ctx, row.ShopID, announce)
	return nil
}

// Closing is how a ticket is closed.
type Closing struct {
	Outcome string
	// NotifyBuyer sends the buyer Message (the outcome when empty) through the chat.
	NotifyBuyer bool
	Message     string
	// Override sends the message despite forbidden phrases (recorded for the supervisor).
	Override bool
}

// Close records a ticket's outcome and, when asked, tells the buyer in the same
// transaction (the message goes out on the reply path after the commit).
func (s *Service) Close(ctx context.Context, actor *models.User, row *store.TicketRow, in Closing) error {
	if err := checkText("outcome", in.Outcome, maxOutcome, true); err != nil {
		return err
	}
	text := strings.TrimSpace(in.Message)
	if text == "" {
		text = strings.TrimSpace(in.Outcome)
	}
	var (
		msg  *models.Message
		send func(context.Context)
	)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		msg, send = nil, nil
		now := s.Now()
		t, err := tx.LockTicket(ctx, row.ID)
		if err != nil {
			return err
		}
		if t.Status != models.TicketOpen {
			return &models.ConflictError{Reason: "the ticket is closed already"}
		}
		updates := map[string]any{"outcome": strings.TrimSpace(in.Outcome), "closed_by": actor.ID, "closed_at": now}
		if in.NotifyBuyer {
			conv, err := tx.ConversationRow(ctx, t.ShopID, t.ConversationID)
			if err != nil {
				return err
			}
			if msg, send, err = s.outbound.QueueOutbound(ctx, tx, &conv.Conversation, actor, text, in.Override); err != nil {
				return messageField(err)
			}
			updates["outcome_message_id"] = msg.ID
		}
		if _, err := tx.CloseTicket(ctx, t.ID, updates); err != nil {
			return err
		}
		data := map[string]any{"ticket_id": view.ID(t.ID), "outcome": strings.TrimSpace(in.Outcome), "message_id": nil}
		if msg != nil {
			data["message_id"] = view.ID(msg.ID)
		}
		_, err = tx.RecordConversationEvent(ctx, t.ShopID, t.ConversationID, models.EventTicketClosed, &actor.ID, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("tickets: close %d: %w", row.ID, err)
	}
	if send != nil {
		send(ctx)
	}
	return nil
}

// messageField names the request's message field in an error about the text sent.
func messageField(err error) error {
	if inv, ok := err.(*models.InvalidError); ok && inv.Field == "text" {
		return &models.InvalidError{Field: "message", Reason: inv.Reason}
	}
	return err
}

// tellOwner raises the "ticket assigned to you" alert unless the owner is the actor.
func (s *Service) tellOwner(ctx context.Context, tx *store.DB, actor *models.User, t *models.Ticket, loc *time.Location) ([]uint64, error) {
	if t.OwnerID == actor.ID {
		return nil, nil
	}
	a := ticketAlert(t, AlertAssigned, fmt.Sprintf("ticket:%d:assigned:%d:%d", t.ID, t.OwnerID, t.DueAt.Unix()),
		fmt.Sprintf("新工单「%s」，请于 %s 前处理", t.Title, localTime(t.DueAt, loc)))
	a.RaisedBy = &actor.ID
	created, err := s.alerts.Raise(ctx, tx, a)
	if err != nil || !created {
		return nil, err
	}
	return []uint64{a.ID}, nil
}

func (s *Service) announce(ctx context.Context, shopID uint64, ids []uint64) {
	for _, id := range ids {
		s.alerts.Announce(ctx, shopID, id)
	}
}

// ticketAlert is an alert for the ticket's owner.
func ticketAlert(t *models.Ticket, kind, dedup, summary string) *models.Alert {
	detail, _ := json.Marshal(map[string]any{"ticket_id": view.ID(t.ID), "title": t.Title, "due_at": view.Time(t.DueAt)})
	owner, conv := t.OwnerID, t.ConversationID
	return &models.Alert{ShopID: t.ShopID, Kind: kind, Audience: models.RoleAgent, UserID: &owner, ConversationID: &conv,
		DedupKey: dedup, Summary: summary, Detail: models.JSON[json.RawMessage]{V: detail}}
}

func (s *Service) checkOwner(ctx context.Context, shopID, ownerID uint64) error {
	u, err := s.db.User(ctx, ownerID)
	if err != nil || u.ShopID == nil || *u.ShopID != shopID || (u.Role != models.RoleAgent && u.Role != models.RoleSupervisor) {
		return &models.InvalidError{Field: "owner_id", Reason: "must be an agent or supervisor of this shop"}
	}
	return nil
}

func (s *Service) rules(ctx context.Context, shopID uint64) (models.ShopSettings, error) {
	set, err := s.settings.Get(ctx, shopID)
	if err != nil {
		return set, fmt.Errorf("tickets: settings of shop %d: %w", shopID, err)
	}
	return set, nil
}

// localTime renders a time as the shop's staff read it.
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("01-02 15:04")
}

// remindAt is when the owner hears that the ticket is coming due: the shop's lead
// before its due time, or at once when that has passed.
func remindAt(due time.Time, lead time.Duration, now time.Time) time.Time {
	at := due.Add(-lead)
	if at.Before(now) {
		return now
	}
	return at
}

func checkDue(due, now time.Time) error {
	switch {
	case due.IsZero():
		return &models.InvalidError{Field: "due_at", Reason: "is required (RFC 3339)"}
	case !due.After(now):
		return &models.InvalidError{Field: "due_at", Reason: "must be in the future"}
	case due.Sub(now) > maxAhead:
		return &models.InvalidError{Field: "due_at", Reason: "must be within a year"}
	}
	return nil
}

func checkText(field, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return &models.InvalidError{Field: field, Reason: "is required"}
	}
	if utf8.RuneCountInString(strings.TrimSpace(v)) > max {
		return &models.InvalidError{Field: field, Reason: fmt.Sprintf("is longer than %d characters", max)}
	}
	return nil
}
