package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// ResolveWatcher reacts to a conversation being resolved by a member of staff, inside
// the transaction that resolves it (a rating invitation is stored with the resolve or
// not at all). The function it returns, if any, runs once after the commit.
type ResolveWatcher interface {
	Resolved(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation) (afterCommit func(context.Context), err error)
}

// InboundWatcher reacts to a buyer's message inside the ingest transaction (a rating
// answer is recorded with the message). It may run again if the transaction is retried.
type InboundWatcher interface {
	Inbound(ctx context.Context, tx *store.DB, conv *models.Conversation, msg *models.Message) error
}

// OnResolve adds a resolve watcher. Called while wiring, before the service serves:
// the watchers (satisfaction) need the inbox themselves, so they cannot be Deps.
func (s *Service) OnResolve(w ResolveWatcher) { s.resolveWatchers = append(s.resolveWatchers, w) }

// OnInbound adds an inbound-message watcher; called while wiring, like OnResolve.
func (s *Service) OnInbound(w InboundWatcher) { s.inboundWatchers = append(s.inboundWatchers, w) }

func (s *Service) notifyResolved(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation) ([]func(context.Context), error) {
	var after []func(context.Context)
	for _, w := range s.resolveWatchers {
		fn, err := w.Resolved(ctx, tx, actor, conv)
		if err != nil {
			return nil, fmt.Errorf("resolve watcher %T: %w", w, err)
		}
		if fn != nil {
			after = append(after, fn)
		}
	}
	return after, nil
}

func (s *Service) notifyInbound(ctx context.Context, tx *store.DB, conv *models.Conversation, msg *models.Message) error {
	for _, w := range s.inboundWatchers {
		if err := w.Inbound(ctx, tx, conv, msg); err != nil {
			return fmt.Errorf("inbound watcher %T: %w", w, err)
		}
	}
	return nil
}

// QueueOutbound stores a message from a member of staff to the buyer as pending, inside
// the caller's transaction, on the same outbound path as a reply: after the commit,
// Dispatch queues its delivery (and the outbound sweeper re-queues it if that never
// happens). Text with forbidden phrases is refused unless override is set; the
// override is recorded for the supervisor.
func (s *Service) QueueOutbound(ctx context.Context, tx *store.DB, conv *models.Conversation, sender *models.User, text string, override bool) (*models.Message, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &models.InvalidError{Field: "text", Reason: "is required"}
	}
	if utf8.RuneCountInString(text) > maxReplyLen {
		return nil, &models.InvalidError{Field: "text", Reason: fmt.Sprintf("is longer than %d characters", maxReplyLen)}
	}
	phrases := ForbiddenPhrases(text, StandardForbiddenPhrases)
	if len(phrases) > 0 && !override {
		return nil, &ForbiddenPhraseError{Phrases: phrases}
	}
	name := sender.DisplayName
	if sender.AgentNo != "" {
		name = strings.TrimSpace(name + " " + sender.AgentNo)
	}
	msg := &models.Message{
		ShopID: conv.ShopID, ChannelID: conv.ChannelID, ConversationID: conv.ID,
		Direction: models.DirectionOut, Type: "text", Text: text, Status: models.MessagePending,
		SenderID: &sender.ID, SenderName: name, Override: len(phrases) > 0,
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	err := tx.UpdateConversation(ctx, conv.ID, map[string]any{"last_message_at": s.now(), "last_message_preview": truncateRunes(text, 255)})
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// Dispatch queues the delivery of a message QueueOutbound stored, once its transaction
// committed, and shows it live.
func (s *Service) Dispatch(ctx context.Context, msg *models.Message) {
	if err := s.outbox.EnqueueSend(ctx, msg.ID); err != nil {
		s.log.Error("queue message for delivery; the outbound sweeper retries", "message_id", msg.ID, "err", err)
	}
	s.publishMessage(ctx, realtime.MessageCreated, msg)
}

// PublishConversation shows a conversation's current row live (after a change another
// area made to it, e.g. its category).
func (s *Service) PublishConversation(ctx context.Context, shopID, id uint64) {
	s.publishConversation(ctx, shopID, id)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
