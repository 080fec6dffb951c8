package apptest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chatbridge/chatbridge/internal/app"
)

// scraped is one /metrics answer: the metric families by name.
type scraped map[string]*dto.MetricFamily

func scrape(t *testing.T, inst *Instance) scraped {
	t.Helper()
	resp, err := http.Get(inst.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics answered %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// value is the sample of the family whose labels include every pair of labels
// ("name=value"); found is false when there is none. Histograms answer their count.
func (s scraped) value(name string, labels ...string) (v float64, found bool) {
	fam := s[name]
	if fam == nil {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		match := true
		for _, l := range labels {
			k, want, _ := strings.Cut(l, "=")
			if have[k] != want {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func (s scraped) names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// exerciseMetrics drives one instance through every path the metrics watch — webhooks
// answered every way, a reply delivered, a reply that fails for good, a live socket —
// and returns the /metrics scrape taken afterwards.
func exerciseMetrics(t *testing.T) scraped {
	t.Helper()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	rec := &callbackRecorder{t: t}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	shop := inst.NewShop(t, "metrics", srv.URL)
	rec.secret = shop.Secret
	live := dial(t, inst, shop.Agent, "")
	live.next("ready", "{}")

	body := MessageBody("m-1", "b-1", "小林", "在吗")
	for i, want := range []string{`{"status":"accepted"}`, `{"status":"duplicate"}`} {
		if status, got := inst.Webhook(t, shop, body); status != http.StatusOK || string(got) != want {
			t.Fatalf("webhook %d: %d %s, want %s", i, status, got, want)
		}
	}
	ts := fmt.Sprint(time.Now().Unix())
	if status, _ := inst.RawWebhook(t, shop.ChannelID, body, ts, "sha256=00"); status != http.StatusUnauthorized {
		t.Fatalf("bad signature answered %d", status)
	}
	if status, _ := inst.Webhook(t, shop, []byte(`{"event":`)); status != http.StatusBadRequest {
		t.Fatalf("malformed body answered %d", status)
	}
	if status, _ := inst.RawWebhook(t, "999999", body, ts, "sha256=00"); status != http.StatusNotFound {
		t.Fatalf("unknown channel answered %d", status)
	}
	live.next("message.created", "在吗")

	conv := onlyConversation(t, shop.Agent)
	shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "text", "text": "在的"}, http.StatusAccepted, nil)
	live.next("message.updated", `"status":"sent"`)
	rec.mu.Lock()
	rec.fail = true
	rec.mu.Unlock()
	shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "text", "text": "还在吗"}, http.StatusAccepted, nil)
	waitFailed(t, live)
	return scrape(t, inst)
}

// waitFailed waits (through retries with backoff) for a reply to be marked failed.
func waitFailed(t *testing.T, live *socket) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-live.ch:
			if !ok {
				t.Fatal("socket closed while waiting for the failed reply")
			}
			if ev.Type == "message.updated" && strings.Contains(string(ev.Data), `"status":"failed"`) {
				return
			}
		case <-deadline:
			t.Fatal("the failing reply was not marked failed within 30 s")
		}
	}
}

// Every series the metrics promise comes out of a real instance with the values its
// traffic made: webhook outcomes by channel type, delivery attempts and latency, the
// adapter's send time, WebSocket figures, the queues, channel health and both
// connection pools.
func TestMetrics(t *testing.T) {
	t.Parallel()
	m := exerciseMetrics(t)
	t.Run("values", func(t *testing.T) { checkMetricValues(t, m) })
	// Every query of the Grafana dashboard in deploy/grafana reads a series the app
	// really serves.
	t.Run("dashboard", func(t *testing.T) { checkDashboard(t, m) })
}

