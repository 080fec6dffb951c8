package apptest

import (
	"sync"
	"time"
)

// Clock is a test's time, given to the app as app.Options.Clock. It only moves forward,
// so what the app stores stays in order, and a test jumps hours or days ahead without
// waiting. A running clock is the wall clock shifted by an offset; a frozen one stands
// still between Advance calls, so that stored times (and the figures computed from them)
// are exact.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen bool
	at     time.Time
}

// NewClock starts a running clock that reads the wall clock shifted by offset.
func NewClock(offset time.Duration) *Clock { return &Clock{offset: offset} }

// NewFrozenClock starts a clock standing at t.
func NewFrozenClock(t time.Time) *Clock { return &Clock{frozen: true, at: t.UTC()} }

// Now is the test's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
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
	c.at = c.at.Add(d)
}
