package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// benchBuyers is how many buyers the benchmarked messages come from.
const benchBuyers = 1000

// benchOutbox takes nothing: ingest never queues outbound messages.
type benchOutbox struct{}

func (benchOutbox) EnqueueSend(context.Context, uint64) error { return nil }

// benchInbox is a Service on a real store and a real Redis, with one generic channel.
type benchInbox struct {
	svc *Service
	ch  adapters.Channel
	seq atomic.Int64 // the next message number: ids stay distinct across runs
}

func newBenchInbox(b *testing.B, db *store.DB) *benchInbox {
	b.Helper()
	ctx := context.Background()
	opts := testenv.Redis(b)
	rdb := redis.NewClient(opts)
	b.Cleanup(func() { _ = rdb.Close() })
	shop, err := db.CreateShop(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "bench", ConfigEnc: []byte("-"), SecretEnc: []byte("-")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		b.Fatal(err)
	}
	svc := NewService(Deps{
		DB: db, Pub: realtime.NewPublisher(rdb, realtime.ChannelName(opts.DB)), Outbox: benchOutbox{},
		Log: slog.New(slog.DiscardHandler),
	})
	return &benchInbox{svc: svc, ch: adapters.Channel{ID: ch.ID, ShopID: shop.ID, Type: "generic"}}
}

func benchMessage(n int64) adapters.Event {
	buyer := n % benchBuyers
	return adapters.Event{Message: &adapters.InboundMessage{
		ExternalID: fmt.Sprintf("bench-%d", n),
		Customer:   adapters.Customer{ID: fmt.Sprintf("buyer-%d", buyer), Name: fmt.Sprintf("Buyer %d", buyer)},
		Type:       "text", Text: "Is this still in stock?", SentAt: time.Now().UTC(),
	}}
}

// ingestNext stores the next new message.
func (e *benchInbox) ingestNext(ctx context.Context) error {
	return e.svc.Ingest(ctx, e.ch, benchMessage(e.seq.Add(1)))
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkIngestMessage stores new messages (distinct ids from 1,000 buyers): one
// transaction each, then the live events published to Redis.
func BenchmarkIngestMessage(b *testing.B) {
	mysqlInbox := newBenchInbox(b, testenv.MySQL(b))
	sqliteInbox := newBenchInbox(b, testenv.SQLite(b))
	b.Run("mysql", func(b *testing.B) {
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if err := mysqlInbox.ingestNext(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b)
	})
	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			if err := sqliteInbox.ingestNext(ctx); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
}

// BenchmarkIngestDuplicate redelivers a message already stored: the unique key turns
// it away and nothing changes.
func BenchmarkIngestDuplicate(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"mysql", testenv.MySQL}, {"sqlite", testenv.SQLite}}
	for _, eng := range engines {
		e := newBenchInbox(b, eng.open(b))
		b.Run(eng.name, func(b *testing.B) {
			ctx := context.Background()
			ev := benchMessage(0)
			if err := e.svc.Ingest(ctx, e.ch, ev); err != nil && !errors.Is(err, ErrDuplicate) {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := e.svc.Ingest(ctx, e.ch, ev); !errors.Is(err, ErrDuplicate) {
					b.Fatalf("redelivery answered %v, want ErrDuplicate", err)
				}
			}
			reportRate(b)
		})
	}
}
