// Package satisfaction asks buyers to rate the service when a chat is resolved (DOMAIN.md
// rule 9) and records their answer: the buyer's next message, if it is a 1–5 and comes
// within 24 hours of the invitation, is the rating, counted for the agent who resolved
// the chat. The invitation goes out on the reply path, from that agent.
package satisfaction

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// AnswerWindow is how long after the invitation a buyer's answer counts.
const AnswerWindow = 24 * time.Hour

// Settings gives a shop's settings.
type Settings interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// Outbound is the inbox's path for a message from staff to the buyer.
type Outbound interface {
	// QueueOutbound stores the message in the transaction; the function it returns
	// queues its delivery after the commit.
	QueueOutbound(ctx context.Context, tx *store.DB, conv *models.Conversation, sender *models.User, text string, override bool) (*models.Message, func(context.Context), error)
}

// Service invites ratings and records the answers.
type Service struct {
	settings Settings
	outbound Outbound
	log      *slog.Logger
	now      func() time.Time
}

// NewService wires the service; now is the clock (time.Now in production). Register it
// with the inbox (OnResolve, OnInbound).
func NewService(settings Settings, outbound Outbound, log *slog.Logger, now func() time.Time) *Service {
	return &Service{settings: settings, outbound: outbound, log: log, now: now}
}

// Resolved sends the rating invitation when the shop has it on: the invitation is stored
// with the resolve, and delivered after the commit.
func (s *Service) Resolved(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation) (func(context.Context), error) {
	if actor == nil {
		return nil, nil
	}
	rules, err := s.settings.Get(ctx, conv.ShopID)
	if err != nil {
		return nil, fmt.Errorf("satisfaction: settings of shop %d: %w", conv.ShopID, err)
	}
	if !rules.Service.RatingInvitation {
		return nil, nil
	}
	if err := s.closeWaiting(ctx, tx, conv.ID, models.RatingUnanswered); err != nil {
		return nil, err
	}
	msg, send, err := s.outbound.QueueOutbound(ctx, tx, conv, actor, rules.Service.RatingInvitationText, false)
	var phrases *inbox.ForbiddenPhraseError
	if errors.As(err, &phrases) {
		// The shop's own text: a resolve is not refused for it, the invitation is skipped.
		s.log.Warn("rating invitation not sent: the shop's text has forbidden phrases", "shop_id", conv.ShopID, "phrases", phrases.Phrases)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	r := &models.Rating{ShopID: conv.ShopID, ConversationID: conv.ID, AgentID: &actor.ID, InviteMessageID: &msg.ID,
		InvitedAt: now, ExpiresAt: now.Add(AnswerWindow), Status: models.RatingInvited}
	if err := tx.InsertRating(ctx, r); err != nil {
		return nil, err
	}
	_, err = tx.RecordConversationEvent(ctx, conv.ShopID, conv.ID, models.EventRatingInvited, &actor.ID,
		map[string]any{"rating_id": view.ID(r.ID), "message_id": view.ID(msg.ID), "agent_id": view.ID(actor.ID)})
	if err != nil {
		return nil, err
	}
	return send, nil
}

// closeWaiting ends any invitation of the conversation still waiting.
func (s *Service) closeWaiting(ctx context.Context, tx *store.DB, conversationID uint64, status models.RatingStatus) error {
	waiting, err := tx.LockInvitedRatings(ctx, conversationID)
	if err != nil {
		return err
	}
	for _, r := range waiting {
		if err := tx.UpdateRating(ctx, r.ID, map[string]any{"status": status}); err != nil {
			return err
		}
	}
	return nil
}

// Inbound takes the buyer's first message after an invitation as the answer: a rating
// within the window is recorded (with a "rated" event the agent sees in the thread);
// any other message, or one after the window, closes the invitation unanswered. The
// message itself goes on as usual (it reopens the chat).
func (s *Service) Inbound(ctx context.Context, tx *store.DB, conv *models.Conversation, msg *models.Message) error {
	waiting, err := tx.LockInvitedRatings(ctx, conv.ID)
	if err != nil || len(waiting) == 0 {
		return err
	}
	r := waiting[0]
	for _, older := range waiting[1:] {
		if err := tx.UpdateRating(ctx, older.ID, map[string]any{"status": models.RatingUnanswered}); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	score, ok := ParseScore(msg.Text)
	switch {
	case now.After(r.ExpiresAt):
		return tx.UpdateRating(ctx, r.ID, map[string]any{"status": models.RatingExpired, "answer_message_id": msg.ID})
	case msg.Type != "text" || !ok:
		return tx.UpdateRating(ctx, r.ID, map[string]any{"status": models.RatingUnanswered, "answer_message_id": msg.ID})
	}
	err = tx.UpdateRating(ctx, r.ID, map[string]any{"status": models.RatingRated, "score": score, "rated_at": now, "answer_message_id": msg.ID})
	if err != nil {
		return err
	}
	_, err = tx.RecordConversationEvent(ctx, conv.ShopID, conv.ID, models.EventRated, nil, map[string]any{
		"rating_id": view.ID(r.ID), "score": score, "agent_id": view.OptionalID(r.AgentID), "message_id": view.ID(msg.ID)})
	return err
}
