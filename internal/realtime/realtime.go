// Package realtime carries live events to the agents' browsers. Every process publishes
// to one Redis pub/sub channel; every API process runs one subscriber that feeds an
// in-process Hub, which hands each event to the WebSocket connections of its shop.
// Pub/sub keeps nothing for absent listeners, so a client that reconnects asks the
// store for what changed since its last cursor.
package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event types sent to clients.
const (
	MessageCreated      = "message.created"
	MessageUpdated      = "message.updated"
	ConversationUpdated = "conversation.updated"
	AlertCreated        = "alert.created"
	// AlertUpdated tells that an alert was acknowledged or escalated.
	AlertUpdated = "alert.updated"
	// ConversationEvent carries a thread's system event or private note as it is recorded.
	ConversationEvent = "conversation.event"
)

// Event is one change, addressed to one shop.
type Event struct {
	ShopID uint64          `json:"shop_id,string"`
	Type   string          `json:"type"`
	Data   json.RawMessage `json:"data"`
	// Cursor is the time of the change; a client passes its latest back as ?since= when it
	// reconnects.
	Cursor string `json:"cursor"`
	// Audience, when set, narrows the event to some of the shop's staff (a packer alert,
	// a reminder for one agent). Supervisors and admins receive every event of the shop.
	Audience *Audience `json:"audience,omitempty"`
}

// Audience names who an event is for: users with one of Roles, and the users UserIDs.
type Audience struct {
	Roles   []string `json:"roles,omitempty"`
	UserIDs []uint64 `json:"user_ids,omitempty"`
}

// Viewer is who a subscription belongs to.
type Viewer struct {
	UserID uint64
	Role   string
}

// reaches reports whether an event addressed to a is for v.
func (a *Audience) reaches(v Viewer) bool {
	if a == nil || v.Role == "supervisor" || v.Role == "admin" {
		return true
	}
	return slices.Contains(a.Roles, v.Role) || slices.Contains(a.UserIDs, v.UserID)
}

// NewEvent builds an event from any JSON-encodable value.
func NewEvent(shopID uint64, typ string, at time.Time, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("realtime: encode %s: %w", typ, err)
	}
	return Event{ShopID: shopID, Type: typ, Data: raw, Cursor: FormatCursor(at)}, nil
}

// FormatCursor renders a change time as a cursor.
func FormatCursor(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseCursor reads a cursor made by FormatCursor.
func ParseCursor(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// Publisher sends events to every process through Redis.
type Publisher struct {
	redis   redis.UniversalClient
	channel string
}

// ChannelName is the pub/sub channel of one installation; Redis pub/sub ignores the
// database number, so the number is part of the name.
func ChannelName(redisDB int) string { return fmt.Sprintf("chatbridge:%d:events", redisDB) }

// NewPublisher returns a publisher on the given pub/sub channel.
func NewPublisher(rdb redis.UniversalClient, channel string) *Publisher {
	return &Publisher{redis: rdb, channel: channel}
}

// Publish sends one event.
func (p *Publisher) Publish(ctx context.Context, ev Event) error {
	raw, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("realtime: encode event: %w", err)
	}
	if err := p.redis.Publish(ctx, p.channel, raw).Err(); err != nil {
		return fmt.Errorf("realtime: publish %s: %w", ev.Type, err)
	}
	return nil
}

// Subscription is one client's feed of its shop's events.
type Subscription struct {
	shopID uint64
	viewer Viewer
	events chan Event
	done   chan struct{}
	once   sync.Once
}

// Events delivers the events; it is closed when the hub drops a subscriber that fell
// too far behind (the client then reconnects and catches up).
func (s *Subscription) Events() <-chan Event { return s.events }

// Dropped is closed when the hub gave up on a slow subscriber.
func (s *Subscription) Dropped() <-chan struct{} { return s.done }

// Hub fans events out to the subscriptions of this process.
type Hub struct {
	mu     sync.RWMutex
	byShop map[uint64]map[*Subscription]struct{}
	buffer int
	log    *slog.Logger
}

// NewHub returns a hub whose subscriptions buffer up to buffer events.
func NewHub(buffer int, log *slog.Logger) *Hub {
	return &Hub{byShop: make(map[uint64]map[*Subscription]struct{}), buffer: buffer, log: log}
}

// Subscribe registers a client of a shop: the viewer decides which addressed events
// (Event.Audience) reach it.
func (h *Hub) Subscribe(shopID uint64, viewer Viewer) *Subscription {
	s := &Subscription{shopID: shopID, viewer: viewer, events: make(chan Event, h.buffer), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byShop[shopID] == nil {
		h.byShop[shopID] = make(map[*Subscription]struct{})
	}
	h.byShop[shopID][s] = struct{}{}
	return s
}

// Unsubscribe removes a client.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subs := h.byShop[s.shopID]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.byShop, s.shopID)
		}
	}
	s.once.Do(func() { close(s.done) })
}

// Broadcast hands an event to every subscription of its shop without blocking: a
// subscription whose buffer is full is dropped.
func (h *Hub) Broadcast(ev Event) {
	var slow []*Subscription
	h.mu.RLock()
	for s := range h.byShop[ev.ShopID] {
		if !ev.Audience.reaches(s.viewer) {
			continue
		}
		select {
		case s.events <- ev:
		default:
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range slow {
		h.log.Warn("dropping slow websocket subscriber", "shop_id", ev.ShopID)
		h.Unsubscribe(s)
	}
}

// Subscribers counts the live subscriptions, for metrics.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, subs := range h.byShop {
		n += len(subs)
	}
	return n
}

// Relay feeds the hub from Redis until ctx ends. ready, when not nil, is closed once
// the subscription is in place.
func Relay(ctx context.Context, rdb redis.UniversalClient, channel string, hub *Hub, ready chan<- struct{}) error {
	sub := rdb.Subscribe(ctx, channel)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		return fmt.Errorf("realtime: subscribe %s: %w", channel, err)
	}
	if ready != nil {
		close(ready)
	}
	msgs := sub.Channel(redis.WithChannelSize(1024))
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			var ev Event
			if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil {
				hub.log.Error("realtime: bad event on pub/sub", "err", err)
				continue
			}
			hub.Broadcast(ev)
		}
	}
}
