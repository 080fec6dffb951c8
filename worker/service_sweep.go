package worker

import (
	"context"

	"github.com/hibiken/asynq"
)

// TypeServiceSweep sends what the service timers owe at the time it runs: tickets
// coming due and overdue. One runs per period (sweeps.go).
const TypeServiceSweep = "service:sweep"

// ServiceSweeper does the timed work of the service area at its own clock.
type ServiceSweeper interface {
	Sweep(ctx context.Context) error
}

// handleServiceSweep runs a queued sweep at the sweeper's clock: a sweep that waited in
// the queue still sends everything owed by the time it runs.
func handleServiceSweep(s ServiceSweeper) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		return s.Sweep(ctx)
	}
}
