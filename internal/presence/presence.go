// Package presence knows which staff have the inbox open. The WebSocket is the session:
// every API process records its users' live sockets in Redis (with a heartbeat, so a
// process that died leaves nothing behind for long), and a sweep, run once per period
// across all worker processes, sets an online agent with no live socket for longer than
// the shop's grace period to away, so routing stops giving them chats. When their
// session comes back they are online again, unless they chose a status in between.
package presence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// HeartbeatEvery is how often a live socket says it is still there.
const HeartbeatEvery = 15 * time.Second

// staleAfter is when a socket that stopped beating counts as gone (its process died).
const staleAfter = 3 * HeartbeatEvery

// Statuses sets a user's presence (and routes waiting chats to an agent coming online).
type Statuses interface {
	SetStatus(ctx context.Context, u *models.User, status models.UserStatus) error
}

// Settings gives a shop's grace period.
type Settings interface {
	Get(ctx context.Context, shopID uint64) (models.ShopSettings, error)
}

// Tracker records sessions and sweeps the dropped ones.
type Tracker struct {
	rdb      redis.UniversalClient
	db       *store.DB
	statuses Statuses
	settings Settings
	log      *slog.Logger
}

// New returns a tracker.
func New(rdb redis.UniversalClient, db *store.DB, statuses Statuses, settings Settings, log *slog.Logger) *Tracker {
	return &Tracker{rdb: rdb, db: db, statuses: statuses, settings: settings, log: log}
}

const (
	keySeen     = "chatbridge:presence:seen"      // user id → last time they had a live socket (ms)
	keyAutoAway = "chatbridge:presence:auto-away" // users the sweep set away
)

func keySockets(userID uint64) string {
	return "chatbridge:presence:sockets:" + strconv.FormatUint(userID, 10)
}

func ms(t time.Time) float64 { return float64(t.UnixMilli()) }

func member(id uint64) string { return strconv.FormatUint(id, 10) }

// Connected records a new live socket. A user the sweep had set away is online again.
func (t *Tracker) Connected(ctx context.Context, u *models.User, socketID string, now time.Time) error {
	if err := t.beat(ctx, u.ID, socketID, now); err != nil {
		return err
	}
	restored, err := t.rdb.SRem(ctx, keyAutoAway, member(u.ID)).Result()
	if err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	if restored == 0 {
		return nil
	}
	cur, err := t.db.User(ctx, u.ID)
	if err != nil || cur.Status != models.UserAway {
		return err
	}
	return t.statuses.SetStatus(ctx, cur, models.UserOnline)
}

// Heartbeat keeps a socket alive.
func (t *Tracker) Heartbeat(ctx context.Context, userID uint64, socketID string, now time.Time) error {
	return t.beat(ctx, userID, socketID, now)
}

func (t *Tracker) beat(ctx context.Context, userID uint64, socketID string, now time.Time) error {
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, keySockets(userID), redis.Z{Score: ms(now), Member: socketID})
		p.Expire(ctx, keySockets(userID), 24*time.Hour)
		p.ZAdd(ctx, keySeen, redis.Z{Score: ms(now), Member: member(userID)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("presence: socket of user %d: %w", userID, err)
	}
	return nil
}

// Disconnected forgets a socket; the grace period counts from now.
func (t *Tracker) Disconnected(ctx context.Context, userID uint64, socketID string, now time.Time) error {
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, keySockets(userID), socketID)
		p.ZAdd(ctx, keySeen, redis.Z{Score: ms(now), Member: member(userID)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("presence: socket of user %d: %w", userID, err)
	}
	return nil
}

// SetStatus is a status the user chose: it stands until they choose again (the sweep
// will not undo it on reconnect), and going online starts their grace period afresh.
func (t *Tracker) SetStatus(ctx context.Context, u *models.User, status models.UserStatus, now time.Time) error {
	if err := t.statuses.SetStatus(ctx, u, status); err != nil {
		return err
	}
	_, err := t.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SRem(ctx, keyAutoAway, member(u.ID))
		if status == models.UserOnline {
			p.ZAdd(ctx, keySeen, redis.Z{Score: ms(now), Member: member(u.ID)})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("presence: status of user %d: %w", u.ID, err)
	}
	return nil
}

// Sweep sets away every online member of staff who has had no live socket for longer
// than their shop's grace period, as of now. It answers how many it set away.
func (t *Tracker) Sweep(ctx context.Context, now time.Time) (int, error) {
	users, err := t.db.OnlineStaff(ctx)
	if err != nil {
		return 0, fmt.Errorf("presence: %w", err)
	}
	grace := map[uint64]time.Duration{}
	n := 0
	for i := range users {
		u := &users[i]
		live, seen, err := t.lastSeen(ctx, u.ID, now)
		if err != nil {
			return n, err
		}
		if live {
			continue
		}
		g, ok := grace[*u.ShopID]
		if !ok {
			g = t.grace(ctx, *u.ShopID)
			grace[*u.ShopID] = g
		}
		if now.Sub(seen) < g {
			continue
		}
		if err := t.statuses.SetStatus(ctx, u, models.UserAway); err != nil {
			return n, fmt.Errorf("presence: set user %d away: %w", u.ID, err)
		}
		if err := t.rdb.SAdd(ctx, keyAutoAway, member(u.ID)).Err(); err != nil {
			return n, fmt.Errorf("presence: %w", err)
		}
		t.log.Info("set away: no live session", "user_id", u.ID, "last_seen", seen)
		n++
	}
	return n, nil
}

// lastSeen drops the sockets whose process stopped beating and tells whether one is
// still live, else when the user was last seen. A user never seen (Redis was emptied,
// or they went online through the API alone) is seen from now on.
func (t *Tracker) lastSeen(ctx context.Context, userID uint64, now time.Time) (bool, time.Time, error) {
	key := keySockets(userID)
	stale := strconv.FormatInt(now.Add(-staleAfter).UnixMilli(), 10)
	if err := t.rdb.ZRemRangeByScore(ctx, key, "-inf", "("+stale).Err(); err != nil {
		return false, time.Time{}, fmt.Errorf("presence: %w", err)
	}
	live, err := t.rdb.ZCard(ctx, key).Result()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("presence: %w", err)
	}
	if live > 0 {
		return true, now, nil
	}
	score, err := t.rdb.ZScore(ctx, keySeen, member(userID)).Result()
	if errors.Is(err, redis.Nil) {
		err = t.rdb.ZAddNX(ctx, keySeen, redis.Z{Score: ms(now), Member: member(userID)}).Err()
		return false, now, err
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("presence: %w", err)
	}
	return false, time.UnixMilli(int64(score)).UTC(), nil
}

func (t *Tracker) grace(ctx context.Context, shopID uint64) time.Duration {
	s, err := t.settings.Get(ctx, shopID)
	if err != nil {
		t.log.Warn("shop settings for the presence sweep; using the default grace", "shop_id", shopID, "err", err)
	}
	s.Inbox.ApplyDefaults()
	return time.Duration(s.Inbox.PresenceGraceSeconds) * time.Second
}
