// Package redislock is a lease held in Redis, so that one process at a time does a
// piece of work every process may start (a channel's pull, a token refresh). A lease
// expires on its own if its holder dies.
package redislock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Locker takes leases in one Redis.
type Locker struct {
	rdb redis.UniversalClient
}

// New returns a Locker on rdb.
func New(rdb redis.UniversalClient) *Locker { return &Locker{rdb: rdb} }

// release deletes the lease only if it is still ours: it may have expired and been
// taken by another process since.
var release = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// TryLock takes the lease on key for ttl. ok is false when another holder has it.
// The returned release gives it back (a no-op once it expired and was taken by another).
func (l *Locker) TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	owner := hex.EncodeToString(b)
	ok, err = l.rdb.SetNX(ctx, key, owner, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redislock: take %s: %w", key, err)
	}
	if !ok {
		return nil, false, nil
	}
	return func() {
		// The caller's context may be done by now; giving back the lease must still happen.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = release.Run(ctx, l.rdb, []string{key}, owner).Err()
	}, true, nil
}
