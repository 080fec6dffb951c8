package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/chatbridge/chatbridge/internal/search"
	"github.com/chatbridge/chatbridge/models"
)

// IndexTerms adds terms to a conversation's entry in the search index (terms already
// there are skipped). Terms should come sorted, as search.Terms gives them: writers
// taking their row locks in one order cannot deadlock each other.
func (db *DB) IndexTerms(ctx context.Context, shopID, conversationID uint64, terms []string) error {
	if len(terms) == 0 {
		return nil
	}
	verb := "INSERT IGNORE"
	if db.dialect == SQLite {
		verb = "INSERT OR IGNORE"
	}
	var sql strings.Builder
	sql.WriteString(verb + " INTO conversation_terms (shop_id, term, conversation_id) VALUES ")
	args := make([]any, 0, 3*len(terms))
	for i, t := range terms {
		if i > 0 {
			sql.WriteByte(',')
		}
		sql.WriteString("(?,?,?)")
		args = append(args, shopID, t, conversationID)
	}
	if err := db.q(ctx).Exec(sql.String(), args...).Error; err != nil {
		return fmt.Errorf("store: index terms of conversation %d: %w", conversationID, err)
	}
	return nil
}

// smallSet is how many matches a condition may have for the list to fetch them by id
// and sort them; above it the list walks conversations newest first and tests each,
// which finds a page quickly exactly because matches are then frequent.
const smallSet = 2000

// match is a search or label condition of the inbox list, planned for its size.
type match struct {
	// ids, when not nil, are every conversation that can match (then the per-row
	// conditions below still apply).
	ids []uint64
	// conds are tested per row.
	conds []cond
	// none: nothing can match.
	none bool
}

type cond struct {
	sql  string
	args []any
}

