package worker

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/testenv"
)

// recordingTracker stands in for the logistics service.
type recordingTracker struct {
	mu      sync.Mutex
	sweeps  int
	checked []uint64
}

func (r *recordingTracker) Sweep(context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweeps++
	return 0, nil
}

func (r *recordingTracker) Check(_ context.Context, id uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked = append(r.checked, id)
	return nil
}

func (r *recordingTracker) seen() (int, []uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sweeps, append([]uint64(nil), r.checked...)
}

// Every worker asks for the sweep of each period and for the checks it finds; the task
// ids let one sweep per period and one check per parcel and due time through, on a real
// Redis, and the server hands them to the tracker.
func TestParcelTasksRunOncePerPeriod(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(testenv.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	aq := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { _ = aq.Close() })
	c := NewClient(aq, 3)
	slot := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	due := slot.Add(-time.Minute)
	for range 3 { // three workers in the same period
		if err := c.EnqueueSweep(ctx, TypeParcelSweep, slot, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := c.EnqueueParcelCheck(ctx, 42, due); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.EnqueueParcelCheck(ctx, 42, due.Add(time.Hour)); err != nil { // its next due time
		t.Fatal(err)
	}
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetQueueInfo(QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if info.Pending != 3 {
		t.Fatalf("%d tasks queued, want one sweep and two checks", info.Pending)
	}

	tracker := &recordingTracker{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, mux := NewServer(rdb, Handlers{Parcels: tracker}, nil, log, Options{Concurrency: 2, RetryBase: time.Second, ShutdownTimeout: time.Second})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	deadline := time.Now().Add(15 * time.Second)
	for {
		sweeps, checked := tracker.seen()
		if sweeps == 1 && len(checked) == 2 && checked[0] == 42 && checked[1] == 42 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker ran %d sweeps and checks %v, want 1 sweep and 2 checks of parcel 42", sweeps, checked)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The period's sweep is kept for the period: asking again queues nothing.
	if err := c.EnqueueSweep(ctx, TypeParcelSweep, slot, time.Minute); err != nil {
		t.Fatal(err)
	}
	if info, _ := asynq.NewInspectorFromRedisClient(rdb).GetQueueInfo(QueueDefault); info.Pending != 0 {
		t.Fatalf("a finished period's sweep was queued again (%d pending)", info.Pending)
	}
}
