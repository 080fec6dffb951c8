package loadtest

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// The chart is plain SVG written here: two kinds of line plot (latency over time,
// latency by percentile) do not justify a plotting library and its fonts.

const (
	chartWidth  = 1200
	rowHeight   = 280
	headHeight  = 70
	panelLeft   = 70
	panelGap    = 110
	panelWidth  = (chartWidth - 2*panelLeft - panelGap + 40) / 2
	panelHeight = 190
)

// chartRow is one measured path: its timeline and its percentile distribution.
type chartRow struct {
	title       string
	timeline    []Point
	percentiles []Quantile
	count       int64
}

// WriteChart draws the report as an SVG a person can read: for each path, latency over
// the run (p50, p99 and max of each interval, log scale) beside its latency by
// percentile (HdrHistogram's plot: the x axis stretches the tail, 90% → 99.99%).
func WriteChart(w io.Writer, r *Report) error {
	rows := []chartRow{
		{"webhook acknowledged", r.Webhooks.Timeline, r.Webhooks.Percentiles, r.Webhooks.Latency.Count},
		{"webhook → agent's WebSocket", r.Delivery.Timeline, r.Delivery.Percentiles, r.Delivery.Latency.Count},
		{"reply → callback received", r.Callbacks.Timeline, r.Callbacks.Percentiles, r.Callbacks.Latency.Count},
	}
	if b := r.Baseline; b != nil {
		row := chartRow{"baseline: plain single-row insert", b.Timeline, b.Percentiles, b.Latency.Count}
		if r.baselineOnly() {
			rows = nil
		}
		rows = append(rows, row)
	}
	bw := bufio.NewWriter(w)
	height := headHeight + len(rows)*rowHeight
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="white"/>`+"\n", chartWidth, height)
	text(bw, panelLeft, 28, "start", 18, fmt.Sprintf("ChatBridge load run %s — %s, %s", r.Run, r.Mode, rateText(r)))
	text(bw, panelLeft, 50, "start", 12, fmt.Sprintf("%s · %d channels × %d buyers · %d agents · started %s",
		r.Target, r.Settings.Channels, r.Settings.Buyers, r.Settings.Agents, r.StartedAt.Format("2006-01-02 15:04:05 UTC")))
	for i, row := range rows {
		y := float64(headHeight + i*rowHeight + 30)
		timePanel(bw, row, panelLeft, y)
		percentilePanel(bw, row, panelLeft+panelWidth+panelGap, y)
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

var seriesColors = map[string]string{"p50": "#1f77b4", "p99": "#ff7f0e", "max": "#d62728", "latency": "#2ca02c"}

func timePanel(w io.Writer, row chartRow, x, y float64) {
	text(w, x, y-10, "start", 14, row.title+" — latency over time")
	var p50, p99, mx [][2]float64
	tMax := 1.0
	for _, p := range row.timeline {
		p50 = append(p50, [2]float64{p.At, p.P50})
		p99 = append(p99, [2]float64{p.At, p.P99})
		mx = append(mx, [2]float64{p.At, p.Max})
		tMax = math.Max(tMax, p.At+1)
	}
	ys := logAxis(append(append(append([][2]float64{}, p50...), p99...), mx...))
	xs := linearAxis(0, tMax)
	frame(w, x, y, xs, ys, "seconds since start", func(v float64) string { return trimFloat(v) + " s" })
	for _, s := range []struct {
		name string
		pts  [][2]float64
	}{{"p50", p50}, {"p99", p99}, {"max", mx}} {
		polyline(w, x, y, xs, ys, s.pts, seriesColors[s.name], s.name)
	}
	legend(w, x+panelWidth-150, y+14, []string{"p50", "p99", "max"})
	if len(row.timeline) == 0 {
		text(w, x+panelWidth/2, y+panelHeight/2, "middle", 13, "no observations")
	}
}

func percentilePanel(w io.Writer, row chartRow, x, y float64) {
	text(w, x, y-10, "start", 14, fmt.Sprintf("latency by percentile (n=%d)", row.count))
	var pts [][2]float64
	last := 0.0
	for _, q := range row.percentiles {
		px := percentileX(q.Percentile)
		if q.Percentile >= 100 {
			px = last + 0.5
		}
		last = px
		pts = append(pts, [2]float64{px, q.Millis})
	}
	xs := axis{min: 0, max: math.Max(3, math.Ceil(last))}
	for d := 0.0; d <= xs.max; d++ {
		xs.ticks = append(xs.ticks, d)
	}
	ys := logAxis(pts)
	frame(w, x, y, xs, ys, "percentile", func(v float64) string { return percentileLabel(v) })
	polyline(w, x, y, xs, ys, pts, seriesColors["latency"], "latency")
	for _, p := range pts {
		cx, cy := x+xs.pos(p[0])*panelWidth, y+panelHeight-ys.pos(p[1])*panelHeight
		fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", cx, cy, seriesColors["latency"])
	}
	if len(pts) == 0 {
		text(w, x+panelWidth/2, y+panelHeight/2, "middle", 13, "no observations")
	}
}

// percentileX places a percentile on HdrHistogram's axis: log10(1/(1-p)), so 90% is 1,
// 99% is 2, 99.9% is 3.
func percentileX(p float64) float64 {
	if p >= 100 {
		return math.Inf(1)
	}
	return math.Log10(100 / (100 - p))
}

func percentileLabel(x float64) string {
	if x == 0 {
		return "0%"
	}
	return trimFloat(100-100/math.Pow(10, x)) + "%"
}

// axis maps values to [0, 1] of a panel side, linearly or on log10.
type axis struct {
	min, max float64
	log      bool
	ticks    []float64
}

func (a axis) pos(v float64) float64 {
	if a.log {
		v, lo, hi := math.Log10(math.Max(v, a.min)), math.Log10(a.min), math.Log10(a.max)
		return (v - lo) / (hi - lo)
	}
	return (v - a.min) / (a.max - a.min)
}

// logAxis spans the decades the points' y values fall in (milliseconds).
func logAxis(pts [][2]float64) axis {
	lo, hi := math.Inf(1), 0.0
	for _, p := range pts {
		if p[1] > 0 {
			lo, hi = math.Min(lo, p[1]), math.Max(hi, p[1])
		}
	}
	if hi == 0 {
		lo, hi = 1, 1000
	}
	a := axis{min: math.Pow(10, math.Floor(math.Log10(lo))), max: math.Pow(10, math.Ceil(math.Log10(hi))), log: true}
	if a.max <= a.min {
		a.max = a.min * 10
	}
	for v := a.min; v <= a.max*1.0001; v *= 10 {
		a.ticks = append(a.ticks, v)
	}
	return a
}

// linearAxis spans [lo, hi] with about six round ticks.
func linearAxis(lo, hi float64) axis {
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(step*m) <= 6 {
			step *= m
			break
		}
	}
	a := axis{min: lo, max: math.Ceil(hi/step) * step}
	for v := lo; v <= a.max+step/2; v += step {
		a.ticks = append(a.ticks, v)
	}
	return a
}

// frame draws a panel's box, grid and tick labels.
func frame(w io.Writer, x, y float64, xs, ys axis, xTitle string, xLabel func(float64) string) {
	fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="none" stroke="#444"/>`+"\n", x, y, panelWidth, panelHeight)
	for _, t := range ys.ticks {
		ty := y + panelHeight - ys.pos(t)*panelHeight
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, ty, x+panelWidth, ty)
		text(w, x-6, ty+4, "end", 11, durationLabel(t))
	}
	for _, t := range xs.ticks {
		tx := x + xs.pos(t)*panelWidth
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", tx, y, tx, y+panelHeight)
		text(w, tx, y+panelHeight+15, "middle", 11, xLabel(t))
	}
	text(w, x+panelWidth/2, y+panelHeight+32, "middle", 11, xTitle)
}

