package loadtest

import (
	"context"
	"sync"
	"time"
)

// tracker follows the numbered items of one path (buyer messages to the agents' sockets,
// replies to the callback receiver): each is expected before it is sent (its arrival can
// overtake the sender's own answer), confirmed when the server accepted it or dropped
// when it did not, and seen when it arrives at the far end. The first sighting records
// the latency from the item's due time; later ones (every agent of the shop sees every
// message) only count.
type tracker struct {
	mu      sync.Mutex
	start   time.Time
	items   map[int64]*tracked
	lat     *Latency
	repeats int64 // sightings after the first
	strays  int64 // sightings of items never expected (another run's, or a bad tag)
}

type tracked struct {
	confirmed, dropped, seen bool
}

func newTracker(start time.Time, interval time.Duration) *tracker {
	return &tracker{start: start, items: map[int64]*tracked{}, lat: NewLatency(start, interval)}
}

func (t *tracker) expect(seq int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.items[seq] == nil {
		t.items[seq] = &tracked{}
	}
}

// settle records the sender's outcome: accepted (confirmed) or not (dropped).
func (t *tracker) settle(seq int64, accepted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	it := t.items[seq]
	if it == nil {
		return
	}
	if accepted {
		it.confirmed = true
	} else {
		it.dropped = true
	}
}

// see records an arrival at time at of the item due at start+due; it reports whether
// this was the item's first sighting.
func (t *tracker) see(seq int64, due time.Duration, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	it := t.items[seq]
	if it == nil {
		t.strays++
		return false
	}
	if it.seen {
		t.repeats++
		return false
	}
	it.seen = true
	dueAt := t.start.Add(due)
	t.lat.Record(dueAt, at.Sub(dueAt))
	return true
}

// trackCounts sum up a tracker: Expected items were accepted by the server, Seen of
// them arrived, Missing did not; SeenUnconfirmed arrived although the sender saw no
// acceptance (e.g. its request timed out after the server had stored it).
type trackCounts struct {
	Expected        int64 `json:"expected"`
	Seen            int64 `json:"seen"`
	Missing         int64 `json:"missing"`
	SeenUnconfirmed int64 `json:"seen_unconfirmed,omitempty"`
	Repeats         int64 `json:"repeated_sightings"`
	Strays          int64 `json:"stray_sightings,omitempty"`
	Unsettled       int64 `json:"unsettled,omitempty"` // still waiting for the sender's answer
}

func (t *tracker) counts() trackCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := trackCounts{Repeats: t.repeats, Strays: t.strays}
	for _, it := range t.items {
		switch {
		case it.confirmed && it.seen:
			c.Expected++
			c.Seen++
		case it.confirmed:
			c.Expected++
			c.Missing++
		case it.seen:
			c.SeenUnconfirmed++
		case !it.dropped:
			c.Unsettled++
		}
	}
	return c
}

// done reports whether every accepted item has arrived and no sender is still waiting.
func (t *tracker) done() bool {
	c := t.counts()
	return c.Missing == 0 && c.Unsettled == 0
}

// waitFor polls cond until it holds, ctx ends or the timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}
