package apptest

import (
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/config"
)

// Clock is the time an app started with StartClock (or StartWith and Options.Now) runs
// by — its scheduled work, its service timers and the times it stores; it stands still
// until the test moves it, instead of sleeping through hours.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// StartClock runs the app like Start, its scheduled work (parcel tracking) reading
// clock.
func StartClock(t testing.TB, cfg config.Config, roles app.Roles, clock *Clock) *Instance {
	t.Helper()
	return start(t, cfg, app.Options{Roles: roles, Now: clock.Now})
}

// StartWith runs the app with the given options (roles, a clock, the service sweep's
// period...) until the test ends; their log, output and ready hook are the test's.
func StartWith(t testing.TB, cfg config.Config, opts app.Options) *Instance {
	t.Helper()
	return start(t, cfg, opts)
}
