package loadtest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the pacer's time source: the wall clock in a run, a fake one in tests.
type Clock interface {
	Now() time.Time
	// SleepUntil returns at t (at once when t has passed), or false when ctx ends first.
	SleepUntil(ctx context.Context, t time.Time) bool
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) SleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// Pacer starts calls on a schedule fixed before the run (open loop): call i is due at
// start + i/Rate whatever happened to the calls before it. A slow server therefore
// meets the same arrival rate a real platform would keep up, instead of the fewer
// requests a closed loop (send, wait, send) would make; and since each call's latency
// is measured from its due time, not from when it actually went out, time a request
// spent waiting behind a stalled one is counted (no coordinated omission).
type Pacer struct {
	Rate float64 // calls per second, > 0
	// MaxInFlight bounds the calls running at once (sockets, goroutines); when reached,
	// the next call waits for a free slot and goes out late, and that lateness is part
	// of its measured latency.
	MaxInFlight int
	Clock       Clock
}

// PaceStats tell how well the generator itself kept the schedule.
type PaceStats struct {
	Started      int64
	PeakInFlight int64
	// Lag is how late calls went out after their due time: the generator's own delay
	// (CPU, waiting for a slot), already included in every measured latency.
	Lag *Latency
}

// Due is when call i of a schedule at rate per second starting at start is due.
func Due(start time.Time, rate float64, i int64) time.Time {
	return start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
}

// Run calls fn(i, due) for every call due before start+d and returns once they all
// returned. fn runs on its own goroutine; it must honour ctx.
func (p *Pacer) Run(ctx context.Context, start time.Time, d time.Duration, fn func(ctx context.Context, i int64, due time.Time)) PaceStats {
	clock := p.Clock
	if clock == nil {
		clock = wallClock{}
	}
	slots := make(chan struct{}, max(p.MaxInFlight, 1))
	stats := PaceStats{Lag: NewLatency(start, time.Second)}
	var (
		wg       sync.WaitGroup
		inFlight atomic.Int64
		peak     atomic.Int64
	)
	end := start.Add(d)
	for i := int64(0); ; i++ {
		due := Due(start, p.Rate, i)
		if !due.Before(end) || !clock.SleepUntil(ctx, due) {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		stats.Lag.Record(due, clock.Now().Sub(due))
		stats.Started++
		if n := inFlight.Add(1); n > peak.Load() {
			peak.Store(n) // only this goroutine raises peak
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots; inFlight.Add(-1) }()
			fn(ctx, i, due)
		}()
	}
	wg.Wait()
	stats.PeakInFlight = peak.Load()
	return stats
}

// RunClosed is the as-fast-as-possible mode: workers each make one call after another
// until d has passed (closed loop: the server sets the pace). Each call is due when it
// starts. It returns the number of calls made.
func RunClosed(ctx context.Context, clock Clock, workers int, d time.Duration, fn func(ctx context.Context, i int64, due time.Time)) int64 {
	if clock == nil {
		clock = wallClock{}
	}
	end := clock.Now().Add(d)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				now := clock.Now()
				if !now.Before(end) {
					return
				}
				fn(ctx, next.Add(1)-1, now)
			}
		}()
	}
	wg.Wait()
	return next.Load()
}
