package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
)

// DBPool registers the database connection pool's statistics (database/sql DBStats) as
// client_golang's go_sql_* series, labelled db_name: open, in use and idle connections,
// and how often and how long requests waited for one (go_sql_wait_count_total,
// go_sql_wait_duration_seconds_total) — waits mean the pool is too small for the load.
func (m *Metrics) DBPool(db *sql.DB, name string) {
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// RedisPool registers the Redis client's connection pool statistics.
func (m *Metrics) RedisPool(rdb redis.UniversalClient) {
	m.Registry.MustRegister(newRedisPoolCollector(rdb))
}

type redisPoolCollector struct {
	rdb                               redis.UniversalClient
	conns, hits, misses, timeouts     *prometheus.Desc
	waits, waitSeconds, pendingWaiter *prometheus.Desc
}

func newRedisPoolCollector(rdb redis.UniversalClient) *redisPoolCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("chatbridge_redis_pool_"+name, help, labels, nil)
	}
	return &redisPoolCollector{
		rdb:           rdb,
		conns:         d("connections", "Redis connections of this process by state (total, idle).", "state"),
		hits:          d("hits_total", "Times a free Redis connection was found in the pool."),
		misses:        d("misses_total", "Times no free Redis connection was in the pool (a new one was dialled or waited for)."),
		timeouts:      d("timeouts_total", "Times waiting for a Redis connection timed out."),
		waits:         d("waits_total", "Times a command waited for a Redis connection."),
		waitSeconds:   d("wait_duration_seconds_total", "Total time commands waited for a Redis connection."),
		pendingWaiter: d("pending_requests", "Commands waiting for a Redis connection now."),
	}
}

func (c *redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.hits, c.misses, c.timeouts, c.waits, c.waitSeconds, c.pendingWaiter} {
		ch <- d
	}
}

func (c *redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.rdb.PoolStats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.conns, float64(s.TotalConns), "total")
	gauge(c.conns, float64(s.IdleConns), "idle")
	gauge(c.pendingWaiter, float64(s.PendingRequests))
	counter(c.hits, float64(s.Hits))
	counter(c.misses, float64(s.Misses))
	counter(c.timeouts, float64(s.Timeouts))
	counter(c.waits, float64(s.WaitCount))
	counter(c.waitSeconds, float64(s.WaitDurationNs)/1e9)
}

var _ prometheus.Collector = (*redisPoolCollector)(nil)
