package apptest

import (
	"sync"
	"time"
)

// Clock is a test's time: the wall clock shifted by an offset that only grows, so what
// the app stores stays in order (live-event cursors, catch-up) while a test jumps hours
// or days ahead without waiting. Pass its Now as app.Options.Clock.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock starts a clock that reads the wall clock shifted by offset.
func NewClock(offset time.Duration) *Clock { return &Clock{offset: offset} }

// Now is the test's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// Advance moves the clock forward by d (negative d is refused: time never runs back).
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic("apptest: a clock only moves forward")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// AdvanceTo moves the clock forward to t if t is ahead of it.
func (c *Clock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(time.Now().UTC().Add(c.offset)); d > 0 {
		c.offset += d
	}
}
