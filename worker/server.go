package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
)

// Deliverer sends an outbound message; final is set on the last allowed attempt.
type Deliverer interface {
	Deliver(ctx context.Context, messageID uint64, final bool) error
}

// NoteSyncer writes an order note back to its marketplace; final as for Deliverer.
type NoteSyncer interface {
	SyncNote(ctx context.Context, noteID uint64, final bool) error
}

// ChannelPoller pulls what a channel's platform holds (see adapters.Poller).
type ChannelPoller interface {
	Poll(ctx context.Context, channelID uint64, hint string) error
}

// Handlers are the domain services the tasks call.
type Handlers struct {
	Deliverer  Deliverer
	NoteSyncer NoteSyncer
	Poller     ChannelPoller
	// Service runs the timed sweep of the service area (ticket reminders).
	Service ServiceSweeper
	// Presence sweeps dropped sessions; nil leaves the task unhandled.
	Presence PresenceSweeper
	// Media fetches buyers' files; nil registers no such task.
	Media MediaFetcher
	// Parcels follows parcels (nil: the parcel tasks are not served).
	Parcels ParcelTracker
}

// TaskMetrics records task runs.
type TaskMetrics interface {
	ObserveTask(typ string, err error, took time.Duration)
}

// Options configure the server.
type Options struct {
	Concurrency     int
	RetryBase       time.Duration
	ShutdownTimeout time.Duration
	// Trace, when set, runs around every task (internal/tracing's span per task).
	Trace asynq.MiddlewareFunc
}

// NewServer builds the asynq server and its handlers.
func NewServer(rdb redis.UniversalClient, h Handlers, m TaskMetrics, log *slog.Logger, opts Options) (*asynq.Server, *asynq.ServeMux) {
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:    opts.Concurrency,
		Queues:         map[string]int{QueueOutbound: 6, QueueDefault: 3},
		RetryDelayFunc: retryDelay(opts.RetryBase),
		IsFailure:      isFailure,
		// Retries and scheduled tasks move to their queue on this tick: a short one keeps
		// a retried reply's delay close to its backoff.
		DelayedTaskCheckInterval: time.Second,
		ShutdownTimeout:          opts.ShutdownTimeout,
		Logger:                   slogAdapter{log},
		// Redis being away is logged by the health check, not once per poll.
		HealthCheckFunc: func(err error) {
			if err != nil {
				log.Warn("worker cannot reach redis", "err", err)
			}
		},
	})
	mux := asynq.NewServeMux()
	if opts.Trace != nil {
		mux.Use(opts.Trace)
	}
	mux.Use(observe(m))
	mux.HandleFunc(TypeSendMessage, func(ctx context.Context, t *asynq.Task) error {
		var p SendMessagePayload
		if err := decode(t, &p); err != nil {
			return err
		}
		return h.Deliverer.Deliver(ctx, p.MessageID, lastAttempt(ctx))
	})
	mux.HandleFunc(TypeSyncOrderNote, func(ctx context.Context, t *asynq.Task) error {
		var p SyncOrderNotePayload
		if err := decode(t, &p); err != nil {
			return err
		}
		return h.NoteSyncer.SyncNote(ctx, p.NoteID, lastAttempt(ctx))
	})
	mux.HandleFunc(TypePollChannel, func(ctx context.Context, t *asynq.Task) error {
		var p PollChannelPayload
		if err := decode(t, &p); err != nil {
			return err
		}
		return h.Poller.Poll(ctx, p.ChannelID, p.Hint)
	})
	if h.Service != nil {
		mux.HandleFunc(TypeServiceSweep, handleServiceSweep(h.Service))
	}
	if h.Presence != nil {
		mux.HandleFunc(TypePresenceSweep, handlePresenceSweep(h.Presence))
	}
	if h.Media != nil {
		mux.HandleFunc(TypeFetchMedia, handleFetchMedia(h.Media))
	}
	if h.Parcels != nil {
		registerParcels(mux, h.Parcels, log)
	}
	return srv, mux
}

// isFailure counts an attempt against the task's retries unless the work was only
// told to wait (a rate limit, a pull already running elsewhere).
func isFailure(err error) bool {
	var throttled *adapters.ThrottledError
	return !errors.As(err, &throttled)
}

// decode reads a task's payload; a payload that cannot be read is never retried.
func decode(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		return fmt.Errorf("worker: bad %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// lastAttempt tells a handler that no retry follows a failure, so it must record one.
func lastAttempt(ctx context.Context) bool {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	return retried >= maxRetry
}

// retryDelay backs off exponentially from base (with jitter, capped at ten minutes),
// unless the platform said when to come back.
func retryDelay(base time.Duration) asynq.RetryDelayFunc {
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var ra *adapters.RetryAfterError
		if errors.As(err, &ra) && ra.After > 0 {
			return ra.After
		}
		var throttled *adapters.ThrottledError
		if errors.As(err, &throttled) {
			return max(throttled.After, 0)
		}
		d := base << min(n, 20)
		if d <= 0 || d > 10*time.Minute {
			d = 10 * time.Minute
		}
		return d + time.Duration(rand.Int64N(int64(d)/4+1))
	}
}

func observe(m TaskMetrics) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			if m != nil {
				m.ObserveTask(t.Type(), err, time.Since(start))
			}
			return err
		})
	}
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.log.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Info(args ...any)  { a.log.Info(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Warn(args ...any)  { a.log.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Error(args ...any) { a.log.Error(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Fatal(args ...any) {
	a.log.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
