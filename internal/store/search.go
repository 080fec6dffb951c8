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
// and order them; above it the list walks conversations newest first and checks each
// chunk, which finds a page quickly exactly because matches are then frequent.
var smallSet = 2000

// cond is a piece of SQL with its arguments.
type cond struct {
	sql  string
	args []any
}

// check keeps the conversations (of the given ids) that meet a condition.
type check func(ctx context.Context, ids []uint64) ([]uint64, error)

// match is the search and label part of a list, planned for its size.
type match struct {
	// ids, when not nil, are every conversation that can match; the checks still apply.
	ids []uint64
	// within are subqueries of few conversation ids each (a rare label): a
	// conversation must be in all of them.
	within []cond
	// checks are applied to the conversations the list looks at.
	checks []check
	// none: nothing can match.
	none bool
}

// planMatch turns the text query and label of a list into ids and checks. A query
// matches a conversation whose buyer has that platform id, or a name starting with it,
// or an order with that id, or whose messages or buyer's name hold every term of it
// (see package search). Each part is looked up in an index; a part with few matches
// becomes an id list, a part with many a check.
func (db *DB) planMatch(ctx context.Context, f ConversationFilter) (*match, error) {
	m := &match{}
	if f.Label != "" {
		n, err := db.countUpTo(ctx, "conversation_labels", "label", f.ShopID, f.Label, smallSet+1)
		switch {
		case err != nil:
			return nil, err
		case n == 0:
			m.none = true
		case n > smallSet:
			m.checks = append(m.checks, db.labelCheck(f.Label))
		default:
			// Left to the server as a subquery: the ids never travel to us and back.
			sub := "conversations.id IN (SELECT conversation_id FROM conversation_labels WHERE label = ?"
			args := []any{f.Label}
			if f.ShopID != 0 {
				sub += " AND shop_id = ?"
				args = append(args, f.ShopID)
			}
			m.within = append(m.within, cond{sql: sub + ")", args: args})
		}
	}
	if f.Query != "" && !m.none {
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
	byIDs, err := db.buyersByID(ctx, f.ShopID, q)
	if err != nil {
		return err
	}
	small, err := db.conversationsOfCustomers(ctx, byIDs)
	if err != nil {
		return err
	}
	var many []check
	byName, manyNames, err := db.buyersByName(ctx, f.ShopID, q)
	if err != nil {
		return err
	}
	if manyNames {
		many = append(many, db.nameCheck(q))
	} else {
		ids, err := db.conversationsOfCustomers(ctx, byName)
		if err != nil {
			return err
		}
		small = union(small, ids)
	}
	if terms := search.Terms(q); len(terms) > 0 {
		ids, common, err := db.termMatches(ctx, f.ShopID, terms)
		if err != nil {
			return err
		}
		if common {
			many = append(many, func(ctx context.Context, cands []uint64) ([]uint64, error) {
				return db.allTerms(ctx, f.ShopID, terms, cands)
			})
		} else {
			small = union(small, ids)
		}
	}
	if len(many) == 0 {
		m.restrict(small)
		return nil
	}
	m.checks = append(m.checks, anyOf(small, many))
	return nil
}

// anyOf lets through the conversations in ids or passing any of the checks.
func anyOf(ids []uint64, checks []check) check {
	in := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	return func(ctx context.Context, cands []uint64) ([]uint64, error) {
		var out []uint64
		rest := make([]uint64, 0, len(cands))
		for _, id := range cands {
			if in[id] {
				out = append(out, id)
			} else {
				rest = append(rest, id)
			}
		}
		for _, c := range checks {
			if len(rest) == 0 {
				break
			}
			got, err := c(ctx, rest)
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
			rest = without(rest, got)
		}
		return out, nil
	}
}

func without(list, drop []uint64) []uint64 {
	d := make(map[uint64]bool, len(drop))
	for _, id := range drop {
		d[id] = true
	}
	out := list[:0:0]
	for _, id := range list {
		if !d[id] {
			out = append(out, id)
		}
	}
	return out
}

// termMatches answers the conversations filed under every term when the rarest term
// has few, or common when even the rarest has many. Only counts travel until the
// rarest is known; the intersection is then one query.
func (db *DB) termMatches(ctx context.Context, shopID uint64, terms []string) ([]uint64, bool, error) {
	rarest, fewest := "", smallSet+1
	for _, t := range terms {
		n, err := db.countUpTo(ctx, "conversation_terms", "term", shopID, t, smallSet+1)
		if err != nil {
			return nil, false, err
		}
		if n == 0 {
			return nil, false, nil
		}
		if n < fewest {
			rarest, fewest = t, n
		}
	}
	if rarest == "" {
		return nil, true, nil
	}
	rest := make([]string, 0, len(terms))
	for _, t := range terms {
		if t != rarest {
			rest = append(rest, t)
		}
	}
	ids, err := db.allTerms(ctx, shopID, append([]string{rarest}, rest...), nil)
	return ids, false, err
}

// allTerms answers the conversations (of within, when given) filed under every term,
// the first term driving the join.
func (db *DB) allTerms(ctx context.Context, shopID uint64, terms []string, within []uint64) ([]uint64, error) {
	q := db.q(ctx).Table("conversation_terms t0").Where("t0.term = ?", terms[0])
	if shopID != 0 {
		q = q.Where("t0.shop_id = ?", shopID)
	}
	for i, t := range terms[1:] {
		a := fmt.Sprintf("t%d", i+1)
		q = q.Joins("JOIN conversation_terms "+a+" ON "+a+".shop_id = t0.shop_id AND "+a+".conversation_id = t0.conversation_id AND "+a+".term = ?", t)
	}
	if within != nil {
		q = q.Where("t0.conversation_id IN ?", within)
	}
	var out []uint64
	if err := q.Pluck("t0.conversation_id", &out).Error; err != nil {
		return nil, fmt.Errorf("store: look up terms %q: %w", terms, err)
	}
	return out, nil
}

func (db *DB) labelCheck(label string) check {
	return func(ctx context.Context, ids []uint64) ([]uint64, error) {
		var out []uint64
		err := db.q(ctx).Table("conversation_labels").Where("label = ? AND conversation_id IN ?", label, ids).Pluck("conversation_id", &out).Error
		if err != nil {
			return nil, fmt.Errorf("store: label %q: %w", label, err)
		}
		return out, nil
	}
}

func (db *DB) nameCheck(prefix string) check {
	return func(ctx context.Context, ids []uint64) ([]uint64, error) {
		var out []uint64
		err := db.q(ctx).Table("conversations").Joins("JOIN customers cu ON cu.id = conversations.customer_id").
			Where("conversations.id IN ? AND cu.name LIKE ?", ids, escapeLike(prefix)+"%").Pluck("conversations.id", &out).Error
		if err != nil {
			return nil, fmt.Errorf("store: buyers named %q: %w", prefix, err)
		}
		return out, nil
	}
}

// countUpTo counts the conversations filed under a key of an index table, up to max.
func (db *DB) countUpTo(ctx context.Context, table, column string, shopID uint64, key string, max int) (int, error) {
	q := db.q(ctx).Table(table).Select("1").Where(column+" = ?", key)
	if shopID != 0 {
		q = q.Where("shop_id = ?", shopID)
	}
	var n int64
	if err := db.q(ctx).Table("(?) AS t", q.Limit(max)).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count %s %q: %w", column, key, err)
	}
	return int(n), nil
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
	named := func() *gorm.DB {
		return db.inShop(ctx, &models.Customer{}, shopID).Where("name LIKE ?", escapeLike(q)+"%")
	}
	var n int64
	if err := db.q(ctx).Table("(?) AS t", named().Select("1").Limit(smallSet+1)).Count(&n).Error; err != nil {
		return nil, false, fmt.Errorf("store: customers by name: %w", err)
	}
	if n > int64(smallSet) {
		return nil, true, nil
	}
	var ids []uint64
	if n > 0 {
		if err := named().Pluck("id", &ids).Error; err != nil {
			return nil, false, fmt.Errorf("store: customers by name: %w", err)
		}
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
