package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypePresenceSweep sets away the agents whose session dropped longer ago than their
// shop's grace period; one runs per period (sweeps.go).
const TypePresenceSweep = "presence:sweep"

// PresenceSweeper is the domain side of the sweep.
type PresenceSweeper interface {
	Sweep(ctx context.Context, now time.Time) (int, error)
}

func handlePresenceSweep(s PresenceSweeper) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		_, err := s.Sweep(ctx, time.Now().UTC())
		return err
	}
}
