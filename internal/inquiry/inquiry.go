// Package inquiry classifies buyers' inquiries (DOMAIN.md rule 5: classify first) and
// registers complaints: a chat classified as a complaint carries an answer deadline
// (48 h by default), and a buyer's complaint within the repeat window after an answered
// one is a repeat complaint. A complaint is answered when its chat is next resolved;
// that is read from the conversation's resolve events, never stored twice.
package inquiry

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Settings gives a shop's settings.
type Settings interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// ConversationPublisher shows a conversation's new state live.
type ConversationPublisher interface {
	PublishConversation(ctx context.Context, shopID, id uint64)
}

// Service classifies inquiries and keeps complaints.
type Service struct {
	db       *store.DB
	settings Settings
	pub      ConversationPublisher
	now      func() time.Time
}

// NewService wires the service; now is the clock (time.Now in production).
func NewService(db *store.DB, settings Settings, pub ConversationPublisher, now func() time.Time) *Service {
	return &Service{db: db, settings: settings, pub: pub, now: now}
}

// SetCategory classifies a conversation. Classifying it as a complaint registers a
// complaint unless one is still open on it; classifying a complaint as something else
// withdraws its open complaint (it was misclassified).
func (s *Service) SetCategory(ctx context.Context, actor *models.User, conv *store.ConversationRow, category models.Category) error {
	if !category.Valid() {
		return &models.InvalidError{Field: "category", Reason: "must be consultation, order, logistics, return_refund or complaint"}
	}
	set, err := s.settings.Get(ctx, conv.ShopID)
	if err != nil {
		return fmt.Errorf("inquiry: settings: %w", err)
	}
	changed := false
	err = s.db.Tx(ctx, func(tx *store.DB) error {
		now := s.now().UTC()
		locked, err := tx.LockConversation(ctx, conv.ChannelID, conv.CustomerID)
		if err != nil {
			return err
		}
		from := locked.Category
		open, err := openComplaints(ctx, tx, locked.ID)
		if err != nil {
			return err
		}
		changed = from != category
		if changed {
			if err := tx.UpdateConversation(ctx, locked.ID, map[string]any{"category": category}); err != nil {
				return err
			}
			_, err := tx.RecordConversationEvent(ctx, locked.ShopID, locked.ID, models.EventCategoryChanged, &actor.ID,
				map[string]any{"from": string(from), "to": string(category)})
			if err != nil {
				return err
			}
		}
		switch {
		case category == models.CategoryComplaint && len(open) == 0:
			changed = true
			return s.open(ctx, tx, actor, locked, set.Service, now)
		case category != models.CategoryComplaint:
			for _, c := range open {
				if err := withdraw(ctx, tx, actor, locked, c.ID, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("inquiry: classify conversation %d: %w", conv.ID, err)
	}
	if changed {
		s.pub.PublishConversation(ctx, conv.ShopID, conv.ID)
	}
	return nil
}

// openComplaints are the conversation's complaints neither answered nor withdrawn.
func openComplaints(ctx context.Context, tx *store.DB, conversationID uint64) ([]store.ComplaintRow, error) {
	all, err := tx.ComplaintsOfConversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	var open []store.ComplaintRow
	for _, c := range all {
		if c.WithdrawnAt == nil && c.AnsweredAt == nil {
			open = append(open, c)
		}
	}
	return open, nil
}

// open registers a complaint, due within the shop's deadline; it repeats the buyer's
// latest complaint answered within the repeat window before now, if there is one.
func (s *Service) open(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation, rules models.ServiceSettings, now time.Time) error {
	window := rules.RepeatComplaintWindow()
	// An earlier complaint answered within the window may have been opened long before
	// its answer: those opened up to a year before the window are read, which bounds it.
	earlier, err := tx.ComplaintsOfCustomer(ctx, conv.CustomerID, now.Add(-window-365*24*time.Hour), now.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	c := &models.Complaint{ShopID: conv.ShopID, ConversationID: conv.ID, CustomerID: conv.CustomerID,
		OpenedBy: &actor.ID, OpenedAt: now, DeadlineAt: now.Add(rules.ComplaintDeadline())}
	switch {
	case conv.AssigneeID != nil:
		c.AgentID = conv.AssigneeID
	case actor.Role == models.RoleAgent:
		c.AgentID = &actor.ID
	}
	var latest *time.Time
	for _, e := range earlier {
		if e.AnsweredAt == nil || e.AnsweredAt.After(now) || e.AnsweredAt.Before(now.Add(-window)) {
			continue
		}
		if latest == nil || !e.AnsweredAt.Before(*latest) {
			id := e.ID
			c.RepeatOf, latest = &id, e.AnsweredAt
		}
	}
	if err := tx.InsertComplaint(ctx, c); err != nil {
		return err
	}
	data := map[string]any{"complaint_id": view.ID(c.ID), "deadline_at": view.Time(c.DeadlineAt), "repeat_of": view.OptionalID(c.RepeatOf)}
	_, err = tx.RecordConversationEvent(ctx, conv.ShopID, conv.ID, models.EventComplaintOpened, &actor.ID, data)
	return err
}

func withdraw(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation, id uint64, now time.Time) error {
	if err := tx.WithdrawComplaint(ctx, id, now); err != nil {
		return err
	}
	_, err := tx.RecordConversationEvent(ctx, conv.ShopID, conv.ID, models.EventComplaintWithdraw, &actor.ID,
		map[string]any{"complaint_id": view.ID(id)})
	return err
}

// Complaints lists a conversation's complaints, oldest first.
func (s *Service) Complaints(ctx context.Context, conversationID uint64) ([]store.ComplaintRow, error) {
	rows, err := s.db.ComplaintsOfConversation(ctx, conversationID)
	if err != nil {
		return nil, fmt.Errorf("inquiry: %w", err)
	}
	return rows, nil
}

// Now is the service's clock, for views that tell open from overdue.
func (s *Service) Now() time.Time { return s.now().UTC() }
