package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
)

// SchedulePolls queues the timed pull of every channel whose adapter is a
// ScheduledPoller, once per the adapter's period. Every worker process runs it; the
// period's task id lets one pull through.
func SchedulePolls(ctx context.Context, db *store.DB, registry *adapters.Registry, c *Client, log *slog.Logger, tick time.Duration) {
	every := map[string]time.Duration{}
	var types []string
	for _, typ := range registry.Types() {
		a, _ := registry.Lookup(typ)
		if p, ok := a.(adapters.ScheduledPoller); ok && p.PollEvery() > 0 {
			every[typ] = p.PollEvery()
			types = append(types, typ)
		}
	}
	if len(types) == 0 {
		return
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		chs, err := db.ChannelsOfTypes(ctx, types)
		if err != nil {
			log.Warn("scheduled pulls", "err", err)
		}
		now := time.Now()
		for _, ch := range chs {
			period := every[ch.Type]
			if err := c.EnqueueScheduledPoll(ctx, ch.ID, now.Truncate(period), period); err != nil {
				log.Warn("scheduled pull", "channel_id", ch.ID, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
