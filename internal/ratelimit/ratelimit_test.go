package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/ratelimit"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

// Two processes (two limiters on one Redis) share one budget: of 50 concurrent calls
// against 20 a minute, exactly 20 pass and the rest are told to wait, not dropped.
func TestBudgetIsSharedAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	opts := testenv.Redis(t)
	a, b := redis.NewClient(opts), redis.NewClient(opts)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	limiters := []*ratelimit.Limiter{ratelimit.New(a), ratelimit.New(b)}

	var allowed, waited atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait, err := limiters[i%2].Allow(ctx, "robot:1", 20, time.Minute)
			switch {
			case err != nil:
				t.Error(err)
			case wait == 0:
				allowed.Add(1)
			case wait > 0 && wait <= time.Minute:
				waited.Add(1)
			default:
				t.Errorf("wait %s is outside (0, 1m]", wait)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 20 || waited.Load() != 30 {
		t.Fatalf("allowed %d and waited %d of 50; want 20 and 30", allowed.Load(), waited.Load())
	}
	// Another key has its own budget.
	if wait, err := limiters[0].Allow(ctx, "robot:2", 20, time.Minute); err != nil || wait != 0 {
		t.Fatalf("another robot's first call waits %s (%v)", wait, err)
	}
}
