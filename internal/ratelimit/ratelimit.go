// Package ratelimit holds the platforms' call limits (20 robot messages a minute, a
// chat's one message a second...) in Redis, so that every process spends one shared
// budget. It is a thin layer over redis_rate's GCRA limiter.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Limiter spends shared budgets.
type Limiter struct {
	l *redis_rate.Limiter
}

// New returns a limiter on rdb.
func New(rdb redis.UniversalClient) *Limiter {
	return &Limiter{l: redis_rate.NewLimiter(rdb)}
}

// Allow spends one call of the budget of limit calls per period under key. When the
// budget is spent it spends nothing and answers how long to wait for the next call.
// The whole budget may be spent at once (a burst of limit calls), as the platforms allow.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, per time.Duration) (time.Duration, error) {
	res, err := l.l.Allow(ctx, "chatbridge:rate:"+key, redis_rate.Limit{Rate: limit, Burst: limit, Period: per})
	if err != nil {
		return 0, fmt.Errorf("ratelimit: %s: %w", key, err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}
