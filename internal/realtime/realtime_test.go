package realtime

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/testenv"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestHubDeliversToItsShopOnlyAndDropsSlowSubscribers(t *testing.T) {
	hub := NewHub(2, quietLog())
	a, b := hub.Subscribe(1, Viewer{}), hub.Subscribe(2, Viewer{})
	ev, err := NewEvent(1, MessageCreated, time.Now(), map[string]string{"id": "7"})
	if err != nil {
		t.Fatal(err)
	}
	hub.Broadcast(ev)
	if got := <-a.Events(); string(got.Data) != `{"id":"7"}` || got.Cursor == "" {
		t.Fatalf("shop 1 got %+v", got)
	}
	select {
	case got := <-b.Events():
		t.Fatalf("shop 2 got shop 1's event %+v", got)
	default:
	}
	for range 3 { // one more than the buffer holds
		hub.Broadcast(ev)
	}
	select {
	case <-a.Dropped():
	default:
		t.Fatal("a subscriber that fell behind was not dropped")
	}
	if n := hub.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers left, want 1", n)
	}
	// Handed: the first event, then two that filled the buffer; the third dropped a.
	if hub.Handed() != 3 || hub.Dropped() != 1 {
		t.Fatalf("handed %d, dropped %d; want 3 and 1", hub.Handed(), hub.Dropped())
	}
	hub.Unsubscribe(b)
	hub.Unsubscribe(b) // twice is harmless
}

func TestRelayCarriesPublishedEventsToTheHub(t *testing.T) {
	rdb := redis.NewClient(testenv.Redis(t))
	defer rdb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := NewHub(8, quietLog())
	sub := hub.Subscribe(42, Viewer{})
	channel := ChannelName(rdb.Options().DB)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- Relay(ctx, rdb, channel, hub, ready) }()
	<-ready
	ev, _ := NewEvent(42, ConversationUpdated, time.Now(), map[string]string{"id": "1"})
	if err := NewPublisher(rdb, channel).Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sub.Events():
		if got.Type != ConversationUpdated || got.ShopID != 42 {
			t.Fatalf("got %+v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("published event did not reach the hub")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("relay stopped with %v", err)
	}
}

// An addressed event reaches its roles and users, and every supervisor and admin of the
// shop; the shop's other staff never see it.
func TestAddressedEventsReachTheirAudienceOnly(t *testing.T) {
	hub := NewHub(4, quietLog())
	packer := hub.Subscribe(1, Viewer{UserID: 10, Role: "packer"})
	agent := hub.Subscribe(1, Viewer{UserID: 11, Role: "agent"})
	otherAgent := hub.Subscribe(1, Viewer{UserID: 12, Role: "agent"})
	supervisor := hub.Subscribe(1, Viewer{UserID: 13, Role: "supervisor"})
	ev, _ := NewEvent(1, AlertCreated, time.Now(), map[string]string{"id": "1"})
	ev.Audience = &Audience{Roles: []string{"packer"}, UserIDs: []uint64{11}}
	hub.Broadcast(ev)
	for name, sub := range map[string]*Subscription{"packer": packer, "addressed agent": agent, "supervisor": supervisor} {
		select {
		case <-sub.Events():
		default:
			t.Errorf("the %s did not get the event", name)
		}
	}
	select {
	case got := <-otherAgent.Events():
		t.Errorf("an agent outside the audience got %+v", got)
	default:
	}
}
