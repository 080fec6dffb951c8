package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// The inbox list at scale. Every query the list makes is an ordered walk of one index
// (newest activity first) or a lookup of ids, and the final order is applied in Go, so
// no plan depends on how MySQL's or MariaDB's optimizer weighs ORDER BY ... LIMIT
// against a filter: that choice goes wrong either way at a million messages.

// idAt is a conversation's place in the list.
type idAt struct {
	ID            uint64
	LastMessageAt time.Time
}

func newer(a, b idAt) int {
	return cmp.Or(b.LastMessageAt.Compare(a.LastMessageAt), cmp.Compare(b.ID, a.ID))
}

// before reports whether a comes after the cursor c in the list.
func (a idAt) after(c *idAt) bool { return c == nil || newer(a, *c) > 0 }

// ListConversations returns a page of conversations, newest activity first, and the
// cursor of the next page ("" at the end).
func (db *DB) ListConversations(ctx context.Context, f ConversationFilter) ([]ConversationRow, string, error) {
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var cursor *idAt
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		cursor = &idAt{ID: id, LastMessageAt: at}
	}
	m := &match{}
	if f.Query != "" || f.Label != "" {
		var err error
		if m, err = db.planMatch(ctx, f); err != nil {
			return nil, "", err
		}
	}
	var page []idAt
	var err error
	switch {
	case m.none:
	case m.ids != nil || len(m.within) > 0:
		page, err = db.pageOfIDs(ctx, f, m, cursor, limit+1)
	default:
		page, err = db.walk(ctx, f, m.checks, cursor, limit+1)
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: list conversations: %w", err)
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		next = encodeCursor(page[limit-1].LastMessageAt, page[limit-1].ID)
	}
	rows, err := db.rowsInOrder(ctx, page)
	return rows, next, err
}

// filtered applies the list's filters (all but the search and label) to a query of
// conversations; assignee overrides the filter's (the agent's view is walked as two).
func (db *DB) filtered(ctx context.Context, f ConversationFilter, assignee string) *gorm.DB {
	q := db.q(ctx).Table("conversations").Select("conversations.id, conversations.last_message_at")
	if f.ShopID != 0 {
		q = q.Where("conversations.shop_id = ?", f.ShopID)
	}
	if f.Stage != "" {
		q = q.Where("conversations.stage = ?", f.Stage)
	}
	if f.Status != "" {
		q = q.Where("conversations.status = ?", f.Status)
	}
	switch assignee {
	case "":
	case "none":
		q = q.Where("conversations.assignee_id IS NULL")
	default:
		q = q.Where("conversations.assignee_id = ?", assignee)
	}
	if f.ChannelID != 0 {
		q = q.Where("conversations.channel_id = ?", f.ChannelID)
	}
	switch f.Category {
	case "":
	case "none":
		q = q.Where("conversations.category = ''")
	default:
		q = q.Where("conversations.category = ?", f.Category)
	}
	if !f.UpdatedAt.IsZero() {
		q = q.Where("conversations.updated_at > ?", f.UpdatedAt)
	}
	return q
}

// views answers the assignee filters whose union is what the user may list: an agent
// sees their own and the unassigned, each an ordered range of the assignee index.
func views(f ConversationFilter) []string {
	if f.VisibleTo == nil {
		return []string{f.Assignee}
	}
	me := fmt.Sprint(*f.VisibleTo)
	switch f.Assignee {
	case "":
		return []string{me, "none"}
	case "none", me:
		return []string{f.Assignee}
	default:
		return nil // another agent's: not visible
	}
}

// scan reads up to n conversations after the cursor, newest first.
func (db *DB) scan(ctx context.Context, f ConversationFilter, after *idAt, n int) ([]idAt, error) {
	var out []idAt
	for _, v := range views(f) {
		q := db.filtered(ctx, f, v)
		if after != nil {
			q = q.Where("(conversations.last_message_at < ? OR (conversations.last_message_at = ? AND conversations.id < ?))",
				after.LastMessageAt, after.LastMessageAt, after.ID)
		}
		var part []idAt
		if err := q.Order("conversations.last_message_at DESC, conversations.id DESC").Limit(n).Scan(&part).Error; err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	slices.SortFunc(out, newer)
	return out[:min(n, len(out))], nil
}

// walk goes down the list in growing chunks, keeping what passes every check, until it
// has n or the list ends. Checks are only planned for conditions that many
// conversations meet (see planMatch), so a few chunks find a page.
func (db *DB) walk(ctx context.Context, f ConversationFilter, checks []check, after *idAt, n int) ([]idAt, error) {
	chunk := n
	if len(checks) > 0 {
		// A check is planned only for a condition more than smallSet conversations meet,
		// so a few hundred rows usually hold a page; chunks then grow fourfold.
		chunk = max(8*n, 400)
	}
	var page []idAt
	for {
		batch, err := db.scan(ctx, f, after, chunk)
		if err != nil {
			return nil, err
		}
		kept, err := applyChecks(ctx, batch, checks)
		if err != nil {
			return nil, err
		}
		page = append(page, kept...)
		if len(page) >= n || len(batch) < chunk {
			return page[:min(n, len(page))], nil
		}
		after = &batch[len(batch)-1]
		chunk = min(chunk*4, 5000)
	}
}

// pageOfIDs orders the few candidate conversations that pass the filters and checks.
func (db *DB) pageOfIDs(ctx context.Context, f ConversationFilter, m *match, after *idAt, n int) ([]idAt, error) {
	var cands []idAt
	for _, v := range views(f) {
		var part []idAt
		q := db.filtered(ctx, f, v)
		if m.ids != nil {
			q = q.Where("conversations.id IN ?", m.ids)
		}
		for _, c := range m.within {
			q = q.Where(c.sql, c.args...)
		}
		if err := q.Scan(&part).Error; err != nil {
			return nil, err
		}
		cands = append(cands, part...)
	}
	cands, err := applyChecks(ctx, cands, m.checks)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cands, newer)
	out := cands[:0]
	for _, c := range cands {
		if c.after(after) && len(out) < n {
			out = append(out, c)
		}
	}
	return out, nil
}

// applyChecks keeps the conversations every check lets through, in their order.
func applyChecks(ctx context.Context, list []idAt, checks []check) ([]idAt, error) {
	for _, c := range checks {
		if len(list) == 0 {
			return list, nil
		}
		ids := make([]uint64, len(list))
		for i, it := range list {
			ids[i] = it.ID
		}
		keep, err := c(ctx, ids)
		if err != nil {
			return nil, err
		}
		set := make(map[uint64]bool, len(keep))
		for _, id := range keep {
			set[id] = true
		}
		out := list[:0:0]
		for _, it := range list {
			if set[it.ID] {
				out = append(out, it)
			}
		}
		list = out
	}
	return list, nil
}

// rowsInOrder loads the page's rows with their buyers, in the page's order.
func (db *DB) rowsInOrder(ctx context.Context, page []idAt) ([]ConversationRow, error) {
	if len(page) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(page))
	for i, p := range page {
		ids[i] = p.ID
	}
	var rows []ConversationRow
	err := db.q(ctx).Table("conversations").Select(conversationRowSelect).
		Joins("JOIN customers cu ON cu.id = conversations.customer_id").
		Where("conversations.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: list conversations: %w", err)
	}
	pos := make(map[uint64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(rows, func(a, b ConversationRow) int { return cmp.Compare(pos[a.ID], pos[b.ID]) })
	return rows, nil
}
