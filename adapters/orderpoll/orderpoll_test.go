package orderpoll

import (
	"testing"
	"time"
)

var spec = Spec{Span: 30 * time.Minute, Lag: 3 * time.Minute, Lookback: time.Hour, PageSize: 100}

func TestFirstCursorStartsLookbackAgo(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c, ok, err := Start("", now, spec)
	if err != nil || !ok {
		t.Fatal(err, ok)
	}
	if c.From != now.Add(-time.Hour).Unix() || c.To != c.From+1799 || c.Page != 1 || c.Last != 0 {
		t.Fatalf("first cursor %+v", c)
	}
}

// A window of 250 orders: page 1 tells the total and does not count, then 3, 2, 1.
func TestPagesAreReadBackwards(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c, _, _ := Start("", now, spec)
	var pages []int
	var kept []bool
	for range 10 {
		next, keep, more := Next(c, 250, now, spec)
		pages, kept = append(pages, c.Page), append(kept, keep)
		if next.From != c.From {
			break
		}
		if !more {
			t.Fatal("more pages of the window, but More is false")
		}
		raw := next.String()
		if c, _, _ = Start(raw, now, spec); c != next {
			t.Fatalf("cursor %s reads back as %+v", raw, c)
		}
	}
	if want := []int{1, 3, 2, 1}; len(pages) != 4 || pages[0] != 1 || pages[1] != 3 || pages[2] != 2 || pages[3] != 1 {
		t.Fatalf("pages read %v, want %v", pages, want)
	}
	if kept[0] || !kept[1] || !kept[2] || !kept[3] {
		t.Fatalf("kept %v: the first page 1 only tells the total", kept)
	}
}

// Windows follow each other without overlap or gap and stop Lag before the clock.
func TestWindowsAdvanceUntilTheLag(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c, _, _ := Start("", now, spec)
	prevTo := c.From - 1
	for i := 0; ; i++ {
		if i > 10 {
			t.Fatal("windows do not reach the clock")
		}
		if c.From != prevTo+1 {
			t.Fatalf("window %d starts at %d, the last ended at %d", i, c.From, prevTo)
		}
		if c.To > now.Add(-spec.Lag).Unix() {
			t.Fatalf("window %d ends at %d, after now-lag", i, c.To)
		}
		prevTo = c.To
		next, _, more := Next(c, 0, now, spec)
		if !more {
			if _, ok, _ := Start(next.String(), now, spec); ok {
				t.Fatal("a window opens although the last one reached now-lag")
			}
			if _, ok, _ := Start(next.String(), now.Add(time.Minute), spec); !ok {
				t.Fatal("a minute later the next window does not open")
			}
			return
		}
		c, _, _ = Start(next.String(), now, spec)
	}
}

func TestForeignCursorIsRefused(t *testing.T) {
	for _, raw := range []string{"confirm:1,2", `{"from":0,"page":1}`, `{"from":5,"page":0}`} {
		if _, _, err := Start(raw, time.Now(), spec); err == nil {
			t.Errorf("cursor %q accepted", raw)
		}
	}
}
