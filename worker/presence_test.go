package worker

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/testenv"
)

type countingSweeper struct{ n atomic.Int32 }

func (c *countingSweeper) Sweep(context.Context, time.Time) (int, error) {
	c.n.Add(1)
	return 0, nil
}

// Every worker process asks for the sweep of each period; the period's task id lets
// one through, and the handler runs the domain's sweep.
func TestPresenceSweepRunsOncePerPeriod(t *testing.T) {
	rdb := redis.NewClient(testenv.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { _ = ac.Close() })
	c := NewClient(ac, 1)
	log := slog.New(slog.DiscardHandler)
	sweeper := &countingSweeper{}
	srv, mux := NewServer(rdb, Handlers{Presence: sweeper}, nil, log, Options{Concurrency: 2, RetryBase: time.Second, ShutdownTimeout: time.Second})
	ctx := context.Background()
	slot := time.Now().Truncate(time.Minute)
	for range 3 { // three processes, one period
		if err := c.EnqueueSweep(ctx, TypePresenceSweep, slot, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	deadline := time.Now().Add(10 * time.Second)
	for sweeper.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.EnqueueSweep(ctx, TypePresenceSweep, slot, time.Minute); err != nil {
		t.Fatal(err) // the period's sweep ran: asking again is still not an error
	}
	if err := c.EnqueueSweep(ctx, TypePresenceSweep, slot.Add(time.Minute), time.Minute); err != nil {
		t.Fatal(err)
	}
	for sweeper.n.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := sweeper.n.Load(); got != 2 {
		t.Fatalf("two periods asked for by three processes ran %d sweeps, want 2", got)
	}
}
