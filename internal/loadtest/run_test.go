package loadtest_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/loadtest"
)

// A short run against the real application on MariaDB and Redis: every number of the
// report must add up — each new message acknowledged and seen on an agent's socket,
// each redelivery answered duplicate, each reply delivered to the receiver — with no
// error of any kind. Timings are reported, never asserted.
func TestLoadRunAgainstTheRealApp(t *testing.T) {
	cfg := apptest.Config(t)
	inst := apptest.Start(t, cfg, app.Roles{Serve: true, Work: true})

	o := loadtest.DefaultOptions()
	o.URL = inst.URL
	o.AdminPassword = apptest.AdminPassword
	o.Channels, o.Buyers, o.Agents = 2, 6, 3
	o.Rate, o.Duration, o.Redeliver = 25, 3*time.Second, 0.2
	o.Drain = 30 * time.Second
	o.Out = filepath.Join(t.TempDir(), "report")

	r, err := loadtest.Run(context.Background(), o, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	var summary bytes.Buffer
	loadtest.WriteSummary(&summary, r)
	t.Log("\n" + summary.String())

	wh := r.Webhooks
	if r.Sender.Started != 75 || wh.Sent != 75 || wh.New+wh.Redeliveries != wh.Sent {
		t.Errorf("sent %d webhooks (%d started, %d new + %d redeliveries), want 75 at 25/s for 3 s", wh.Sent, r.Sender.Started, wh.New, wh.Redeliveries)
	}
	if wh.Redeliveries == 0 {
		t.Error("no redeliveries at a 20% share")
	}
	if wh.Accepted != wh.New || wh.Duplicate != wh.Redeliveries || wh.Wrong != 0 || wh.Status["200"] != wh.Sent || len(wh.Status) != 1 {
		t.Errorf("webhooks: %d new → %d accepted, %d redeliveries → %d duplicate, %d wrong, status %v", wh.New, wh.Accepted, wh.Redeliveries, wh.Duplicate, wh.Wrong, wh.Status)
	}
	if wh.Latency.Count != wh.Sent {
		t.Errorf("%d acknowledgement latencies for %d webhooks", wh.Latency.Count, wh.Sent)
	}

	d := r.Delivery
	if d.Expected != wh.Accepted || d.Seen != d.Expected || d.Missing != 0 || d.SeenUnconfirmed != 0 || d.Strays != 0 || d.Latency.Count != d.Seen {
		t.Errorf("webhook → WebSocket: expected %d, seen %d, missing %d, unconfirmed %d, strays %d, latencies %d; for %d accepted messages",
			d.Expected, d.Seen, d.Missing, d.SeenUnconfirmed, d.Strays, d.Latency.Count, wh.Accepted)
	}
	// Every agent of the shop gets every message: two further sightings each.
	if d.Repeats != 2*d.Seen {
		t.Errorf("%d further sightings of %d messages by 3 agents, want %d", d.Repeats, d.Seen, 2*d.Seen)
	}

	rp := r.Replies
	if rp.Posted != d.Seen || rp.Status["202"] != rp.Posted || len(rp.Status) != 1 || rp.NotQueued != 0 {
		t.Errorf("replies: %d posted for %d messages seen, status %v, %d not queued", rp.Posted, d.Seen, rp.Status, rp.NotQueued)
	}
	cb := r.Callbacks
	if cb.Expected != rp.Posted || cb.Seen != cb.Expected || cb.Missing != 0 || cb.BadSignature != 0 || cb.Answered["200"] != cb.Seen+cb.Redelivered+cb.Unsolicited {
		t.Errorf("reply → callback: expected %d, seen %d, missing %d, bad signatures %d, greetings %d, answered %v",
			cb.Expected, cb.Seen, cb.Missing, cb.BadSignature, cb.Unsolicited, cb.Answered)
	}
	// The shop greets each new chat once: at most one greeting per conversation.
	if conversations := int64(o.Channels * o.Buyers); cb.Unsolicited > conversations {
		t.Errorf("%d greetings for %d conversations", cb.Unsolicited, conversations)
	}

	if err := loadtest.WriteFiles(r, o.Out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.json", "report.svg"} {
		if st, err := os.Stat(filepath.Join(o.Out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
