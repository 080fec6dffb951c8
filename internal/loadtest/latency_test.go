package loadtest

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func near(got, want, rel float64) bool { return math.Abs(got-want) <= want*rel }

func TestLatencySummaryAndPercentiles(t *testing.T) {
	l := NewLatency(t0, time.Second)
	// 1..1000 ms, one observation each: p50 = 500 ms, p99 = 990 ms, max = 1000 ms.
	for v := 1; v <= 1000; v++ {
		l.Record(t0, time.Duration(v)*time.Millisecond)
	}
	s := l.Summary()
	if s.Count != 1000 || !near(s.Min, 1, 0.001) || !near(s.Max, 1000, 0.001) {
		t.Fatalf("summary %+v", s)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", s.P50, 500}, {"p90", s.P90, 900}, {"p99", s.P99, 990}, {"p99.9", s.P999, 999}, {"mean", s.Mean, 500.5}} {
		if !near(c.got, c.want, 0.002) { // 3 significant digits
			t.Errorf("%s = %.3f ms, want %.1f ms", c.name, c.got, c.want)
		}
	}
	qs := l.Percentiles()
	if qs[0].Percentile != 0 || qs[len(qs)-1].Percentile != 100 || !near(qs[len(qs)-1].Millis, 1000, 0.001) {
		t.Fatalf("percentiles %+v: want 0 first and 100 (the max) last", qs)
	}
	for _, q := range qs {
		if q.Percentile > 99.9 && q.Percentile < 100 {
			t.Fatalf("percentile %v listed from 1000 observations: it says nothing the max does not", q.Percentile)
		}
	}
	for i := 1; i < len(qs); i++ {
		if qs[i].Millis < qs[i-1].Millis {
			t.Fatalf("percentiles not increasing: %+v", qs)
		}
	}
}

func TestLatencyTimelineIsByDueTime(t *testing.T) {
	l := NewLatency(t0, time.Second)
	l.Record(t0.Add(100*time.Millisecond), 5*time.Millisecond)
	l.Record(t0.Add(900*time.Millisecond), 7*time.Millisecond)
	l.Record(t0.Add(3500*time.Millisecond), 2*time.Second) // a stall in second 3
	l.Record(t0.Add(-time.Second), time.Millisecond)       // due before the start: first interval
	tl := l.Timeline()
	if len(tl) != 2 {
		t.Fatalf("timeline %+v, want intervals 0 and 3", tl)
	}
	if tl[0].At != 0 || tl[0].Count != 3 || !near(tl[0].Max, 7, 0.01) {
		t.Fatalf("interval 0: %+v", tl[0])
	}
	if tl[1].At != 3 || tl[1].Count != 1 || !near(tl[1].P50, 2000, 0.01) {
		t.Fatalf("interval 3: %+v", tl[1])
	}
}

func TestLatencyClampsOutOfRange(t *testing.T) {
	l := NewLatency(t0, time.Second)
	l.Record(t0, -time.Millisecond) // a clock step backwards
	l.Record(t0, time.Hour)
	s := l.Summary()
	if s.Count != 2 || s.Clamps != 2 || !near(s.Max, 600_000, 0.001) {
		t.Fatalf("summary %+v, want both clamped into 1 µs .. 10 min", s)
	}
	if NewLatency(t0, time.Second).Summary().Count != 0 || NewLatency(t0, time.Second).Percentiles() != nil {
		t.Fatal("an empty recorder must report nothing")
	}
}

func TestCounter(t *testing.T) {
	var c Counter
	c.AddStatus(200)
	c.AddStatus(200)
	c.Add("error:timeout")
	snap := c.Snapshot()
	if snap["200"] != 2 || snap["error:timeout"] != 1 || c.Get("503") != 0 {
		t.Fatalf("counts %v", snap)
	}
	snap["200"] = 99
	if c.Get("200") != 2 {
		t.Fatal("a snapshot must be a copy")
	}
}

func sampleReport() *Report {
	ack := NewLatency(t0, time.Second)
	ws := NewLatency(t0, time.Second)
	for i := range 300 {
		due := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		ack.Record(due, time.Duration(5+i%7)*time.Millisecond)
		ws.Record(due, time.Duration(20+i%30)*time.Millisecond)
	}
	return &Report{
		Run: "abc123", Target: "http://127.0.0.1:8080", StartedAt: t0, Mode: modeOpen, Elapsed: 3,
		Settings: Settings{Rate: 100, Duration: "3s", Channels: 2, Buyers: 10, Agents: 3, Concurrency: 16},
		Webhooks: WebhookReport{Sent: 310, New: 300, Redeliveries: 10, Accepted: 300, Duplicate: 10,
			Status: map[string]int64{"200": 310}, PerSecond: 103.3,
			Latency: ack.Summary(), Percentiles: ack.Percentiles(), Timeline: ack.Timeline()},
		Delivery: PathReport{trackCounts: trackCounts{Expected: 300, Seen: 300, Repeats: 600},
			Latency: ws.Summary(), Percentiles: ws.Percentiles(), Timeline: ws.Timeline()},
		Replies:   ReplyReport{Posted: 300, Status: map[string]int64{"202": 300}},
		Callbacks: CallbackReport{PathReport: PathReport{trackCounts: trackCounts{Expected: 300, Seen: 299, Missing: 1}}, Answered: map[string]int64{"200": 299}},
		Sender:    SenderReport{Started: 310},
	}
}

func TestReportFilesAndSummary(t *testing.T) {
	r := sampleReport()
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteFiles(r, dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	ws := back["webhook_to_websocket"].(map[string]any)
	if ws["expected"].(float64) != 300 || ws["seen"].(float64) != 300 || ws["repeated_sightings"].(float64) != 600 {
		t.Fatalf("webhook_to_websocket in JSON: %v", ws)
	}
	if lat := back["webhooks"].(map[string]any)["latency"].(map[string]any); lat["count"].(float64) != 300 {
		t.Fatalf("webhooks.latency in JSON: %v", lat)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.svg")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	WriteSummary(&out, r)
	for _, want := range []string{"load run abc123", "100 webhooks/s for 3s", "310 sent (300 new, 10 redeliveries)",
		"300 of 300 messages seen, 0 missing", "299 of 300 received, 1 missing", "webhook acknowledged", "status 200:310"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}
