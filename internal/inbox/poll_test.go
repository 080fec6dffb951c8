package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/redislock"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// pullPlatform is a platform that holds a numbered backlog of buyer messages and
// serves it in pages of pageSize from a cursor (the message number to start at).
type pullPlatform struct {
	mu       sync.Mutex
	backlog  int
	pageSize int
	calls    []string // the cursor of each call
}

func (p *pullPlatform) Type() string                         { return "pulltest" }
func (p *pullPlatform) ValidateConfig(json.RawMessage) error { return nil }
func (p *pullPlatform) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, nil
}
func (p *pullPlatform) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, nil
}

func (p *pullPlatform) Poll(_ context.Context, _ adapters.Channel, cursor, _ string) (adapters.PollResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, cursor)
	from := 1
	if cursor != "" {
		from, _ = strconv.Atoi(cursor)
	}
	var res adapters.PollResult
	n := from
	for ; n < from+p.pageSize && n <= p.backlog; n++ {
		res.Events = append(res.Events, adapters.Event{Message: &adapters.InboundMessage{
			ExternalID: fmt.Sprintf("pulled-%d", n), Customer: adapters.Customer{ID: fmt.Sprintf("buyer-%d", n%3)},
			Type: "text", Text: fmt.Sprintf("message %d", n),
		}})
	}
	res.Cursor = strconv.Itoa(n)
	res.More = n <= p.backlog
	return res, nil
}

type staticChannels struct{ ch adapters.Channel }

func (s staticChannels) Load(_ context.Context, id uint64) (adapters.Channel, error) {
	if id != s.ch.ID {
		return adapters.Channel{}, store.ErrNotFound
	}
	return s.ch, nil
}

func newPollInbox(t *testing.T, p *pullPlatform) (*Service, *store.DB, adapters.Channel, redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	db := testenv.MySQL(t)
	opts := testenv.Redis(t)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	shop, err := db.CreateShop(ctx, "pull")
	if err != nil {
		t.Fatal(err)
	}
	m := &models.Channel{ShopID: shop.ID, Type: p.Type(), Name: "pull", ConfigEnc: []byte("-"), SecretEnc: []byte("-")}
	if err := db.CreateChannel(ctx, m); err != nil {
		t.Fatal(err)
	}
	ch := adapters.Channel{ID: m.ID, ShopID: shop.ID, Type: p.Type()}
	svc := NewService(Deps{
		DB: db, Pub: realtime.NewPublisher(rdb, realtime.ChannelName(opts.DB)), Outbox: benchOutbox{},
		Channels: staticChannels{ch}, Registry: adapters.NewRegistry(p), Locker: redislock.New(rdb),
		Log: slog.New(slog.DiscardHandler),
	})
	return svc, db, ch, rdb
}

func countMessages(t *testing.T, db *store.DB, channelID uint64) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Model(&models.Message{}).Where("channel_id = ?", channelID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A backlog is pulled page by page from the stored cursor; the next pull goes on where
// the last stopped; a backlog beyond one pull's pages is left for the next pull.
func TestPollPagesFromTheStoredCursor(t *testing.T) {
	ctx := context.Background()
	p := &pullPlatform{backlog: 25, pageSize: 10}
	svc, db, ch, _ := newPollInbox(t, p)

	if err := svc.Poll(ctx, ch.ID, "token-1"); err != nil {
		t.Fatal(err)
	}
	if got := countMessages(t, db, ch.ID); got != 25 {
		t.Fatalf("stored %d messages after the pull, want 25", got)
	}
	if cur, _ := db.ChannelCursor(ctx, ch.ID, pollCursor); cur != "26" {
		t.Fatalf("stored cursor %q, want 26", cur)
	}
	p.backlog = 30
	if err := svc.Poll(ctx, ch.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := countMessages(t, db, ch.ID); got != 30 {
		t.Fatalf("stored %d messages after the second pull, want 30", got)
	}
	if want := []string{"", "11", "21", "26"}; fmt.Sprint(p.calls) != fmt.Sprint(want) {
		t.Fatalf("pulled from cursors %q, want %q", p.calls, want)
	}

	// More than pollPages pages waiting: the pull stops and asks to be run again.
	p.backlog, p.pageSize = 30+pollPages+5, 1
	err := svc.Poll(ctx, ch.ID, "")
	var throttled *adapters.ThrottledError
	if !errors.As(err, &throttled) || !errors.Is(err, ErrPollMore) {
		t.Fatalf("a pull with more left answers %v, want a ThrottledError of ErrPollMore", err)
	}
	if err := svc.Poll(ctx, ch.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := countMessages(t, db, ch.ID); got != int64(p.backlog) {
		t.Fatalf("stored %d messages, want %d", got, p.backlog)
	}
}

// While another worker holds a channel's pull, a second pull is told to wait, and
// pulls again once the lease is given back.
func TestPollOneAtATimePerChannel(t *testing.T) {
	ctx := context.Background()
	p := &pullPlatform{backlog: 3, pageSize: 10}
	svc, db, ch, rdb := newPollInbox(t, p)
	unlock, ok, err := redislock.New(rdb).TryLock(ctx, "chatbridge:poll:"+strconv.FormatUint(ch.ID, 10), time.Minute)
	if err != nil || !ok {
		t.Fatalf("take the channel's lease: %v %v", ok, err)
	}
	err = svc.Poll(ctx, ch.ID, "b")
	var throttled *adapters.ThrottledError
	if !errors.As(err, &throttled) || !errors.Is(err, ErrPollBusy) || throttled.After <= 0 {
		t.Fatalf("a pull while another runs answers %v, want a ThrottledError of ErrPollBusy with a wait", err)
	}
	if len(p.calls) != 0 {
		t.Fatalf("the platform was called %d times while another pull ran", len(p.calls))
	}
	unlock()
	if err := svc.Poll(ctx, ch.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if got := countMessages(t, db, ch.ID); got != 3 {
		t.Fatalf("stored %d messages, want 3", got)
	}
}
