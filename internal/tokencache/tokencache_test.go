package tokencache_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/internal/tokencache"
)

// Forty callers in two processes ask at once: the platform is asked once, everyone
// gets its token; after the platform rejects it, the next callers fetch exactly once more.
func TestFetchedOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	opts := testenv.Redis(t)
	a, b := redis.NewClient(opts), redis.NewClient(opts)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	caches := []*tokencache.Cache{tokencache.New(a), tokencache.New(b)}

	var fetches atomic.Int32
	fetch := func(ctx context.Context) (string, time.Duration, error) {
		n := fetches.Add(1)
		time.Sleep(50 * time.Millisecond) // the platform takes a while: callers pile up
		return fmt.Sprintf("token-%d", n), 7200 * time.Second, nil
	}
	askAll := func(want string) {
		t.Helper()
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := caches[i%2].Token(ctx, "wecom:corp:app", fetch)
				if err != nil || tok != want {
					t.Errorf("Token = %q, %v; want %q", tok, err, want)
				}
			}()
		}
		wg.Wait()
	}
	askAll("token-1")
	if n := fetches.Load(); n != 1 {
		t.Fatalf("the platform was asked %d times, want once", n)
	}
	ttl := a.TTL(ctx, "chatbridge:token:wecom:corp:app").Val()
	if ttl <= 6000*time.Second || ttl > 7200*time.Second {
		t.Errorf("cached for %s, want the platform's 7200 s less a margin of at most 5 min", ttl)
	}

	// A stale invalidation (of a token already replaced) changes nothing.
	if err := caches[0].Invalidate(ctx, "wecom:corp:app", "token-0"); err != nil {
		t.Fatal(err)
	}
	askAll("token-1")
	if err := caches[1].Invalidate(ctx, "wecom:corp:app", "token-1"); err != nil {
		t.Fatal(err)
	}
	askAll("token-2")
	if n := fetches.Load(); n != 2 {
		t.Fatalf("after one rejection the platform was asked %d times in all, want 2", n)
	}
}

func TestFetchErrorIsReturnedAndNothingCached(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(testenv.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	c := tokencache.New(rdb)
	_, err := c.Token(ctx, "k", func(context.Context) (string, time.Duration, error) {
		return "", 0, fmt.Errorf("errcode 40013: invalid corpid")
	})
	if err == nil || err.Error() != "errcode 40013: invalid corpid" {
		t.Fatalf("Token error = %v, want the platform's", err)
	}
	tok, err := c.Token(ctx, "k", func(context.Context) (string, time.Duration, error) { return "ok", time.Hour, nil })
	if err != nil || tok != "ok" {
		t.Fatalf("after a failed fetch, Token = %q, %v", tok, err)
	}
}
