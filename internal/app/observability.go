package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/metrics"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/tracing"
)

// instrument registers the metrics read from the process's parts when scraped: its
// connection pools and WebSocket hub and, on processes that run workers, the
// installation-wide figures (task queues in Redis, channel health in the database),
// which every worker reports alike and dashboards take max() of.
func instrument(m *metrics.Metrics, db *store.DB, rdb redis.UniversalClient, hub *realtime.Hub, roles Roles, log *slog.Logger) error {
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		return err
	}
	m.DBPool(sqlDB, "chatbridge")
	m.RedisPool(rdb)
	m.Gauge("chatbridge_websocket_connections", "Open WebSocket connections on this process.", func() float64 { return float64(hub.Subscribers()) })
	m.Counter("chatbridge_websocket_events_total", "Live events handed to this process's WebSocket connections (one per socket reached).",
		func() float64 { return float64(hub.Handed()) })
	m.Counter("chatbridge_websocket_dropped_total", "WebSocket subscribers this process dropped for falling behind (they reconnect and catch up).",
		func() float64 { return float64(hub.Dropped()) })
	if roles.Work {
		m.Queues(asynq.NewInspectorFromRedisClient(rdb), log)
		m.Channels(db, time.Now, log)
	}
	return nil
}

// name is the process's part as traces record it.
func (r Roles) name() string {
	switch {
	case r.Serve && r.Work:
		return "all"
	case r.Serve:
		return "serve"
	default:
		return "worker"
	}
}

// flushTraces sends the spans still buffered before the process ends.
func flushTraces(tr *tracing.Tracing, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		log.Warn("flush traces", "err", err)
	}
}
