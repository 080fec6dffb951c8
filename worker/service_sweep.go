package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// TypeServiceSweep sends what the service timers owe at the time it runs: tickets
// coming due and overdue.
const TypeServiceSweep = "service:sweep"

// ServiceSweeper does the timed work of the service area at its own clock.
type ServiceSweeper interface {
	Sweep(ctx context.Context) error
}

// ServiceSweepPayload names the period the sweep was queued for.
type ServiceSweepPayload struct {
	Slot time.Time `json:"slot"`
}

// EnqueueServiceSweep queues the sweep of the period starting at slot. Every worker
// process asks each period; the period's task id (kept for two periods after it ran)
// lets one sweep through.
func (c *Client) EnqueueServiceSweep(ctx context.Context, slot time.Time, every time.Duration) error {
	payload, err := json.Marshal(ServiceSweepPayload{Slot: slot.UTC()})
	if err != nil {
		return fmt.Errorf("worker: encode sweep payload: %w", err)
	}
	task := asynq.NewTask(TypeServiceSweep, payload,
		asynq.TaskID(fmt.Sprintf("service-sweep:%d", slot.UnixNano())), asynq.Queue(QueueDefault),
		asynq.MaxRetry(1), asynq.Timeout(every+time.Minute), asynq.Retention(2*every))
	_, err = c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue service sweep: %w", err)
	}
	return nil
}

// ScheduleServiceSweeps queues one service sweep per period of the clock (tick long),
// until ctx ends. Every worker process runs it.
func ScheduleServiceSweeps(ctx context.Context, c *Client, clock func() time.Time, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := c.EnqueueServiceSweep(ctx, clock().UTC().Truncate(every), every); err != nil && ctx.Err() == nil {
			log.Warn("service sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handleServiceSweep runs a queued sweep at the sweeper's clock: a sweep that waited in
// the queue still sends everything owed by the time it runs.
func handleServiceSweep(s ServiceSweeper) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p ServiceSweepPayload
		if err := decode(t, &p); err != nil {
			return err
		}
		return s.Sweep(ctx)
	}
}
