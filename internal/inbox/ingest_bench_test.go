package inbox_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// noOutbox satisfies the inbox's own Outbox interface; ingest never queues.
type noOutbox struct{}

func (noOutbox) EnqueueSend(context.Context, uint64) error { return nil }

func newBenchInbox(b *testing.B, db *store.DB) (*inbox.Service, adapters.Channel) {
	b.Helper()
	ctx := context.Background()
	rdb := redis.NewClient(testenv.Redis(b))
	b.Cleanup(func() { _ = rdb.Close() })
	shop, err := db.CreateShop(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "bench", ConfigEnc: []byte{1}, SecretEnc: []byte{1}}
	if err := db.CreateChannel(ctx, ch); err != nil {
		b.Fatal(err)
	}
	svc := inbox.NewService(inbox.Deps{DB: db, Pub: realtime.NewPublisher(rdb, "chatbridge:bench:events"),
		Outbox: noOutbox{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return svc, adapters.Channel{ID: ch.ID, ShopID: shop.ID, Type: "generic"}
}

func message(i int64) adapters.Event {
	return adapters.Event{Message: &adapters.InboundMessage{
		ExternalID: fmt.Sprintf("bench-%d", i),
		Customer:   adapters.Customer{ID: fmt.Sprintf("buyer-%d", i%1000), Name: "买家"},
		Type:       "text", Text: "这款保温杯有粉色的吗?",
	}}
}

// BenchmarkIngestMessage stores new buyer messages end to end (customer, conversation,
// message in one transaction, then the live events), 1,000 buyers, on both engines.
func BenchmarkIngestMessage(b *testing.B) {
	b.Run("mysql-parallel", func(b *testing.B) {
		svc, ch := newBenchInbox(b, testenv.MySQL(b))
		var n atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := svc.Ingest(context.Background(), ch, message(n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("sqlite", func(b *testing.B) {
		svc, ch := newBenchInbox(b, testenv.SQLite(b))
		b.ResetTimer()
		for i := range b.N {
			if err := svc.Ingest(context.Background(), ch, message(int64(i))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkIngestDuplicate is a platform's redelivery: answered from the unique key.
func BenchmarkIngestDuplicate(b *testing.B) {
	svc, ch := newBenchInbox(b, testenv.MySQL(b))
	ctx := context.Background()
	if err := svc.Ingest(ctx, ch, message(1)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := svc.Ingest(ctx, ch, message(1)); err != inbox.ErrDuplicate {
			b.Fatalf("got %v, want ErrDuplicate", err)
		}
	}
}
