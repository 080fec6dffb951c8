package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Report is the outcome of a load run, written as report.json.
type Report struct {
	Run       string    `json:"run"`
	Target    string    `json:"target"`
	StartedAt time.Time `json:"started_at"`
	// Mode is open-loop (a fixed arrival rate, latencies from each request's due time)
	// or closed-loop (as fast as Concurrency senders go).
	Mode     string   `json:"mode"`
	Settings Settings `json:"settings"`
	Elapsed  float64  `json:"send_elapsed_s"`

	Webhooks  WebhookReport   `json:"webhooks"`
	Delivery  PathReport      `json:"webhook_to_websocket"`
	Replies   ReplyReport     `json:"replies"`
	Callbacks CallbackReport  `json:"reply_to_callback"`
	Sender    SenderReport    `json:"sender"`
	Baseline  *BaselineReport `json:"baseline,omitempty"`
}

// Settings echo the options that shaped the run.
type Settings struct {
	Rate        float64 `json:"rate"`
	Duration    string  `json:"duration"`
	Channels    int     `json:"channels"`
	Buyers      int     `json:"buyers_per_channel"`
	Agents      int     `json:"agents"`
	Concurrency int     `json:"concurrency"`
	MaxInFlight int     `json:"max_inflight"`
	Redeliver   float64 `json:"redeliver"`
	ReplyShare  float64 `json:"reply_share"`
	Callback    string  `json:"callback_behaviour"`
}

// WebhookReport is the platform side: webhooks sent and how they were answered.
type WebhookReport struct {
	Sent         int64 `json:"sent"`
	New          int64 `json:"new"`
	Redeliveries int64 `json:"redeliveries"`
	Accepted     int64 `json:"accepted"`
	Duplicate    int64 `json:"duplicate"`
	// Wrong counts 200 answers that contradict the contract: a new message answered
	// duplicate, or a redelivery answered accepted (stored twice).
	Wrong       int64            `json:"wrong_answers"`
	Status      map[string]int64 `json:"status"`
	PerSecond   float64          `json:"acknowledged_per_s"`
	Latency     Summary          `json:"latency"`
	Percentiles []Quantile       `json:"percentiles"`
	Timeline    []Point          `json:"timeline"`
}

// PathReport is one end-to-end path: how many items arrived and how fast.
type PathReport struct {
	trackCounts
	PerSecond   float64    `json:"seen_per_s"`
	Latency     Summary    `json:"latency"`
	Percentiles []Quantile `json:"percentiles"`
	Timeline    []Point    `json:"timeline"`
}

// ReplyReport is the agents' replies as posted.
type ReplyReport struct {
	Posted     int64            `json:"posted"`
	Status     map[string]int64 `json:"status"`
	NotQueued  int64            `json:"not_queued,omitempty"`
	Latency    Summary          `json:"latency"`
	Reconnects int64            `json:"websocket_reconnects"`
	Frames     int64            `json:"websocket_frames"`
}

// CallbackReport is the receiver's side of outbound delivery.
type CallbackReport struct {
	PathReport
	Answered     map[string]int64 `json:"answered"`
	BadSignature int64            `json:"bad_signature"`
	Redelivered  int64            `json:"redelivered"`
	OtherEvents  int64            `json:"other_events,omitempty"`
	// Unsolicited counts messages no agent of the run posted: the greeting the shop
	// sends when a new chat is first assigned, once per conversation.
	Unsolicited int64 `json:"unsolicited,omitempty"`
}

// SenderReport tells whether the generator kept its schedule: a large lag means the
// load tool itself (CPU, -max-inflight) held requests back; that time is inside every
// open-loop latency above.
type SenderReport struct {
	Started      int64   `json:"started"`
	PeakInFlight int64   `json:"peak_inflight,omitempty"`
	Lag          Summary `json:"schedule_lag"`
}

func pathReport(t *tracker, elapsed float64) PathReport {
	c := t.counts()
	return PathReport{trackCounts: c, PerSecond: float64(c.Seen) / elapsed,
		Latency: t.lat.Summary(), Percentiles: t.lat.Percentiles(), Timeline: t.lat.Timeline()}
}

// WriteFiles writes report.json and report.svg into dir.
func WriteFiles(r *Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "report.svg"))
	if err != nil {
		return err
	}
	if err := WriteChart(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteSummary prints the figures a person reads first.
func WriteSummary(w io.Writer, r *Report) {
	line := func(name string, s Summary) {
		fmt.Fprintf(w, "  %-24s n=%-8d p50 %8.1f ms  p90 %8.1f ms  p99 %8.1f ms  p99.9 %8.1f ms  max %8.1f ms\n",
			name, s.Count, s.P50, s.P90, s.P99, s.P999, s.Max)
	}
	if r.baselineOnly() {
		b := r.Baseline
		fmt.Fprintf(w, "baseline: %d plain single-row inserts with %d connections in %.1f s, %.0f/s; errors %s\n",
			b.Inserts, b.Concurrency, b.Elapsed, b.PerSecond, statusText(b.Errors))
		line("insert committed", b.Latency)
		return
	}
	fmt.Fprintf(w, "load run %s against %s: %s, %s, %d channels x %d buyers, %d agents\n",
		r.Run, r.Target, r.Mode, rateText(r), r.Settings.Channels, r.Settings.Buyers, r.Settings.Agents)
	wh := r.Webhooks
	fmt.Fprintf(w, "  webhooks: %d sent (%d new, %d redeliveries), %d accepted, %d duplicate, %d wrong; %.1f/s acknowledged; status %s\n",
		wh.Sent, wh.New, wh.Redeliveries, wh.Accepted, wh.Duplicate, wh.Wrong, wh.PerSecond, statusText(wh.Status))
	fmt.Fprintf(w, "  websocket: %d of %d messages seen, %d missing (%d further sightings, %d reconnects)\n",
		r.Delivery.Seen, r.Delivery.Expected, r.Delivery.Missing, r.Delivery.Repeats, r.Replies.Reconnects)
	fmt.Fprintf(w, "  replies: %d posted, status %s; callbacks: %d of %d received, %d missing, %d bad signatures, %d greetings, answered %s\n",
		r.Replies.Posted, statusText(r.Replies.Status), r.Callbacks.Seen, r.Callbacks.Expected, r.Callbacks.Missing,
		r.Callbacks.BadSignature, r.Callbacks.Unsolicited, statusText(r.Callbacks.Answered))
	line("webhook acknowledged", wh.Latency)
	line("webhook -> websocket", r.Delivery.Latency)
	line("reply posted (202)", r.Replies.Latency)
	line("reply -> callback", r.Callbacks.Latency)
	if r.Mode == modeOpen {
		line("sender schedule lag", r.Sender.Lag)
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "  baseline: %d plain single-row inserts with %d connections, %.0f/s\n", b.Inserts, b.Concurrency, b.PerSecond)
		line("baseline insert", b.Latency)
	}
}

// baselineOnly tells a report of `chatbridge load baseline`, which sent no webhooks.
func (r *Report) baselineOnly() bool { return r.Baseline != nil && r.Webhooks.Sent == 0 }

func rateText(r *Report) string {
	if r.Mode == modeClosed {
		return fmt.Sprintf("%d senders for %s", r.Settings.Concurrency, r.Settings.Duration)
	}
	return fmt.Sprintf("%.0f webhooks/s for %s", r.Settings.Rate, r.Settings.Duration)
}

func statusText(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
