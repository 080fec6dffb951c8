package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

// RecordConversationEvent stores one event of a conversation with its particulars, for
// the areas that record their own kinds (category, complaints, tickets, ratings,
// handovers). Ids in data should already be strings, as clients see them.
func (db *DB) RecordConversationEvent(ctx context.Context, shopID, conversationID uint64, kind string, actorID *uint64, data map[string]any) (*models.ConversationEvent, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s event: %w", kind, err)
	}
	e := &models.ConversationEvent{ShopID: shopID, ConversationID: conversationID, Kind: kind, ActorID: actorID,
		Data: models.JSON[json.RawMessage]{V: raw}}
	if err := db.InsertConversationEvent(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// EventsOfConversations lists the events of the given kinds of some conversations,
// created at or after since, oldest first.
func (db *DB) EventsOfConversations(ctx context.Context, conversationIDs []uint64, kinds []string, since time.Time) ([]models.ConversationEvent, error) {
	var out []models.ConversationEvent
	for _, ids := range chunks(conversationIDs, 500) {
		var evs []models.ConversationEvent
		q := db.q(ctx).Where("conversation_id IN ? AND created_at >= ?", ids, since)
		if len(kinds) > 0 {
			q = q.Where("kind IN ?", kinds)
		}
		if err := q.Order("id").Find(&evs).Error; err != nil {
			return nil, fmt.Errorf("store: events of %d conversations: %w", len(ids), err)
		}
		out = append(out, evs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ResolveTimes answers, per conversation, the times it was resolved at or after since,
// in order: a complaint is answered by the first resolve after it was registered.
func (db *DB) ResolveTimes(ctx context.Context, conversationIDs []uint64, since time.Time) (map[uint64][]time.Time, error) {
	evs, err := db.EventsOfConversations(ctx, conversationIDs, []string{models.EventResolved}, since)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64][]time.Time, len(conversationIDs))
	for _, e := range evs {
		out[e.ConversationID] = append(out[e.ConversationID], e.CreatedAt)
	}
	for id := range out {
		ts := out[id]
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	}
	return out, nil
}

// FirstAtOrAfter is the first of the ordered times at or after t.
func FirstAtOrAfter(times []time.Time, t time.Time) *time.Time {
	i := sort.Search(len(times), func(i int) bool { return !times[i].Before(t) })
	if i == len(times) {
		return nil
	}
	v := times[i]
	return &v
}

func chunks(ids []uint64, n int) [][]uint64 {
	var out [][]uint64
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
