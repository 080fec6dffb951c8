package inbox

import (
	"context"

	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// effects collects what a transaction leaves to do once it has committed: the events it
// recorded (pushed live to the thread), the messages it stored for sending (the
// greeting), the conversations it changed, and what other areas' hooks left to do. A
// transaction may run again after a deadlock, so each attempt starts a fresh collection.
type effects struct {
	events        []*models.ConversationEvent
	sends         []*models.Message
	conversations []uint64
	// freed is set when a change may have made room under an agent's limit.
	freed bool
	// after is what hooks of other areas left for after the commit (service_hooks.go).
	after []func(context.Context)
}

// record stores an event inside the transaction and keeps it for the live push.
func (fx *effects) record(ctx context.Context, tx *store.DB, conv *models.Conversation, kind string, actor *models.User, data map[string]any) error {
	e, err := newEvent(conv, kind, actor, data)
	if err != nil {
		return err
	}
	if err := tx.InsertConversationEvent(ctx, e); err != nil {
		return err
	}
	fx.events = append(fx.events, e)
	fx.touch(conv.ID)
	return nil
}

func (fx *effects) touch(conversationID uint64) {
	for _, id := range fx.conversations {
		if id == conversationID {
			return
		}
	}
	fx.conversations = append(fx.conversations, conversationID)
}

// apply runs the effects of a committed transaction: messages are queued for delivery
// (a failure here is recovered by the outbound sweeper), then everything is published.
func (s *Service) apply(ctx context.Context, shopID uint64, fx *effects) {
	if fx == nil {
		return
	}
	for _, m := range fx.sends {
		if err := s.outbox.EnqueueSend(ctx, m.ID); err != nil {
			s.log.Error("queue message for delivery", "message_id", m.ID, "err", err)
		}
		s.publishMessage(ctx, realtime.MessageCreated, m)
	}
	for _, fn := range fx.after {
		fn(ctx)
	}
	for _, id := range fx.conversations {
		s.publishConversation(ctx, shopID, id)
	}
	for _, e := range fx.events {
		s.publish(ctx, shopID, realtime.ConversationEvent, e.CreatedAt, view.NewConversationEvent(e))
	}
	if fx.freed {
		if err := s.AssignWaiting(ctx, shopID); err != nil {
			s.log.Warn("route waiting conversations", "shop_id", shopID, "err", err)
		}
	}
}
