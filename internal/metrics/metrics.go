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

// Metrics holds every collector. Labels are bounded sets (route templates, channel
// types, outcomes, queue names): never an id, so the number of series does not grow
// with shops, channels or buyers.
type Metrics struct {
	Registry    *prometheus.Registry
	httpLatency *prometheus.HistogramVec
	messagesIn  *prometheus.CounterVec
	messagesOut *prometheus.CounterVec
	tasks       *prometheus.CounterVec
	taskLatency *prometheus.HistogramVec

	webhooks        *prometheus.CounterVec
	webhookLatency  *prometheus.HistogramVec
	deliveries      *prometheus.CounterVec
	deliveryLatency *prometheus.HistogramVec
	sendLatency     *prometheus.HistogramVec
}

// Webhook outcomes, as chatbridge_webhooks_total labels them.
const (
	WebhookAccepted     = "accepted"
	WebhookDuplicate    = "duplicate"
	WebhookUnauthorized = "unauthorized"
	WebhookBadRequest   = "bad_request"
	WebhookTooLarge     = "too_large"
	WebhookNotFound     = "not_found"
	WebhookUnavailable  = "unavailable"
	WebhookError        = "error"
)

// Delivery outcomes of one attempt, as chatbridge_delivery_attempts_total labels them.
const (
	DeliverySent   = "sent"   // the platform took the message
	DeliveryRetry  = "retry"  // the attempt failed and another follows
	DeliveryFailed = "failed" // the attempt failed and the message is failed for good
)

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
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chatbridge_webhooks_total",
		Help: "Platform webhooks answered, by channel type (unknown when no channel matched) and outcome " +
			"(accepted, duplicate, unauthorized, bad_request, too_large, not_found, unavailable, error).",
	}, []string{"channel_type", "outcome"})
	m.webhookLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chatbridge_webhook_duration_seconds", Help: "Time to answer a platform webhook (verify, parse, commit), by channel type.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"channel_type"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chatbridge_delivery_attempts_total",
		Help: "Outbound delivery attempts by channel type and outcome (sent; retry: failed, another attempt follows; failed: failed for good).",
	}, []string{"channel_type", "outcome"})
	m.deliveryLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chatbridge_delivery_latency_seconds", Help: "From a reply being stored to the platform taking it, retries included, by channel type.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
	}, []string{"channel_type"})
	m.sendLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "chatbridge_adapter_send_duration_seconds", Help: "One adapter send call to the platform, by channel type and outcome (ok, error).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"channel_type", "outcome"})
	m.Registry.MustRegister(m.httpLatency, m.messagesIn, m.messagesOut, m.tasks, m.taskLatency,
		m.webhooks, m.webhookLatency, m.deliveries, m.deliveryLatency, m.sendLatency,
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

// Webhook records one answered platform webhook.
func (m *Metrics) Webhook(channelType, outcome string, took time.Duration) {
	m.webhooks.WithLabelValues(channelType, outcome).Inc()
	m.webhookLatency.WithLabelValues(channelType).Observe(took.Seconds())
}

// SendAttempt records one adapter send call and how long the platform took.
func (m *Metrics) SendAttempt(channelType string, err error, took time.Duration) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.sendLatency.WithLabelValues(channelType, outcome).Observe(took.Seconds())
}

// Delivery records the outcome of one delivery attempt; for a sent message, sinceStored
// is the time from the reply being stored to the platform taking it.
func (m *Metrics) Delivery(channelType, outcome string, sinceStored time.Duration) {
	m.deliveries.WithLabelValues(channelType, outcome).Inc()
	if outcome == DeliverySent {
		m.deliveryLatency.WithLabelValues(channelType).Observe(max(sinceStored, 0).Seconds())
	}
}

// Gauge registers a gauge whose value is read when scraped.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}

// Counter registers a counter whose value (a running total kept elsewhere) is read
// when scraped.
func (m *Metrics) Counter(name, help string, value func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, value))
}
