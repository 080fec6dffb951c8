// Package metrics defines ChatBridge's Prometheus metrics on a registry of its own
// (no global state), served at /metrics.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatbridge/chatbridge/models"
)

// Metrics holds every collector.
type Metrics struct {
	Registry    *prometheus.Registry
	httpLatency *prometheus.HistogramVec
	messagesIn  *prometheus.CounterVec
	messagesOut *prometheus.CounterVec
	tasks       *prometheus.CounterVec
	taskLatency *prometheus.HistogramVec
}

// New registers the collectors on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chatbridge_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbridge_messages_in_total", Help: "Inbound messages by channel type; duplicate=true for redeliveries stored once.",
		}, []string{"channel_type", "duplicate"}),
		messagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbridge_messages_out_total", Help: "Outbound messages finished, by channel type and final status (sent, failed).",
		}, []string{"channel_type", "status"}),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbridge_tasks_total", Help: "Background task runs by type and outcome (ok, error).",
		}, []string{"type", "outcome"}),
		taskLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chatbridge_task_duration_seconds", Help: "Background task run time by type.",
			Buckets: prometheus.DefBuckets,
		}, []string{"type"}),
	}
	m.Registry.MustRegister(m.httpLatency, m.messagesIn, m.messagesOut, m.tasks, m.taskLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveHTTP records one request.
func (m *Metrics) ObserveHTTP(route, method string, status int, took time.Duration) {
	m.httpLatency.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// MessageIn counts an inbound delivery.
func (m *Metrics) MessageIn(channelType string, duplicate bool) {
	m.messagesIn.WithLabelValues(channelType, strconv.FormatBool(duplicate)).Inc()
}

// MessageOut counts a finished outbound message.
func (m *Metrics) MessageOut(channelType string, status models.MessageStatus) {
	m.messagesOut.WithLabelValues(channelType, string(status)).Inc()
}

// ObserveTask records one task run.
func (m *Metrics) ObserveTask(typ string, err error, took time.Duration) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.tasks.WithLabelValues(typ, outcome).Inc()
	m.taskLatency.WithLabelValues(typ).Observe(took.Seconds())
}

// Gauge registers a gauge whose value is read when scraped.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}
