package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// The timed sweeps (parcel tracking, presence, the service timers) run once per period
// whatever the number of worker processes: every process asks for the sweep of the
// period it is in, and the task id, which names the sweep and the period, lets one
// through. The id is kept two periods after the sweep ran, so a process whose clock is
// a little behind does not run a period again. A sweep that fails is not retried: the
// next period's sweep does what it left.

// EnqueueSweep queues the sweep of type typ for the period of length every that starts
// at slot; asking again for a period already queued or run does nothing.
func (c *Client) EnqueueSweep(ctx context.Context, typ string, slot time.Time, every time.Duration) error {
	task := asynq.NewTaskWithHeaders(typ, nil, c.traceHeaders(ctx), asynq.TaskID(fmt.Sprintf("%s:%d", typ, slot.UnixMilli())),
		asynq.Queue(QueueDefault), asynq.MaxRetry(0), asynq.Timeout(max(every, time.Minute)), asynq.Retention(2*every))
	return c.enqueueOnce(ctx, task, typ)
}

// ScheduleSweeps asks, at once and then every period, for the sweep of type typ of the
// period clock is in, until ctx ends. Every worker process runs it.
func ScheduleSweeps(ctx context.Context, c *Client, typ string, clock func() time.Time, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := c.EnqueueSweep(ctx, typ, clock().UTC().Truncate(every), every); err != nil && ctx.Err() == nil {
			log.Warn("sweep not queued", "type", typ, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
