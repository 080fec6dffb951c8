package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
)

// Sweep makes sure every pending outbound message has a delivery task: a reply stored
// while Redis was away, or whose process died between commit and queueing, is queued
// again. Queueing is idempotent by task id, so every worker may sweep.
func Sweep(ctx context.Context, db *store.DB, c *Client, log *slog.Logger, every, olderThan time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		msgs, err := db.PendingOutbound(ctx, time.Now().UTC().Add(-olderThan), 500)
		if err != nil {
			log.Warn("outbound sweep", "err", err)
			continue
		}
		for _, m := range msgs {
			if err := c.EnqueueSend(ctx, m.ID); err != nil {
				log.Warn("outbound sweep: requeue", "message_id", m.ID, "err", err)
				break
			}
		}
	}
}

// PruneSessions deletes expired logins every interval, so the sessions table holds only
// live ones. Deleting is idempotent, so every worker may prune.
func PruneSessions(ctx context.Context, db *store.DB, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := db.DeleteExpiredSessions(ctx, time.Now().UTC())
		if err != nil {
			log.Warn("prune expired sessions", "err", err)
			continue
		}
		if n > 0 {
			log.Info("pruned expired sessions", "count", n)
		}
	}
}