func polyline(w io.Writer, x, y float64, xs, ys axis, pts [][2]float64, color, name string) {
	if len(pts) == 0 {
		return
	}
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x+xs.pos(p[0])*panelWidth, y+panelHeight-ys.pos(p[1])*panelHeight)
	}
	fmt.Fprintf(w, `<polyline class="%s" points="%s" fill="none" stroke="%s" stroke-width="1.6"/>`+"\n", name, b.String(), color)
}

func legend(w io.Writer, x, y float64, names []string) {
	for i, n := range names {
		lx := x + float64(i)*50
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", lx, y, lx+16, y, seriesColors[n])
		text(w, lx+20, y+4, "start", 11, n)
	}
}

func text(w io.Writer, x, y float64, anchor string, size int, s string) {
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%d">`, x, y, anchor, size)
	_ = xml.EscapeText(w, []byte(s))
	fmt.Fprintln(w, "</text>")
}

// durationLabel renders a tick in milliseconds: 0.1 ms, 100 ms, 10 s.
func durationLabel(ms float64) string {
	if ms >= 1000 {
		return trimFloat(ms/1000) + " s"
	}
	return trimFloat(ms) + " ms"
}

// trimFloat renders a tick value without trailing zeros: 0.1, 1, 99.9, 1000.
func trimFloat(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
