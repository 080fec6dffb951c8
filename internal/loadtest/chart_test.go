package loadtest

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from a chart.
type svgDoc struct {
	polylines map[string][]string // class → each line's points
	texts     []string
}

func parseSVG(t *testing.T, raw []byte) svgDoc {
	t.Helper()
	doc := svgDoc{polylines: map[string][]string{}}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	inText := false
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, raw)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Local
			}
			inText = el.Name.Local == "text"
			if el.Name.Local == "polyline" {
				var class, points string
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "class":
						class = a.Value
					case "points":
						points = a.Value
					}
				}
				doc.polylines[class] = append(doc.polylines[class], points)
			}
		case xml.CharData:
			if inText {
				doc.texts = append(doc.texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return doc
}

func TestChartDrawsEveryPath(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := WriteChart(&buf, r); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if bytes.Contains(raw, []byte("NaN")) || bytes.Contains(raw, []byte("Inf")) {
		t.Fatalf("chart has NaN or Inf coordinates:\n%s", raw)
	}
	doc := parseSVG(t, raw)
	// Three paths, each with p50/p99/max over time and one percentile curve; the
	// callback path has no observations, so its lines are missing, not broken.
	for _, class := range []string{"p50", "p99", "max", "latency"} {
		if n := len(doc.polylines[class]); n != 2 {
			t.Errorf("%d %s lines, want 2 (the paths that have data)", n, class)
		}
	}
	// The sample runs 3 s: three timeline points per line.
	if pts := strings.Fields(doc.polylines["p99"][0]); len(pts) != 3 {
		t.Errorf("p99 line has %d points, want 3: %v", len(pts), pts)
	}
	// Every point lies inside the drawing.
	for class, lines := range doc.polylines {
		for _, line := range lines {
			for _, p := range strings.Fields(line) {
				x, y, _ := strings.Cut(p, ",")
				fx, err1 := strconv.ParseFloat(x, 64)
				fy, err2 := strconv.ParseFloat(y, 64)
				if err1 != nil || err2 != nil || fx < 0 || fx > chartWidth || fy < 0 || fy > float64(headHeight+3*rowHeight) {
					t.Fatalf("%s point %q outside the chart", class, p)
				}
			}
		}
	}
	all := strings.Join(doc.texts, "\n")
	for _, want := range []string{"ChatBridge load run abc123", "webhook acknowledged — latency over time",
		"webhook → agent's WebSocket — latency over time", "reply → callback received — latency over time",
		"latency by percentile (n=300)", "no observations", "99%", "99.9%", "seconds since start", "ms"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart lacks the text %q", want)
		}
	}
}

func TestChartOfABaselineAndOfNothing(t *testing.T) {
	r := sampleReport()
	r.Baseline = &BaselineReport{Concurrency: 16, Latency: r.Webhooks.Latency, Percentiles: r.Webhooks.Percentiles, Timeline: r.Webhooks.Timeline}
	var buf bytes.Buffer
	if err := WriteChart(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, buf.Bytes())
	if n := len(doc.polylines["latency"]); n != 3 {
		t.Fatalf("%d percentile curves, want 3 with the baseline", n)
	}
	if !strings.Contains(strings.Join(doc.texts, "\n"), "baseline: plain single-row insert") {
		t.Fatal("baseline row missing")
	}

	buf.Reset()
	if err := WriteChart(&buf, &Report{Run: "empty", Mode: modeClosed}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("NaN")) {
		t.Fatalf("empty chart has NaN:\n%s", buf.Bytes())
	}
	if doc := parseSVG(t, buf.Bytes()); len(doc.polylines) != 0 {
		t.Fatalf("empty report drew lines: %v", doc.polylines)
	}
}

func TestAxes(t *testing.T) {
	a := logAxis([][2]float64{{0, 3}, {1, 250}})
	if a.min != 1 || a.max != 1000 || len(a.ticks) != 4 {
		t.Fatalf("log axis %+v, want 1..1000 ms in four decades", a)
	}
	if p := a.pos(10); !near(p, 1.0/3, 1e-9) {
		t.Fatalf("10 ms at %.3f of 1..1000, want 1/3", p)
	}
	l := linearAxis(0, 47)
	if l.max != 50 || l.ticks[1] != 10 {
		t.Fatalf("linear axis %+v, want 0..50 by 10", l)
	}
	if x := percentileX(99); !near(x, 2, 1e-9) {
		t.Fatalf("99%% at %v, want 2", x)
	}
	if got := percentileLabel(3); got != "99.9%" {
		t.Fatalf("label of 3 = %q", got)
	}
}
