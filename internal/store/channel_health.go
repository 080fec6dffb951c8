package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// ChannelTypeHealth sums up the channels of one type across every shop, for metrics:
// labelled by type only, so the number of series stays bounded whatever the number of
// shops and channels.
type ChannelTypeHealth struct {
	Type     string
	Channels int
	// Failing counts the channels whose latest delivery attempt failed.
	Failing int
	// NewestIn is the latest delivery in on any channel of the type; OldestIn the
	// latest delivery in of the channel that has been silent longest (channels that never
	// delivered are left out). NewestOut is the latest successful send. Nil: none yet.
	NewestIn, OldestIn, NewestOut *time.Time
}

// ChannelHealthByType reads every channel's health columns and sums them up by type.
// The aggregation is done here rather than in SQL so that both engines give times (an
// SQLite MAX() of a time column comes back as text).
func (db *DB) ChannelHealthByType(ctx context.Context) ([]ChannelTypeHealth, error) {
	var rows []struct {
		Type      string
		LastInAt  *time.Time
		LastOutAt *time.Time
		Failing   bool
	}
	err := db.q(ctx).Model(&models.Channel{}).
		Select("type, last_in_at, last_out_at, CASE WHEN last_error <> '' THEN 1 ELSE 0 END AS failing").
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: channel health: %w", err)
	}
	byType := map[string]*ChannelTypeHealth{}
	for _, r := range rows {
		h := byType[r.Type]
		if h == nil {
			h = &ChannelTypeHealth{Type: r.Type}
			byType[r.Type] = h
		}
		h.Channels++
		if r.Failing {
			h.Failing++
		}
		h.NewestIn = later(h.NewestIn, r.LastInAt)
		h.NewestOut = later(h.NewestOut, r.LastOutAt)
		if r.LastInAt != nil && (h.OldestIn == nil || r.LastInAt.Before(*h.OldestIn)) {
			h.OldestIn = r.LastInAt
		}
	}
	out := make([]ChannelTypeHealth, 0, len(byType))
	for _, h := range byType {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out, nil
}

func later(a, b *time.Time) *time.Time {
	if a == nil || b != nil && b.After(*a) {
		return b
	}
	return a
}
