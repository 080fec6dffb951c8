package loadtest

import (
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs to 10 minutes. Whole-run histograms keep 3 significant digits
// (0.1% error), the per-interval ones of the timeline 2 (1%), which keeps a long run's
// timeline to a few kilobytes per second.
const (
	lowestMicros  = 1
	highestMicros = int64(10 * time.Minute / time.Microsecond)
)

// Latency records one measured path (e.g. webhook acknowledged): an HDR histogram of the
// whole run and one per interval of the run, keyed by when the measured request was due,
// for the latency-over-time chart. It is safe for concurrent use.
type Latency struct {
	mu        sync.Mutex
	start     time.Time
	interval  time.Duration
	total     *hdrhistogram.Histogram
	intervals map[int64]*hdrhistogram.Histogram
	clamped   int64
}

// NewLatency returns an empty recorder whose timeline starts at start in steps of interval.
func NewLatency(start time.Time, interval time.Duration) *Latency {
	if interval <= 0 {
		interval = time.Second
	}
	return &Latency{
		start: start, interval: interval,
		total:     hdrhistogram.New(lowestMicros, highestMicros, 3),
		intervals: map[int64]*hdrhistogram.Histogram{},
	}
}

// Record adds one observation d of a request that was due at due. Values outside the
// histogram's range are clamped to it (and counted as clamped).
func (l *Latency) Record(due time.Time, d time.Duration) {
	us := d.Microseconds()
	clamped := false
	if us < lowestMicros {
		us, clamped = lowestMicros, d < 0
	}
	if us > highestMicros {
		us, clamped = highestMicros, true
	}
	slot := int64(0)
	if due.After(l.start) {
		slot = int64(due.Sub(l.start) / l.interval)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if clamped {
		l.clamped++
	}
	_ = l.total.RecordValue(us) // in range by construction
	h := l.intervals[slot]
	if h == nil {
		h = hdrhistogram.New(lowestMicros, highestMicros, 2)
		l.intervals[slot] = h
	}
	_ = h.RecordValue(us)
}

// Summary is a latency distribution in milliseconds.
type Summary struct {
	Count  int64   `json:"count"`
	Min    float64 `json:"min_ms"`
	Mean   float64 `json:"mean_ms"`
	P50    float64 `json:"p50_ms"`
	P90    float64 `json:"p90_ms"`
	P99    float64 `json:"p99_ms"`
	P999   float64 `json:"p99_9_ms"`
	Max    float64 `json:"max_ms"`
	Clamps int64   `json:"clamped,omitempty"`
}

// Quantile is one point of the percentile distribution (HdrHistogram's percentile
// output): the latency at or below which Percentile percent of observations fell.
type Quantile struct {
	Percentile float64 `json:"percentile"`
	Millis     float64 `json:"ms"`
}

// Point is one interval of the timeline.
type Point struct {
	At    float64 `json:"t_s"` // start of the interval, seconds since the run started
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

func ms(us int64) float64 { return float64(us) / 1000 }

// Summary answers the run's distribution.
func (l *Latency) Summary() Summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.total
	if h.TotalCount() == 0 {
		return Summary{}
	}
	return Summary{
		Count: h.TotalCount(), Min: ms(h.Min()), Mean: math.Round(h.Mean()) / 1000,
		P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)), P99: ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max()), Clamps: l.clamped,
	}
}

// Percentiles answers the distribution at the percentiles an HDR plot shows, from 0 to
// the highest one the observations resolve (99.9999 needs a million of them).
func (l *Latency) Percentiles() []Quantile {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.total.TotalCount()
	if n == 0 {
		return nil
	}
	var out []Quantile
	for _, p := range []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 99.9999} {
		// A percentile past 1 - 1/n says nothing more than the maximum does.
		if (100-p)/100*float64(n) < 1 {
			break
		}
		out = append(out, Quantile{Percentile: p, Millis: ms(l.total.ValueAtQuantile(p))})
	}
	return append(out, Quantile{Percentile: 100, Millis: ms(l.total.Max())})
}

// Timeline answers one point per interval that saw observations, in time order.
func (l *Latency) Timeline() []Point {
	l.mu.Lock()
	defer l.mu.Unlock()
	slots := make([]int64, 0, len(l.intervals))
	for s := range l.intervals {
		slots = append(slots, s)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i] < slots[j] })
	out := make([]Point, 0, len(slots))
	for _, s := range slots {
		h := l.intervals[s]
		out = append(out, Point{
			At: (time.Duration(s) * l.interval).Seconds(), Count: h.TotalCount(),
			P50: ms(h.ValueAtQuantile(50)), P99: ms(h.ValueAtQuantile(99)), Max: ms(h.Max()),
		})
	}
	return out
}

// Counter counts outcomes by name (an HTTP status such as "200", or "error:timeout").
type Counter struct {
	mu sync.Mutex
	m  map[string]int64
}

// Add counts one outcome.
func (c *Counter) Add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int64{}
	}
	c.m[name]++
}

// AddStatus counts an HTTP status code.
func (c *Counter) AddStatus(code int) { c.Add(strconv.Itoa(code)) }

// Get returns one count.
func (c *Counter) Get(name string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// Snapshot copies the counts.
func (c *Counter) Snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}