func checkMetricValues(t *testing.T, m scraped) {
	exact := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"chatbridge_webhooks_total", []string{"channel_type=generic", "outcome=accepted"}, 1},
		{"chatbridge_webhooks_total", []string{"channel_type=generic", "outcome=duplicate"}, 1},
		{"chatbridge_webhooks_total", []string{"channel_type=generic", "outcome=unauthorized"}, 1},
		{"chatbridge_webhooks_total", []string{"channel_type=generic", "outcome=bad_request"}, 1},
		{"chatbridge_webhooks_total", []string{"channel_type=unknown", "outcome=not_found"}, 1},
		{"chatbridge_webhook_duration_seconds", []string{"channel_type=generic"}, 4},
		{"chatbridge_messages_in_total", []string{"channel_type=generic", "duplicate=false"}, 1},
		{"chatbridge_messages_in_total", []string{"channel_type=generic", "duplicate=true"}, 1},
		// Three retries (apptest's outbound_max_retry) before the last attempt fails it.
		{"chatbridge_delivery_attempts_total", []string{"channel_type=generic", "outcome=sent"}, 1},
		{"chatbridge_delivery_attempts_total", []string{"channel_type=generic", "outcome=retry"}, 3},
		{"chatbridge_delivery_attempts_total", []string{"channel_type=generic", "outcome=failed"}, 1},
		{"chatbridge_delivery_latency_seconds", []string{"channel_type=generic"}, 1},
		{"chatbridge_adapter_send_duration_seconds", []string{"channel_type=generic", "outcome=ok"}, 1},
		{"chatbridge_adapter_send_duration_seconds", []string{"channel_type=generic", "outcome=error"}, 4},
		{"chatbridge_messages_out_total", []string{"channel_type=generic", "status=failed"}, 1},
		{"chatbridge_websocket_connections", nil, 1},
		{"chatbridge_websocket_dropped_total", nil, 0},
		{"chatbridge_channels", []string{"channel_type=generic"}, 1},
		{"chatbridge_channels_failing", []string{"channel_type=generic"}, 1},
		{"chatbridge_queue_paused", []string{"queue=outbound"}, 0},
	}
	for _, c := range exact {
		got, ok := m.value(c.name, c.labels...)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	positive := []struct {
		name   string
		labels []string
	}{
		{"chatbridge_websocket_events_total", nil},
		{"chatbridge_queue_processed_total", []string{"queue=outbound"}},
		{"chatbridge_queue_failed_total", []string{"queue=outbound"}},
		{"chatbridge_redis_pool_connections", []string{"state=total"}},
		{"chatbridge_redis_pool_hits_total", nil},
		{"go_sql_open_connections", []string{"db_name=chatbridge"}},
		{"go_sql_max_open_connections", []string{"db_name=chatbridge"}},
		{"chatbridge_http_request_duration_seconds", []string{"route=/webhooks/:type/:channel_id", "method=POST", "status=200"}},
	}
	for _, c := range positive {
		if got, ok := m.value(c.name, c.labels...); !ok || got <= 0 {
			t.Errorf("%s%v = %v (found %v), want > 0", c.name, c.labels, got, ok)
		}
	}
	present := []struct {
		name   string
		labels []string
	}{
		{"chatbridge_queue_tasks", []string{"queue=outbound", "state=pending"}},
		{"chatbridge_queue_tasks", []string{"queue=outbound", "state=archived"}},
		{"chatbridge_queue_latency_seconds", []string{"queue=outbound"}},
		{"chatbridge_redis_pool_wait_duration_seconds_total", nil},
		{"go_sql_wait_count_total", []string{"db_name=chatbridge"}},
	}
	for _, c := range present {
		if _, ok := m.value(c.name, c.labels...); !ok {
			t.Errorf("%s%v is missing", c.name, c.labels)
		}
	}
	for _, name := range []string{"chatbridge_channel_last_in_age_seconds", "chatbridge_channel_stalest_in_age_seconds", "chatbridge_channel_last_out_age_seconds"} {
		if age, ok := m.value(name, "channel_type=generic"); !ok || age < 0 || age > 120 {
			t.Errorf("%s{generic} = %v (found %v), want the age of this test's traffic", name, age, ok)
		}
	}
	// No label carries an id: every value of every label comes from a small set.
	for _, fam := range m {
		for _, s := range fam.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "shop_id" || l.GetName() == "channel_id" || strings.Contains(l.GetValue(), "999999") {
					t.Errorf("%s has an id label %s=%s", fam.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}
