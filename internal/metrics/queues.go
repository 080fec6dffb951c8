package metrics

import (
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueInspector reads the task queues' state from Redis (asynq's Inspector).
type QueueInspector interface {
	Queues() ([]string, error)
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
}

// scrapeCache is how long one reading of shared state (queues, channels) serves
// scrapes: several Prometheus servers, or a reload loop, cost one reading per period.
const scrapeCache = 5 * time.Second

// queueCollector reports every asynq queue: tasks by state, the age of the oldest
// pending task, and processed and failed totals. The figures are the whole
// installation's (they live in Redis), so each worker process reports the same values;
// dashboards take max() across instances.
type queueCollector struct {
	in  QueueInspector
	log *slog.Logger

	tasks, latency, paused, processed, failed *prometheus.Desc

	mu      sync.Mutex
	readAt  time.Time
	reading []*asynq.QueueInfo
}

// Queues registers the queue collector.
func (m *Metrics) Queues(in QueueInspector, log *slog.Logger) {
	m.Registry.MustRegister(&queueCollector{
		in: in, log: log,
		tasks: prometheus.NewDesc("chatbridge_queue_tasks",
			"Tasks in each asynq queue by state (pending, active, scheduled, retry, archived, completed, aggregating).",
			[]string{"queue", "state"}, nil),
		latency: prometheus.NewDesc("chatbridge_queue_latency_seconds",
			"Age of the oldest pending task of each queue: how long work waits for a worker.", []string{"queue"}, nil),
		paused: prometheus.NewDesc("chatbridge_queue_paused", "1 when the queue is paused.", []string{"queue"}, nil),
		processed: prometheus.NewDesc("chatbridge_queue_processed_total",
			"Tasks each queue has processed (succeeded or failed), since the queue was created.", []string{"queue"}, nil),
		failed: prometheus.NewDesc("chatbridge_queue_failed_total",
			"Task attempts of each queue that failed, since the queue was created.", []string{"queue"}, nil),
	})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.tasks, c.latency, c.paused, c.processed, c.failed} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range c.read() {
		states := []struct {
			name string
			n    int
		}{
			{"pending", q.Pending}, {"active", q.Active}, {"scheduled", q.Scheduled}, {"retry", q.Retry},
			{"archived", q.Archived}, {"completed", q.Completed}, {"aggregating", q.Aggregating},
		}
		for _, s := range states {
			ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(s.n), q.Queue, s.name)
		}
		ch <- prometheus.MustNewConstMetric(c.latency, prometheus.GaugeValue, q.Latency.Seconds(), q.Queue)
		ch <- prometheus.MustNewConstMetric(c.paused, prometheus.GaugeValue, boolValue(q.Paused), q.Queue)
		ch <- prometheus.MustNewConstMetric(c.processed, prometheus.CounterValue, float64(q.ProcessedTotal), q.Queue)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(q.FailedTotal), q.Queue)
	}
}

// read returns the queues' state, read at most once per scrapeCache. When Redis does
// not answer, the queue series are left out of the scrape (and the failure logged)
// rather than failing the whole scrape.
func (c *queueCollector) read() []*asynq.QueueInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reading != nil && time.Since(c.readAt) < scrapeCache {
		return c.reading
	}
	names, err := c.in.Queues()
	if err != nil {
		c.log.Warn("metrics: list queues", "err", err)
		return nil
	}
	out := make([]*asynq.QueueInfo, 0, len(names))
	for _, name := range names {
		info, err := c.in.GetQueueInfo(name)
		if err != nil {
			c.log.Warn("metrics: read queue", "queue", name, "err", err)
			continue
		}
		out = append(out, info)
	}
	c.reading, c.readAt = out, time.Now()
	return out
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
