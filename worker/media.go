package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/chatbridge/chatbridge/internal/store"
)

// TypeFetchMedia downloads a buyer's file (an image) from its platform and stores it.
const TypeFetchMedia = "media:fetch"

// FetchMediaPayload names the media row to fetch.
type FetchMediaPayload struct {
	MediaID uint64 `json:"media_id"`
}

// MediaFetcher fetches a buyer's pending file; final as for Deliverer.
type MediaFetcher interface {
	Fetch(ctx context.Context, mediaID uint64, final bool) error
}

// NewFetchMediaTask builds the fetch task of a media row. Its task id is the media id,
// so queueing it again while it is queued, running or retrying does nothing.
func NewFetchMediaTask(mediaID uint64, maxRetry int) (*asynq.Task, error) {
	payload, err := json.Marshal(FetchMediaPayload{MediaID: mediaID})
	if err != nil {
		return nil, fmt.Errorf("worker: encode media payload: %w", err)
	}
	return asynq.NewTask(TypeFetchMedia, payload,
		asynq.TaskID("media-fetch:"+strconv.FormatUint(mediaID, 10)),
		asynq.Queue(QueueDefault),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(2*time.Minute),
	), nil
}

// EnqueueMediaFetch queues the fetch of a buyer's file; one already queued is not doubled.
func (c *Client) EnqueueMediaFetch(ctx context.Context, mediaID uint64) error {
	task, err := NewFetchMediaTask(mediaID, c.maxRetry)
	if err != nil {
		return err
	}
	_, err = c.asynq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("worker: queue fetch of media %d: %w", mediaID, err)
	}
	return nil
}

func handleFetchMedia(f MediaFetcher) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p FetchMediaPayload
		if err := decode(t, &p); err != nil {
			return err
		}
		return f.Fetch(ctx, p.MediaID, lastAttempt(ctx))
	}
}

// SweepMedia makes sure every buyer's file still pending has a fetch task: one whose
// message was committed while Redis was away, or whose process died before queueing, is
// queued again. Queueing is idempotent by task id, so every worker may sweep.
func SweepMedia(ctx context.Context, db *store.DB, c *Client, log *slog.Logger, every, olderThan time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		SweepMediaOnce(ctx, db, c, log, time.Now().UTC().Add(-olderThan))
	}
}

// SweepMediaOnce queues the fetch of every file pending since before.
func SweepMediaOnce(ctx context.Context, db *store.DB, c *Client, log *slog.Logger, before time.Time) {
	list, err := db.PendingMedia(ctx, before, 500)
	if err != nil {
		log.Warn("media sweep", "err", err)
		return
	}
	for _, m := range list {
		if err := c.EnqueueMediaFetch(ctx, m.ID); err != nil {
			log.Warn("media sweep: requeue", "media_id", m.ID, "err", err)
			return
		}
	}
}
