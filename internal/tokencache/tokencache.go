// Package tokencache keeps the platforms' access tokens (WeCom's gettoken, ...) in
// Redis, shared by every process: a token is fetched once however many workers need it
// at that moment, and kept until shortly before the platform lets it expire.
package tokencache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/redislock"
)

// Cache is a token cache on one Redis.
type Cache struct {
	rdb    redis.UniversalClient
	locker *redislock.Locker
	// wait bounds how long a caller waits for another process's refresh.
	wait time.Duration
}

// New returns a cache on rdb.
func New(rdb redis.UniversalClient) *Cache {
	return &Cache{rdb: rdb, locker: redislock.New(rdb), wait: 20 * time.Second}
}

const keyPrefix = "chatbridge:token:"

// ErrRefreshTimeout means another process held the refresh for too long.
var ErrRefreshTimeout = errors.New("tokencache: timed out waiting for another process's refresh")

// Token returns the cached token of key, or fetches one: one caller across all
// processes runs fetch while the others wait for its result.
func (c *Cache) Token(ctx context.Context, key string, fetch func(ctx context.Context) (string, time.Duration, error)) (string, error) {
	k := keyPrefix + key
	deadline := time.Now().Add(c.wait)
	for {
		tok, err := c.rdb.Get(ctx, k).Result()
		if err == nil {
			return tok, nil
		}
		if !errors.Is(err, redis.Nil) {
			return "", fmt.Errorf("tokencache: read %s: %w", key, err)
		}
		unlock, ok, err := c.locker.TryLock(ctx, k+":refresh", c.wait)
		if err != nil {
			return "", err
		}
		if ok {
			return c.refresh(ctx, k, fetch, unlock)
		}
		if time.Now().After(deadline) {
			return "", ErrRefreshTimeout
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (c *Cache) refresh(ctx context.Context, k string, fetch func(ctx context.Context) (string, time.Duration, error), unlock func()) (string, error) {
	defer unlock()
	// Another process may have stored one between our read and our lease.
	if tok, err := c.rdb.Get(ctx, k).Result(); err == nil {
		return tok, nil
	}
	tok, ttl, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	if err := c.rdb.Set(ctx, k, tok, keep(ttl)).Err(); err != nil {
		return "", fmt.Errorf("tokencache: store: %w", err)
	}
	return tok, nil
}

// keep is how long a token with the platform's lifetime ttl is used: a tenth less (at
// most five minutes less), so that no call carries one that is about to expire.
func keep(ttl time.Duration) time.Duration {
	margin := min(ttl/10, 5*time.Minute)
	if ttl-margin < time.Second {
		return time.Second
	}
	return ttl - margin
}

// invalidate deletes the token only if it is still the rejected one: another process
// may have refreshed it already.
var invalidate = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// Invalidate drops token when the platform rejected it, so the next call fetches anew.
func (c *Cache) Invalidate(ctx context.Context, key, token string) error {
	if err := invalidate.Run(ctx, c.rdb, []string{keyPrefix + key}, token).Err(); err != nil {
		return fmt.Errorf("tokencache: invalidate %s: %w", key, err)
	}
	return nil
}
