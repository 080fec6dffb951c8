package inbox

import (
	"context"
	"fmt"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// OrderChange is what one order event changed, as seen inside its ingest transaction.
type OrderChange struct {
	Channel adapters.Channel
	// Prev is the order as stored before the event; nil for an order seen for the first time.
	Prev *models.Order
	// Order is the order as stored now (ChatBridge's note and flag kept).
	Order *models.Order
	// Refund is the event's refund or dispute case, if it carried one.
	Refund *adapters.Refund
	// ConversationID is the buyer's conversation on the channel; 0 until they write.
	ConversationID uint64
}

// OrderWatcher reacts to order changes: packer alerts, refund cases, parcel tracking.
// OrderChanged runs inside the ingest transaction, so what it stores commits with the
// order or not at all, and it may run again if the transaction is retried. The function
// it returns (nil when there is nothing to do) runs once after the commit, for live
// events and task queueing; whatever it does must be recoverable by a sweep if the
// process dies first.
type OrderWatcher interface {
	OrderChanged(ctx context.Context, tx *store.DB, c OrderChange) (afterCommit func(context.Context), err error)
}

func (s *Service) notifyWatchers(ctx context.Context, tx *store.DB, c OrderChange) ([]func(context.Context), error) {
	var after []func(context.Context)
	for _, w := range s.watchers {
		fn, err := w.OrderChanged(ctx, tx, c)
		if err != nil {
			return nil, fmt.Errorf("order watcher %T: %w", w, err)
		}
		if fn != nil {
			after = append(after, fn)
		}
	}
	return after, nil
}
