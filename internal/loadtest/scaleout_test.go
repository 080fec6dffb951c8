package loadtest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/loadtest"
)

// The scale-out topology of `docker compose --profile scale` in one test: two serve
// processes and two worker processes on one MariaDB database and one Redis. The load
// tool sends its webhooks through both serve instances in turn, half of its agents are
// connected to each, and every accepted buyer message must reach the agents of both
// instances — whichever instance took it — while the replies posted on either are
// delivered by the workers. Timings are reported, never asserted.
func TestScaleOutTwoServeTwoWorkers(t *testing.T) {
	cfg := apptest.Config(t)
	serveA := apptest.Start(t, cfg, app.Roles{Serve: true})
	serveB := apptest.Start(t, cfg, app.Roles{Serve: true})
	workerA := apptest.Start(t, cfg, app.Roles{Work: true})
	workerB := apptest.Start(t, cfg, app.Roles{Work: true})

	o := loadtest.DefaultOptions()
	o.URL = serveA.URL + "," + serveB.URL
	o.AdminPassword = apptest.AdminPassword
	// Many buyers, so that two first messages of one buyer rarely race: that contention
	// is the inbox's own subject (a webhook it cannot commit is answered 503 for the
	// platform to send again), not this test's.
	o.Channels, o.Buyers, o.Agents = 2, 100, 4
	o.Rate, o.Duration, o.Redeliver = 30, 3*time.Second, 0.1
	o.Drain = 30 * time.Second
	r, err := loadtest.Run(context.Background(), o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	loadtest.WriteSummary(&summary, r)
	t.Log("\n" + summary.String())

	wh := r.Webhooks
	if wh.Sent != 90 || wh.Accepted != wh.New || wh.Duplicate != wh.Redeliveries || wh.Wrong != 0 || wh.Status["200"] != wh.Sent {
		t.Errorf("webhooks: %d sent, %d new → %d accepted, %d redeliveries → %d duplicate, %d wrong, status %v",
			wh.Sent, wh.New, wh.Accepted, wh.Redeliveries, wh.Duplicate, wh.Wrong, wh.Status)
	}
	if len(r.Targets) != 2 {
		t.Fatalf("report has %d instances, want 2", len(r.Targets))
	}
	for _, tg := range r.Targets {
		// Redeliveries of a message are often sent to the other instance than its first
		// delivery: the duplicate is caught by the shared database either way.
		if tg.Webhooks != wh.Sent/2 || tg.Agents != 2 || tg.Replies == 0 {
			t.Errorf("%s: %d webhooks (want %d), %d agents (want 2), %d replies", tg.URL, tg.Webhooks, wh.Sent/2, tg.Agents, tg.Replies)
		}
		if tg.Expected != wh.Accepted || tg.Seen != tg.Expected || tg.Missing != 0 || tg.SeenUnconfirmed != 0 {
			t.Errorf("%s: its agents saw %d of %d accepted messages, %d missing, %d unconfirmed", tg.URL, tg.Seen, wh.Accepted, tg.Missing, tg.SeenUnconfirmed)
		}
	}
	d := r.Delivery
	if d.Expected != wh.Accepted || d.Seen != d.Expected || d.Missing != 0 || d.Repeats != 3*d.Seen {
		t.Errorf("webhook → WebSocket: %d of %d seen, %d missing, %d further sightings (want %d: four agents each)", d.Seen, d.Expected, d.Missing, d.Repeats, 3*d.Seen)
	}
	cb := r.Callbacks
	if r.Replies.Posted != d.Seen || cb.Expected != r.Replies.Posted || cb.Seen != cb.Expected || cb.Missing != 0 || cb.BadSignature != 0 {
		t.Errorf("replies: %d posted for %d messages; callbacks %d of %d, %d missing, %d bad signatures",
			r.Replies.Posted, d.Seen, cb.Seen, cb.Expected, cb.Missing, cb.BadSignature)
	}

	// Both workers took deliveries off the shared queue; each serve instance holds its
	// own agents' sockets.
	for name, inst := range map[string]*apptest.Instance{"worker A": workerA, "worker B": workerB} {
		if n := metric(t, inst, "chatbridge_tasks_total", `type="message:send"`, `outcome="ok"`); n == 0 {
			t.Errorf("%s delivered no reply", name)
		} else {
			t.Logf("%s delivered %v replies", name, n)
		}
	}
	for name, inst := range map[string]*apptest.Instance{"serve A": serveA, "serve B": serveB} {
		if n := metric(t, inst, "chatbridge_webhooks_total", `channel_type="generic"`, `outcome="accepted"`); n == 0 {
			t.Errorf("%s accepted no webhook", name)
		}
	}
}

// metric sums the samples of a counter or gauge of an instance's /metrics whose labels
// include every given name="value".
func metric(t *testing.T, inst *apptest.Instance, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get(inst.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, m := range fams[name].GetMetric() {
		var have []string
		for _, l := range m.GetLabel() {
			have = append(have, l.GetName()+`="`+l.GetValue()+`"`)
		}
		all := strings.Join(have, ",")
		match := true
		for _, l := range labels {
			match = match && strings.Contains(all, l)
		}
		if match {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}