// planMatch turns the text query and label of a list into conditions. A query matches
// a conversation whose buyer has that platform id, or a name starting with it, or an
// order with that id, or whose messages or buyer's name hold every term of it (see
// package search). Each part is looked up in an index; a part with few matches becomes
// an id list, a part with many a per-row test.
func (db *DB) planMatch(ctx context.Context, f ConversationFilter) (*match, error) {
	m := &match{}
	if f.Label != "" {
		ids, many, err := db.postings(ctx, "conversation_labels", "label", f.ShopID, f.Label)
		if err != nil {
			return nil, err
		}
		if many {
			m.conds = append(m.conds, cond{"EXISTS (SELECT 1 FROM conversation_labels l WHERE l.conversation_id = conversations.id AND l.label = ?)", []any{f.Label}})
		} else {
			m.restrict(ids)
		}
	}
	if f.Query != "" {
		if err := db.planQuery(ctx, f, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// restrict narrows the candidate ids to those also in ids.
func (m *match) restrict(ids []uint64) {
	if m.ids == nil {
		m.ids = ids
	} else {
		keep := make(map[uint64]bool, len(ids))
		for _, id := range ids {
			keep[id] = true
		}
		var out []uint64
		for _, id := range m.ids {
			if keep[id] {
				out = append(out, id)
			}
		}
		m.ids = out
	}
	if len(m.ids) == 0 {
		m.none = true
	}
}

func (db *DB) planQuery(ctx context.Context, f ConversationFilter, m *match) error {
	q := strings.TrimSpace(f.Query)
	var alts []alternative
	byIDs, err := db.buyersByID(ctx, f.ShopID, q)
	if err != nil {
		return err
	}
	alts = append(alts, alternative{customers: byIDs, row: cond{"conversations.customer_id IN ?", []any{byIDs}}})
	byName, many, err := db.buyersByName(ctx, f.ShopID, q)
	if err != nil {
		return err
	}
	if many {
		alts = append(alts, alternative{many: true, row: cond{"cu.name LIKE ?", []any{escapeLike(q) + "%"}}})
	} else {
		alts = append(alts, alternative{customers: byName, row: cond{"conversations.customer_id IN ?", []any{byName}}})
	}
	if terms := search.Terms(q); len(terms) > 0 {
		alt, err := db.termAlternative(ctx, f.ShopID, terms)
		if err != nil {
			return err
		}
		alts = append(alts, alt)
	}
	return db.combine(ctx, m, alts)
}

// alternative is one way a query may match: by a set of customers, of conversations,
// or (many) by a per-row test.
type alternative struct {
	customers     []uint64
	conversations []uint64
	many          bool
	row           cond
}

// termAlternative matches conversations filed under every term. The rarest term
// decides: when it has few conversations they are fetched and checked against the
// other terms; when even the rarest is common every term becomes a per-row test.
func (db *DB) termAlternative(ctx context.Context, shopID uint64, terms []string) (alternative, error) {
	var rarest []uint64
	found := false
	for _, t := range terms {
		ids, big, err := db.postings(ctx, "conversation_terms", "term", shopID, t)
		if err != nil {
			return alternative{}, err
		}
		if !big && (!found || len(ids) < len(rarest)) {
			rarest, found = ids, true
		}
	}
	if found {
		ids, err := db.withAllTerms(ctx, shopID, rarest, terms)
		return alternative{conversations: ids, row: cond{"conversations.id IN ?", []any{ids}}}, err
	}
	parts := make([]string, len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		parts[i] = "EXISTS (SELECT 1 FROM conversation_terms t WHERE t.shop_id = conversations.shop_id AND t.term = ? AND t.conversation_id = conversations.id)"
		args[i] = t
	}
	return alternative{many: true, row: cond{"(" + strings.Join(parts, " AND ") + ")", args}}, nil
}

// combine ORs the alternatives: as one id list when every one is small, else as a
// per-row test.
func (db *DB) combine(ctx context.Context, m *match, alts []alternative) error {
	var customers, conversations []uint64
	anyMany := false
	for _, a := range alts {
		customers = union(customers, a.customers)
		conversations = union(conversations, a.conversations)
		anyMany = anyMany || a.many
	}
	if !anyMany {
		ids, err := db.conversationsOfCustomers(ctx, customers)
		if err != nil {
			return err
		}
		m.restrict(union(conversations, ids))
		return nil
	}
	var parts []string
	var args []any
	for _, a := range alts {
		if !a.many && len(a.customers) == 0 && len(a.conversations) == 0 {
			continue
		}
		parts = append(parts, a.row.sql)
		args = append(args, a.row.args...)
	}
	m.conds = append(m.conds, cond{"(" + strings.Join(parts, " OR ") + ")", args})
	return nil
}

// postings reads the conversations filed under a key of an index table, or reports
// that there are more than smallSet of them.
func (db *DB) postings(ctx context.Context, table, column string, shopID uint64, key string) ([]uint64, bool, error) {
	var ids []uint64
	q := db.q(ctx).Table(table).Where(column+" = ?", key)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	if err := q.Limit(smallSet+1).Pluck("conversation_id", &ids).Error; err != nil {
		return nil, false, fmt.Errorf("store: look up %s %q: %w", column, key, err)
	}
	if len(ids) > smallSet {
		return nil, true, nil
	}
	return ids, false, nil
}

// withAllTerms keeps the candidates filed under every term.
func (db *DB) withAllTerms(ctx context.Context, shopID uint64, ids []uint64, terms []string) ([]uint64, error) {
	for _, t := range terms {
		if len(ids) == 0 {
			return nil, nil
		}
		var keep []uint64
		q := db.q(ctx).Table("conversation_terms").Where("term = ? AND conversation_id IN ?", t, ids)
		if shopID != 0 {
			q = q.Where("shop_id = ?", shopID)
		}
		if err := q.Pluck("conversation_id", &keep).Error; err != nil {
			return nil, fmt.Errorf("store: look up term %q: %w", t, err)
		}
		ids = keep
	}
	return ids, nil
}

// buyersByID answers the customers a query names by platform id, or by the platform
// id of one of their orders.
func (db *DB) buyersByID(ctx context.Context, shopID uint64, q string) ([]uint64, error) {
	var byID, byOrder []uint64
	if err := db.inShop(ctx, &models.Customer{}, shopID).Where("external_id = ?", q).Limit(smallSet).Pluck("id", &byID).Error; err != nil {
		return nil, fmt.Errorf("store: customers by id: %w", err)
	}
	if err := db.inShop(ctx, &models.Order{}, shopID).Where("external_id = ?", q).Limit(smallSet).Pluck("customer_id", &byOrder).Error; err != nil {
		return nil, fmt.Errorf("store: customers by order: %w", err)
	}
	return union(byID, byOrder), nil
}

// buyersByName answers the customers whose name starts with q (a range of the
// (shop, name) index), or many when there are more than smallSet.
func (db *DB) buyersByName(ctx context.Context, shopID uint64, q string) ([]uint64, bool, error) {
	var ids []uint64
	err := db.inShop(ctx, &models.Customer{}, shopID).Where("name LIKE ?", escapeLike(q)+"%").Limit(smallSet+1).Pluck("id", &ids).Error
	if err != nil {
		return nil, false, fmt.Errorf("store: customers by name: %w", err)
	}
	if len(ids) > smallSet {
		return nil, true, nil
	}
	return ids, false, nil
}

func (db *DB) inShop(ctx context.Context, model any, shopID uint64) *gorm.DB {
	q := db.q(ctx).Model(model)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	return q
}

func (db *DB) conversationsOfCustomers(ctx context.Context, customerIDs []uint64) ([]uint64, error) {
	if len(customerIDs) == 0 {
		return nil, nil
	}
	var ids []uint64
	if err := db.q(ctx).Model(&models.Conversation{}).Where("customer_id IN ?", customerIDs).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: conversations of customers: %w", err)
	}
	return ids, nil
}

func union(a, b []uint64) []uint64 {
	seen := make(map[uint64]bool, len(a)+len(b))
	out := make([]uint64, 0, len(a)+len(b))
	for _, list := range [][]uint64{a, b} {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
