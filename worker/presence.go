package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// TypePresenceSweep sets away the agents whose session dropped longer ago than their
// shop's grace period.
const TypePresenceSweep = "presence:sweep"

// PresenceSweeper is the domain side of the sweep.
type PresenceSweeper interface {
	Sweep(ctx context.Context, now time.Time) (int, error)
}

// EnqueuePresenceSweep queues the sweep of the period that starts at slot; every worker
// process asks, and the period's task id lets one sweep through.
func (c *Client) EnqueuePresenceSweep(ctx context.Context, slot time.Time, every time.Duration) error {
	task := asynq.NewTask(TypePresenceSweep, nil, asynq.TaskID("presence-sweep:"+strconv.FormatInt(slot.Unix(), 10)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(0), asynq.Timeout(every), asynq.Retention(every))
	_, err := c.asynq.EnqueueContext(ctx, task)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("worker: queue presence sweep: %w", err)
	}
	return nil
}

// SchedulePresenceSweeps queues one sweep per period until ctx ends.
func SchedulePresenceSweeps(ctx context.Context, c *Client, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := c.EnqueuePresenceSweep(ctx, time.Now().Truncate(every), every); err != nil {
			log.Warn("presence sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func handlePresenceSweep(s PresenceSweeper) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		_, err := s.Sweep(ctx, time.Now().UTC())
		return err
	}
}
