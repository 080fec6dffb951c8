// Package inbox is the heart of ChatBridge: it ingests what the platforms send (one
// transaction per message, de-duplicated by the store's unique keys), keeps each
// conversation's stage in step with the buyer's orders, routes chats to agents, and
// takes agents' replies to the outbound queue.
package inbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// Publisher sends live events to the agents' browsers.
type Publisher interface {
	Publish(ctx context.Context, ev realtime.Event) error
}

// Outbox queues an outbound message for delivery.
type Outbox interface {
	EnqueueSend(ctx context.Context, messageID uint64) error
}

// ChannelLoader gives the decrypted channel an adapter needs.
type ChannelLoader interface {
	Load(ctx context.Context, id uint64) (adapters.Channel, error)
}

// Metrics counts what flows through the inbox.
type Metrics interface {
	MessageIn(channelType string, duplicate bool)
	MessageOut(channelType string, status models.MessageStatus)
	// SendAttempt times one adapter send call; Delivery counts an attempt's outcome
	// (metrics.DeliverySent, DeliveryRetry, DeliveryFailed), with the time since the
	// reply was stored.
	SendAttempt(channelType string, err error, took time.Duration)
	Delivery(channelType, outcome string, sinceStored time.Duration)
}

// Service runs the inbox.
type Service struct {
	db       *store.DB
	pub      Publisher
	outbox   Outbox
	channels ChannelLoader
	registry *adapters.Registry
	metrics  Metrics
	watchers []OrderWatcher
	locker   Locker
	log      *slog.Logger
	now      func() time.Time

	media      MediaFiles
	mediaQueue MediaQueue
	health     ChannelHealth

	// Watchers of the service area (service_hooks.go), added while wiring.
	resolveWatchers []ResolveWatcher
	inboundWatchers []InboundWatcher
}

// Deps are the collaborators of the inbox.
type Deps struct {
	DB       *store.DB
	Pub      Publisher
	Outbox   Outbox
	Channels ChannelLoader
	Registry *adapters.Registry
	Metrics  Metrics
	// Watchers react to order changes inside the ingest transaction, in this order.
	Watchers []OrderWatcher
	// Locker keeps a channel's pulls one at a time across processes.
	Locker Locker
	Log    *slog.Logger
	// Media gives the files of image replies; MediaQueue fetches buyers' files. Both
	// may be nil where no message carries a file.
	Media      MediaFiles
	MediaQueue MediaQueue
	// Health records each channel's last delivery in; nil records nothing.
	Health ChannelHealth
}

// NewService wires the inbox.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, pub: d.Pub, outbox: d.Outbox, channels: d.Channels, registry: d.Registry,
		metrics: d.Metrics, watchers: d.Watchers, locker: d.Locker, log: d.Log, now: func() time.Time { return time.Now().UTC() },
		media: d.Media, mediaQueue: d.MediaQueue, health: d.Health}
}

// ErrDuplicate reports a message the channel has delivered before: it is stored once.
var ErrDuplicate = errors.New("duplicate delivery")

// publishConversation sends the conversation's current row; failures only delay the
// live view (clients catch up from the store), so they are logged, not returned.
func (s *Service) publishConversation(ctx context.Context, shopID, id uint64) {
	row, err := s.db.ConversationRow(ctx, shopID, id)
	if err != nil {
		s.log.Error("load conversation for event", "conversation_id", id, "err", err)
		return
	}
	s.publish(ctx, shopID, realtime.ConversationUpdated, row.UpdatedAt, view.NewConversation(row))
}

func (s *Service) publishMessage(ctx context.Context, typ string, m *models.Message) {
	s.publish(ctx, m.ShopID, typ, m.UpdatedAt, view.NewMessage(m))
}

func (s *Service) publish(ctx context.Context, shopID uint64, typ string, at time.Time, data any) {
	ev, err := realtime.NewEvent(shopID, typ, at, data)
	if err == nil {
		err = s.pub.Publish(ctx, ev)
	}
	if err != nil {
		s.log.Warn("live event not published; clients catch up on reconnect", "type", typ, "err", err)
	}
}
