package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// The hooks other areas (ratings, tickets, handover, categories) use to act on a chat.
// One rule for all of them, as for RestageByCarrier: a hook runs inside the caller's
// transaction and returns what is left to do once that transaction has committed
// (queue deliveries, show the changes live, route waiting chats) as a function, which
// the caller runs after the commit, once. A transaction that runs again discards the
// function of the failed attempt.

// ResolveWatcher reacts to a conversation being resolved, inside the transaction that
// resolves it (a rating invitation is stored with the resolve or not at all).
type ResolveWatcher interface {
	Resolved(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation) (afterCommit func(context.Context), err error)
}

// InboundWatcher reacts to a buyer's message inside the ingest transaction (a rating
// answer is recorded with the message).
type InboundWatcher interface {
	Inbound(ctx context.Context, tx *store.DB, conv *models.Conversation, msg *models.Message) error
}

// OnResolve adds a resolve watcher. Called while wiring, before the service serves:
// the watchers (satisfaction) need the inbox themselves, so they cannot be Deps.
func (s *Service) OnResolve(w ResolveWatcher) { s.resolveWatchers = append(s.resolveWatchers, w) }

// OnInbound adds an inbound-message watcher; called while wiring, like OnResolve.
func (s *Service) OnInbound(w InboundWatcher) { s.inboundWatchers = append(s.inboundWatchers, w) }

// notifyResolved lets the resolve watchers act; what they leave for after the commit
// joins the transaction's effects.
func (s *Service) notifyResolved(ctx context.Context, tx *store.DB, actor *models.User, conv *models.Conversation, fx *effects) error {
	for _, w := range s.resolveWatchers {
		fn, err := w.Resolved(ctx, tx, actor, conv)
		if err != nil {
			return fmt.Errorf("resolve watcher %T: %w", w, err)
		}
		if fn != nil {
			fx.after = append(fx.after, fn)
		}
	}
	return nil
}

func (s *Service) notifyInbound(ctx context.Context, tx *store.DB, conv *models.Conversation, msg *models.Message) error {
	for _, w := range s.inboundWatchers {
		if err := w.Inbound(ctx, tx, conv, msg); err != nil {
			return fmt.Errorf("inbound watcher %T: %w", w, err)
		}
	}
	return nil
}

// afterCommit turns a transaction's effects into the function a hook returns.
func (s *Service) afterCommit(shopID uint64, fx *effects) func(context.Context) {
	return func(ctx context.Context) { s.apply(ctx, shopID, fx) }
}

// QueueOutbound stores a message from a member of staff to the buyer as pending, inside
// the caller's transaction, on the same outbound path as a reply: the function it
// returns queues its delivery and shows it live (the outbound sweeper queues it if that
// never happens). Text with a phrase of the shop's forbidden list is refused, as a reply
// is, unless override is set; the override is recorded for the supervisor.
func (s *Service) QueueOutbound(ctx context.Context, tx *store.DB, conv *models.Conversation, sender *models.User, text string, override bool) (*models.Message, func(context.Context), error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil, &models.InvalidError{Field: "text", Reason: "is required"}
	}
	if utf8.RuneCountInString(text) > maxReplyLen {
		return nil, nil, &models.InvalidError{Field: "text", Reason: fmt.Sprintf("is longer than %d characters", maxReplyLen)}
	}
	list, err := s.phraseList(ctx, tx, conv.ShopID)
	if err != nil {
		return nil, nil, err
	}
	phrases := ForbiddenPhrases(text, list)
	if len(phrases) > 0 && !override {
		return nil, nil, &ForbiddenPhraseError{Phrases: phrases}
	}
	msg := &models.Message{
		ShopID: conv.ShopID, ChannelID: conv.ChannelID, ConversationID: conv.ID,
		Direction: models.DirectionOut, Type: "text", Text: text, Status: models.MessagePending,
		SenderID: &sender.ID, SenderName: senderName(sender), Override: len(phrases) > 0,
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return nil, nil, err
	}
	if err := s.index(ctx, tx, conv, "", text); err != nil {
		return nil, nil, err
	}
	err = tx.UpdateConversation(ctx, conv.ID, map[string]any{"last_message_at": s.now(), "last_message_preview": truncatePreview(text)})
	if err != nil {
		return nil, nil, err
	}
	fx := &effects{sends: []*models.Message{msg}}
	fx.touch(conv.ID)
	return msg, s.afterCommit(conv.ShopID, fx), nil
}

// Reroute routes a conversation again inside the caller's transaction, as a new chat is
// routed: to an online agent with its stage's skill and room (never to exclude, the
// agent handing it on; 0 for none), or to nobody (it waits in its stage queue). The
// thread records it as routing "after" handover. conv.AssigneeID is updated to who has
// it now.
func (s *Service) Reroute(ctx context.Context, tx *store.DB, conv *models.Conversation, exclude uint64) (func(context.Context), error) {
	fx := &effects{}
	fx.touch(conv.ID)
	if _, err := s.route(ctx, tx, conv, fx, routeOpts{exclude: exclude, after: "handover"}); err != nil {
		return nil, err
	}
	return s.afterCommit(conv.ShopID, fx), nil
}

// PublishConversation shows a conversation's current row live (after a change another
// area made to it outside any hook, e.g. its category).
func (s *Service) PublishConversation(ctx context.Context, shopID, id uint64) {
	s.publishConversation(ctx, shopID, id)
}
