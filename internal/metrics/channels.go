package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatbridge/chatbridge/internal/store"
)

// ChannelHealthSource sums up the channels' health by type (store.DB does).
type ChannelHealthSource interface {
	ChannelHealthByType(ctx context.Context) ([]store.ChannelTypeHealth, error)
}

// channelCollector reports channel health by channel type, read from the database at
// most once per scrapeCache. Like the queues, these are the installation's figures:
// dashboards take max() across instances.
type channelCollector struct {
	src ChannelHealthSource
	log *slog.Logger
	now func() time.Time

	channels, failing, newestIn, oldestIn, newestOut *prometheus.Desc

	mu      sync.Mutex
	readAt  time.Time
	reading []store.ChannelTypeHealth
}

// Channels registers the channel health collector; now is the clock ages are taken on.
func (m *Metrics) Channels(src ChannelHealthSource, now func() time.Time, log *slog.Logger) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"channel_type"}, nil)
	}
	m.Registry.MustRegister(&channelCollector{
		src: src, log: log, now: now,
		channels: d("chatbridge_channels", "Connected channels of every shop, by type."),
		failing:  d("chatbridge_channels_failing", "Channels whose latest delivery attempt failed, by type."),
		newestIn: d("chatbridge_channel_last_in_age_seconds",
			"Seconds since any channel of the type last delivered something in: a platform-wide outage shows here."),
		oldestIn: d("chatbridge_channel_stalest_in_age_seconds",
			"Seconds since the channel of the type that has been silent longest last delivered something in (channels that never did are left out)."),
		newestOut: d("chatbridge_channel_last_out_age_seconds",
			"Seconds since a reply last went out successfully on any channel of the type."),
	})
}

func (c *channelCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.channels, c.failing, c.newestIn, c.oldestIn, c.newestOut} {
		ch <- d
	}
}

func (c *channelCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	age := func(d *prometheus.Desc, at *time.Time, typ string) {
		if at != nil {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, max(now.Sub(*at).Seconds(), 0), typ)
		}
	}
	for _, h := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.channels, prometheus.GaugeValue, float64(h.Channels), h.Type)
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, float64(h.Failing), h.Type)
		age(c.newestIn, h.NewestIn, h.Type)
		age(c.oldestIn, h.OldestIn, h.Type)
		age(c.newestOut, h.NewestOut, h.Type)
	}
}

func (c *channelCollector) read() []store.ChannelTypeHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reading != nil && time.Since(c.readAt) < scrapeCache {
		return c.reading
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := c.src.ChannelHealthByType(ctx)
	if err != nil {
		c.log.Warn("metrics: channel health", "err", err)
		return nil
	}
	c.reading, c.readAt = got, time.Now()
	return got
}
