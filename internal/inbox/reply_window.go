package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
)

// ReplyWindow is how long, and how many more times, an agent may still answer a buyer
// on a platform that limits replies (WhatsApp 24 h; WeCom customer service 48 h and
// 5 replies). RepliesLeft is nil where the platform sets no count.
type ReplyWindow struct {
	ClosesAt    time.Time
	RepliesLeft *int
}

// ReplyWindowOf computes the window from the platform's traits, the buyer's last
// message and the replies since. Nil when the platform has no window, or the buyer
// never wrote (nothing opened one).
func ReplyWindowOf(tr adapters.Traits, lastInbound time.Time, repliesSince int) *ReplyWindow {
	if tr.ReplyWindow <= 0 || lastInbound.IsZero() {
		return nil
	}
	w := &ReplyWindow{ClosesAt: lastInbound.Add(tr.ReplyWindow).UTC()}
	if tr.MaxRepliesInWindow > 0 {
		left := max(tr.MaxRepliesInWindow-repliesSince, 0)
		w.RepliesLeft = &left
	}
	return w
}

// ReplyWindow gives the window of a conversation as its channel's platform sets it.
func (s *Service) ReplyWindow(ctx context.Context, conv *store.ConversationRow) (*ReplyWindow, error) {
	ch, err := s.db.Channel(ctx, conv.ChannelID)
	if err != nil {
		return nil, fmt.Errorf("inbox: reply window: %w", err)
	}
	adapter, _ := s.registry.Lookup(ch.Type)
	tp, ok := adapter.(adapters.TraitsProvider)
	if !ok || tp.Traits().ReplyWindow <= 0 {
		return nil, nil
	}
	facts, err := s.db.ReplyWindowFacts(ctx, conv.ID)
	if err != nil {
		return nil, err
	}
	return ReplyWindowOf(tp.Traits(), facts.LastInbound, facts.RepliesSince), nil
}
