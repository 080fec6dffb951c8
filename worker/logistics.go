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

// Task types of parcel tracking.
const (
	// TypeParcelSweep finds the parcels due for a check and queues one check each; one
	// runs per period whatever the number of worker processes (sweeps.go).
	TypeParcelSweep = "parcel:sweep"
	// TypeParcelCheck does what is due for one parcel: a provider query or
	// subscription, a stuck alert, a follow-up reminder.
	TypeParcelCheck = "parcel:check"
)

// ParcelCheckPayload names the parcel to check.
type ParcelCheckPayload struct {
	ParcelID uint64 `json:"parcel_id"`
}

// ParcelTracker is the logistics service as the tasks call it.
type ParcelTracker interface {
	Sweep(ctx context.Context) (int, error)
	Check(ctx context.Context, parcelID uint64) error
}

// EnqueueParcelCheck queues the check of a parcel for the time it fell due: the task id
// names both, so a second sweep (or worker) asking for the same check queues nothing.
func (c *Client) EnqueueParcelCheck(ctx context.Context, parcelID uint64, due time.Time) error {
	payload, err := json.Marshal(ParcelCheckPayload{ParcelID: parcelID})
	if err != nil {
		return fmt.Errorf("worker: encode parcel payload: %w", err)
	}
	task := asynq.NewTaskWithHeaders(TypeParcelCheck, payload, c.traceHeaders(ctx), asynq.TaskID(fmt.Sprintf("parcel:%d:%d", parcelID, due.Unix())),
		asynq.Queue(QueueDefault), asynq.MaxRetry(c.maxRetry), asynq.Timeout(2*time.Minute))
	return c.enqueueOnce(ctx, task, fmt.Sprintf("check of parcel %d", parcelID))
}

func (c *Client) enqueueOnce(ctx context.Context, task *asynq.Task, what string) error {
	_, err := c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue %s: %w", what, err)
	}
	return nil
}

// registerParcels routes the parcel tasks to the logistics service.
func registerParcels(mux *asynq.ServeMux, t ParcelTracker, log *slog.Logger) {
	mux.HandleFunc(TypeParcelSweep, func(ctx context.Context, _ *asynq.Task) error {
		n, err := t.Sweep(ctx)
		if n > 0 {
			log.Debug("parcel sweep", "queued", n)
		}
		return err
	})
	mux.HandleFunc(TypeParcelCheck, func(ctx context.Context, task *asynq.Task) error {
		var p ParcelCheckPayload
		if err := decode(task, &p); err != nil {
			return err
		}
		return t.Check(ctx, p.ParcelID)
	})
}
