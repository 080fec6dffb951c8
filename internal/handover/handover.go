// Package handover is the end of a shift (交接, DOMAIN.md rule 8): the leaving agent
// writes a handover note, with a point of attention per open chat if they like; the
// agent goes offline and their open chats are routed again, to the online agents with
// the stage's skill or, when nobody is there, to the stage queue that the next shift
// picks up; the next shift reads the notes.
package handover

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Router routes a conversation again inside the transaction (inbox.Reroute, never to
// the agent leaving); the function it returns shows the change live after the commit.
type Router interface {
	Reroute(ctx context.Context, tx *store.DB, conv *models.Conversation, exclude uint64) (func(context.Context), error)
}

// Service records handovers.
type Service struct {
	db     *store.DB
	router Router
	now    func() time.Time
}

// NewService wires the service; now is the clock (time.Now in production).
func NewService(db *store.DB, router Router, now func() time.Time) *Service {
	return &Service{db: db, router: router, now: now}
}

// Limits of the notes.
const (
	maxNote     = 4000
	maxItemNote = 1000
)

// Handover is what the leaving agent writes: a note for the next shift and, per open
// chat they name, its point of attention.
type Handover struct {
	Note      string
	ChatNotes map[uint64]string
}

// Result is a recorded handover and where each open chat went.
type Result struct {
	Handover models.Handover
	Items    []models.HandoverItem
}

// EndShift records user's handover (written by actor: the agent, or a supervisor for
// them), sets them offline and routes their open chats again, all in one transaction.
func (s *Service) EndShift(ctx context.Context, actor, user *models.User, in Handover) (*Result, error) {
	note := strings.TrimSpace(in.Note)
	if note == "" {
		return nil, &models.InvalidError{Field: "note", Reason: "is required"}
	}
	if utf8.RuneCountInString(note) > maxNote {
		return nil, &models.InvalidError{Field: "note", Reason: fmt.Sprintf("is longer than %d characters", maxNote)}
	}
	for _, n := range in.ChatNotes {
		if utf8.RuneCountInString(strings.TrimSpace(n)) > maxItemNote {
			return nil, &models.InvalidError{Field: "items", Reason: fmt.Sprintf("a chat's note is longer than %d characters", maxItemNote)}
		}
	}
	if user.ShopID == nil || (user.Role != models.RoleAgent && user.Role != models.RoleSupervisor) {
		return nil, &models.InvalidError{Field: "user_id", Reason: "must be an agent or supervisor of the shop"}
	}
	shopID := *user.ShopID
	var (
		res   Result
		after []func(context.Context)
	)
	err := s.db.Tx(ctx, func(tx *store.DB) error {
		after = nil
		res = Result{Handover: models.Handover{ShopID: shopID, UserID: user.ID, CreatedBy: actor.ID, Note: note, CreatedAt: s.now().UTC()}}
		if err := tx.SetUserStatus(ctx, user.ID, models.UserOffline); err != nil {
			return err
		}
		convs, err := tx.AssignedOpenConversations(ctx, shopID, user.ID)
		if err != nil {
			return err
		}
		if err := checkNamed(in.ChatNotes, convs); err != nil {
			return err
		}
		if err := tx.InsertHandover(ctx, &res.Handover); err != nil {
			return err
		}
		for i := range convs {
			it, fn, err := s.handOn(ctx, tx, actor, &res.Handover, &convs[i], strings.TrimSpace(in.ChatNotes[convs[i].ID]))
			if err != nil {
				return err
			}
			res.Items = append(res.Items, *it)
			after = append(after, fn)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("handover: user %d: %w", user.ID, err)
	}
	for _, fn := range after {
		fn(ctx)
	}
	return &res, nil
}

// checkNamed refuses a note for a chat that is not one of the agent's open chats.
func checkNamed(notes map[uint64]string, convs []models.Conversation) error {
	open := make(map[uint64]bool, len(convs))
	for _, c := range convs {
		open[c.ID] = true
	}
	for id := range notes {
		if !open[id] {
			return &models.InvalidError{Field: "items", Reason: fmt.Sprintf("conversation %d is not an open chat of this agent", id)}
		}
	}
	return nil
}

// handOn routes one chat again and records it with its note, in the handover and in
// the chat's own events (so whoever takes it sees the point of attention).
func (s *Service) handOn(ctx context.Context, tx *store.DB, actor *models.User, h *models.Handover, conv *models.Conversation, note string) (*models.HandoverItem, func(context.Context), error) {
	from := *conv.AssigneeID
	after, err := s.router.Reroute(ctx, tx, conv, from)
	if err != nil {
		return nil, nil, err
	}
	it := &models.HandoverItem{HandoverID: h.ID, ConversationID: conv.ID, Note: note, ToUserID: conv.AssigneeID}
	if err := tx.InsertHandoverItem(ctx, it); err != nil {
		return nil, nil, err
	}
	_, err = tx.RecordConversationEvent(ctx, conv.ShopID, conv.ID, models.EventHandover, &actor.ID, map[string]any{
		"handover_id": view.ID(h.ID), "from": view.ID(from), "to": view.OptionalID(conv.AssigneeID), "note": note})
	return it, after, err
}

// List answers a shop's handovers newest first (before the id, 0: the newest), with the
// chats handed on at each.
func (s *Service) List(ctx context.Context, shopID, beforeID uint64, limit int) ([]store.HandoverRow, map[uint64][]store.HandoverItemRow, error) {
	rows, err := s.db.ListHandovers(ctx, shopID, beforeID, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("handover: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	items, err := s.db.HandoverItems(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("handover: %w", err)
	}
	by := map[uint64][]store.HandoverItemRow{}
	for _, it := range items {
		by[it.HandoverID] = append(by[it.HandoverID], it)
	}
	return rows, by, nil
}

// Get answers one handover of a shop with its chats.
func (s *Service) Get(ctx context.Context, shopID, id uint64) (*store.HandoverRow, []store.HandoverItemRow, error) {
	rows, items, err := s.List(ctx, shopID, id+1, 1)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) != 1 || rows[0].ID != id {
		return nil, nil, fmt.Errorf("handover %d: %w", id, store.ErrNotFound)
	}
	return &rows[0], items[id], nil
}
