package loadtest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock moves only when told: sleeping jumps to the wake-up time at once.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err() == nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)

// call is one call the pacer made.
type call struct {
	i        int64
	due, now time.Time
}

type calls struct {
	mu   sync.Mutex
	list []call
}

func (c *calls) add(x call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, x)
}

func TestPacerKeepsTheScheduleExactly(t *testing.T) {
	clock := &fakeClock{now: t0}
	var got calls
	p := &Pacer{Rate: 100, MaxInFlight: 10, Clock: clock}
	stats := p.Run(context.Background(), t0, time.Second, func(_ context.Context, i int64, due time.Time) {
		got.add(call{i: i, due: due, now: clock.Now()})
	})
	if stats.Started != 100 || len(got.list) != 100 {
		t.Fatalf("started %d, called %d; want 100 calls in 1 s at 100/s", stats.Started, len(got.list))
	}
	seen := map[int64]bool{}
	for _, c := range got.list {
		if want := t0.Add(time.Duration(c.i) * 10 * time.Millisecond); !c.due.Equal(want) {
			t.Fatalf("call %d due %s, want %s", c.i, c.due, want)
		}
		seen[c.i] = true
	}
	if len(seen) != 100 {
		t.Fatalf("%d distinct calls, want 100", len(seen))
	}
	// Every call went out at its due time: the dispatcher's lag is zero throughout.
	if s := stats.Lag.Summary(); s.Count != 100 || s.Max > 0.001 {
		t.Fatalf("lag %+v, want 100 calls started on time", s)
	}
}

// A stalled server does not slow the pacer down: every call still starts at its own due
// time, all of them outstanding at once.
func TestPacerDoesNotWaitForSlowCalls(t *testing.T) {
	clock := &fakeClock{now: t0}
	release := make(chan struct{})
	var entered atomic.Int64
	var got calls
	done := make(chan PaceStats)
	go func() {
		p := &Pacer{Rate: 50, MaxInFlight: 1000, Clock: clock}
		done <- p.Run(context.Background(), t0, 2*time.Second, func(_ context.Context, i int64, due time.Time) {
			got.add(call{i: i, due: due, now: clock.Now()})
			entered.Add(1)
			<-release // the server answers nothing until released
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for entered.Load() < 100 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 100 calls started while the first ones were stalled", entered.Load())
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	stats := <-done
	if stats.PeakInFlight != 100 {
		t.Fatalf("peak in flight %d, want all 100 outstanding at once", stats.PeakInFlight)
	}
	for _, c := range got.list {
		if want := t0.Add(time.Duration(c.i) * 20 * time.Millisecond); !c.due.Equal(want) {
			t.Fatalf("call %d due %s, want %s", c.i, c.due, want)
		}
	}
	if s := stats.Lag.Summary(); s.Count != 100 || s.Max > 0.001 {
		t.Fatalf("lag %+v, want every call started at its due time", s)
	}
}

// When the in-flight limit holds calls back, they go out late but keep their due time,
// so the wait is part of their latency, and the lag says how late they went.
func TestPacerCountsLatenessAgainstTheDueTime(t *testing.T) {
	clock := &fakeClock{now: t0}
	var got calls
	p := &Pacer{Rate: 100, MaxInFlight: 1, Clock: clock}
	stats := p.Run(context.Background(), t0, time.Second, func(_ context.Context, i int64, due time.Time) {
		got.add(call{i: i, due: due})
		// The server answers call i at 50(i+1) ms: each call holds the only slot for
		// five intervals.
		clock.SleepUntil(context.Background(), t0.Add(time.Duration(i+1)*50*time.Millisecond))
	})
	if len(got.list) != 100 {
		t.Fatalf("%d calls, want 100: the schedule is not shortened", len(got.list))
	}
	for _, c := range got.list {
		if due := t0.Add(time.Duration(c.i) * 10 * time.Millisecond); !c.due.Equal(due) {
			t.Fatalf("call %d due %s, want %s", c.i, c.due, due)
		}
	}
	// Call i is due at 10i ms and starts at 50i ms: its lag is 40i ms, up to 3960 ms.
	lag := stats.Lag.Summary()
	if want := 99 * 40.0; lag.Count != 100 || lag.Max < want*0.999 || lag.Max > want*1.001 {
		t.Fatalf("lag %+v, want 100 calls, max %.0f ms", lag, want)
	}
	if want := 49 * 40.0; lag.P50 < want*0.99 || lag.P50 > want*1.01 {
		t.Fatalf("median lag %.1f ms, want about %.0f ms", lag.P50, want)
	}
}

func TestPacerStopsWithTheContext(t *testing.T) {
	clock := &fakeClock{now: t0}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	p := &Pacer{Rate: 1000, MaxInFlight: 10, Clock: clock}
	stats := p.Run(ctx, t0, time.Hour, func(context.Context, int64, time.Time) {
		if n.Add(1) == 25 {
			cancel()
		}
	})
	if stats.Started < 25 || stats.Started > 35 {
		t.Fatalf("started %d calls, want the run to stop right after the 25th cancelled it", stats.Started)
	}
}

func TestRunClosedGoesAsFastAsCallsReturn(t *testing.T) {
	clock := &fakeClock{now: t0}
	var mu sync.Mutex
	seen := map[int64]bool{}
	n := RunClosed(context.Background(), clock, 3, time.Second, func(_ context.Context, i int64, due time.Time) {
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		clock.Advance(10 * time.Millisecond)
	})
	if n < 100 || n > 103 || int64(len(seen)) != n {
		t.Fatalf("%d calls (%d distinct) in 1 s of 10 ms calls, want 100 to 103 (one per worker may start at the end)", n, len(seen))
	}
}

func TestDue(t *testing.T) {
	if got := Due(t0, 3, 3); !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("Due(3/s, #3) = %s", got)
	}
	if got := Due(t0, 2000, 1); !got.Equal(t0.Add(500 * time.Microsecond)) {
		t.Fatalf("Due(2000/s, #1) = %s", got)
	}
}
