package redislock_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/redislock"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

func TestOneHolderAtATimeAndExpiry(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(testenv.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	a, b := redislock.New(rdb), redislock.New(rdb)

	unlock, ok, err := a.TryLock(ctx, "k", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v; want the lease", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, "k", time.Minute); err != nil || ok {
		t.Fatalf("second TryLock while held = %v, %v; want refused", ok, err)
	}
	unlock()
	unlockB, ok, err := b.TryLock(ctx, "k", 200*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("TryLock after release = %v, %v; want the lease", ok, err)
	}
	// An old holder's late release must not free a lease that is now someone else's.
	unlock()
	if _, ok, _ := a.TryLock(ctx, "k", time.Minute); ok {
		t.Fatal("a stale release freed another holder's lease")
	}
	unlockB()

	// A lease whose holder died expires on its own.
	if _, ok, _ := a.TryLock(ctx, "dead", 100*time.Millisecond); !ok {
		t.Fatal("could not take the lease")
	}
	if err := rdb.PExpire(ctx, "dead", time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok, _ := b.TryLock(ctx, "dead", time.Minute); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an expired lease was never free again")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
