package channels

import (
	"context"
	"sync"
	"time"
)

// HealthEvery is the least time between two writes of one channel's last_in_at by one
// process: a busy channel delivers many messages a second, and its health needs none of
// those UPDATEs beyond the first.
const HealthEvery = 5 * time.Second

// inThrottle remembers when this process last wrote each channel's last_in_at.
type inThrottle struct {
	mu   sync.Mutex
	last map[uint64]time.Time
}

// due reports whether channelID's record is older than HealthEvery, and if so takes the
// slot at now.
func (t *inThrottle) due(channelID uint64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.last[channelID]; ok && now.Sub(last) < HealthEvery && !now.Before(last) {
		return false
	}
	if t.last == nil {
		t.last = map[uint64]time.Time{}
	}
	t.last[channelID] = now
	return true
}

func (s *Service) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// NoteIn records that a channel delivered something (a message, an order) now, at most
// once every HealthEvery per channel in this process.
func (s *Service) NoteIn(ctx context.Context, channelID uint64) error {
	now := s.clock().UTC()
	if !s.in.due(channelID, now) {
		return nil
	}
	return s.db.RecordChannelIn(ctx, channelID, now)
}
