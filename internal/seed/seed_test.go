package seed_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/seed"
	"github.com/chatbridge/chatbridge/internal/store"
)

var until = time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC)

func smallOptions() seed.Options {
	o := seed.DefaultOptions()
	o.Buyers, o.Conversations, o.Messages, o.Agents = 40, 150, 1200, 12
	o.Batch, o.Days, o.Until = 25, 30, until
	return o
}

// seeded is a database seeded for a test.
type seeded struct {
	cfg config.Config
	db  *store.DB
	sql *sql.DB
	res *seed.Result
}

// seedDB migrates a fresh test database (of cfg) and seeds it.
func seedDB(t *testing.T, cfg config.Config, o seed.Options) *seeded {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{MySQLDSN: cfg.MySQLDSN})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, _, err := secretbox.LoadOrCreateKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	bulk, err := seed.OpenSQL(cfg.MySQLDSN, o.Workers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bulk.Close() })
	chans := channels.NewService(db, box, adapters.NewRegistry(generic.New(nil)), "http://localhost")
	res, err := seed.Run(ctx, seed.Deps{Store: db, SQL: bulk, Channels: chans}, o)
	if err != nil {
		t.Fatal(err)
	}
	return &seeded{cfg: cfg, db: db, sql: bulk, res: res}
}

func (s *seeded) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.sql.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeedWritesAConsistentShop(t *testing.T) {
	cfg := apptest.Config(t)
	o := smallOptions()
	s := seedDB(t, cfg, o)
	shop := s.res.ShopID

	// Sizes.
	for table, want := range map[string]int64{"customers": 150, "conversations": 150, "messages": 1200} {
		if got := s.count(t, "SELECT COUNT(*) FROM "+table+" WHERE shop_id = ?", shop); got != want || s.res.Rows[table] != want {
			t.Errorf("%s: %d rows (reported %d), want %d", table, got, s.res.Rows[table], want)
		}
	}
	if got := s.count(t, "SELECT COUNT(DISTINCT external_id) FROM customers WHERE shop_id = ?", shop); got != 40 {
		t.Errorf("%d distinct buyers, want 40", got)
	}
	if s.res.Channels != 4 {
		t.Errorf("%d channels, want 4 (150 conversations of 40 buyers need 4)", s.res.Channels)
	}
	orders := s.count(t, "SELECT COUNT(*) FROM orders WHERE shop_id = ?", shop)
	if orders != s.res.Rows["orders"] || orders < 60 || orders > 200 {
		t.Errorf("%d orders (reported %d), want about 60%% of 150 buyers with one to three each", orders, s.res.Rows["orders"])
	}
	if got := s.count(t, "SELECT COUNT(*) FROM conversation_events WHERE shop_id = ? AND kind = 'created'", shop); got != 150 {
		t.Errorf("%d created events, want one per conversation", got)
	}

	// Every stage is there, in sensible shares, and each is the one the buyer's latest order gives.
	for _, st := range []string{"pre_sale", "in_sale", "after_sale"} {
		if n := s.count(t, "SELECT COUNT(*) FROM conversations WHERE shop_id = ? AND stage = ?", shop, st); n < 10 {
			t.Errorf("only %d %s conversations of 150", n, st)
		}
	}
	const stageOfLatest = `CASE (SELECT o.status FROM orders o WHERE o.customer_id = c.customer_id
		ORDER BY o.platform_updated_at DESC, o.id DESC LIMIT 1)
		WHEN 'paid' THEN 'in_sale' WHEN 'shipped' THEN 'in_sale'
		WHEN 'delivered' THEN 'after_sale' WHEN 'refunding' THEN 'after_sale' WHEN 'refunded' THEN 'after_sale'
		ELSE 'pre_sale' END`
	if n := s.count(t, "SELECT COUNT(*) FROM conversations c WHERE c.shop_id = ? AND c.stage <> "+stageOfLatest, shop); n != 0 {
		t.Errorf("%d conversations in another stage than their buyer's latest order gives", n)
	}

	// Rows agree with each other.
	checks := map[string]string{
		"conversation on another channel than its customer": `SELECT COUNT(*) FROM conversations c JOIN customers cu ON cu.id = c.customer_id
			WHERE c.shop_id = ? AND (cu.channel_id <> c.channel_id OR cu.shop_id <> c.shop_id)`,
		"message of another shop or channel than its conversation": `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.shop_id = ? AND (m.shop_id <> c.shop_id OR m.channel_id <> c.channel_id)`,
		"last_message_at not the newest message": `SELECT COUNT(*) FROM conversations c WHERE c.shop_id = ? AND c.last_message_at <>
			(SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id)`,
		"preview not the newest message's text": `SELECT COUNT(*) FROM conversations c WHERE c.shop_id = ? AND c.last_message_preview <>
			(SELECT LEFT(m.text, 255) FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1)`,
		"conversation without messages": `SELECT COUNT(*) FROM conversations c WHERE c.shop_id = ? AND NOT EXISTS
			(SELECT 1 FROM messages m WHERE m.conversation_id = c.id)`,
		"messages out of time order": `SELECT COUNT(*) FROM messages a JOIN messages b ON b.conversation_id = a.conversation_id AND b.id = a.id + 1
			WHERE a.shop_id = ? AND b.created_at <= a.created_at`,
		"reply not by the assigned agent": `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.shop_id = ? AND m.direction = 'out' AND (c.assignee_id IS NULL OR m.sender_id <> c.assignee_id OR m.status <> 'sent')`,
		"inbound message without a platform id": `SELECT COUNT(*) FROM messages WHERE shop_id = ? AND direction = 'in' AND (external_id IS NULL OR status <> 'received')`,
		"assignee not an agent of the shop with the stage's skill": `SELECT COUNT(*) FROM conversations c JOIN users u ON u.id = c.assignee_id
			WHERE c.shop_id = ? AND (u.shop_id <> c.shop_id OR u.role <> 'agent' OR FIND_IN_SET(c.stage, u.skills) = 0)`,
		"order of a customer of another channel": `SELECT COUNT(*) FROM orders o JOIN customers cu ON cu.id = o.customer_id
			WHERE o.shop_id = ? AND (cu.channel_id <> o.channel_id OR cu.shop_id <> o.shop_id)`,
		"resolved conversation with unread messages": `SELECT COUNT(*) FROM conversations WHERE shop_id = ? AND status = 'resolved' AND unread_count <> 0`,
		"shipped order without a parcel":             `SELECT COUNT(*) FROM orders WHERE shop_id = ? AND status IN ('shipped', 'delivered') AND tracking_number = ''`,
		"message after the end of the history":       `SELECT COUNT(*) FROM messages WHERE shop_id = ? AND created_at > '2026-11-12 00:00:00'`,
	}
	for what, q := range checks {
		if n := s.count(t, q, shop); n != 0 {
			t.Errorf("%d rows: %s", n, what)
		}
	}
	// Unread counts are the trailing buyer messages of an unresolved chat.
	if n := s.count(t, `SELECT COUNT(*) FROM conversations WHERE shop_id = ? AND status <> 'resolved' AND unread_count > 0`, shop); n == 0 {
		t.Error("no open conversation has unread messages")
	}

	// The inbox lists the seeded shop, newest activity first.
	inst := apptest.Start(t, cfg, app.Roles{Serve: true, Work: true})
	sup := inst.Login(t, s.res.Logins[0], s.res.Password)
	var page struct {
		Items []struct {
			ID            string `json:"id"`
			Stage         string `json:"stage"`
			LastMessageAt string `json:"last_message_at"`
			Preview       string `json:"last_message_preview"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	sup.Do("GET", "/api/v1/conversations?limit=50", nil, http.StatusOK, &page)
	if len(page.Items) != 50 || page.NextCursor == nil {
		t.Fatalf("first page: %d items, next cursor %v; want 50 and more to come", len(page.Items), page.NextCursor)
	}
	var newest time.Time
	if err := s.sql.QueryRow("SELECT MAX(last_message_at) FROM conversations WHERE shop_id = ?", shop).Scan(&newest); err != nil {
		t.Fatal(err)
	}
	if got, _ := time.Parse(time.RFC3339Nano, page.Items[0].LastMessageAt); !got.Equal(newest) {
		t.Errorf("first conversation's last activity %s, want the newest %s", page.Items[0].LastMessageAt, newest)
	}
	sup.Do("GET", "/api/v1/conversations?limit=50&cursor="+url.QueryEscape(*page.NextCursor), nil, http.StatusOK, &page)
	if len(page.Items) != 50 {
		t.Errorf("second page: %d items", len(page.Items))
	}
	var afterSale struct {
		Items []struct {
			Stage string `json:"stage"`
		} `json:"items"`
	}
	sup.Do("GET", "/api/v1/conversations?stage=after_sale&limit=200", nil, http.StatusOK, &afterSale)
	want := s.count(t, "SELECT COUNT(*) FROM conversations WHERE shop_id = ? AND stage = 'after_sale'", shop)
	if int64(len(afterSale.Items)) != want {
		t.Errorf("after-sale list: %d conversations, want %d", len(afterSale.Items), want)
	}
	for _, it := range afterSale.Items {
		if it.Stage != "after_sale" {
			t.Fatalf("after-sale list holds a %s conversation", it.Stage)
		}
	}
	var thread struct {
		Items []struct {
			Direction string `json:"direction"`
			Text      string `json:"text"`
		} `json:"items"`
	}
	id := page.Items[0].ID
	sup.Do("GET", "/api/v1/conversations/"+id+"/messages?limit=200", nil, http.StatusOK, &thread)
	if n := s.count(t, "SELECT COUNT(*) FROM messages WHERE conversation_id = ?", id); int64(len(thread.Items)) != min(n, 200) || thread.Items[0].Direction != "in" {
		t.Errorf("thread of %s: %d messages (first %+v), want %d opening with the buyer", id, len(thread.Items), thread.Items, n)
	}
	var detail struct {
		Orders []struct {
			ExternalID string `json:"external_id"`
		} `json:"orders"`
	}
	var withOrders string
	if err := s.sql.QueryRow("SELECT c.id FROM conversations c WHERE c.shop_id = ? AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id) LIMIT 1", shop).Scan(&withOrders); err != nil {
		t.Fatal(err)
	}
	sup.Do("GET", "/api/v1/conversations/"+withOrders, nil, http.StatusOK, &detail)
	if len(detail.Orders) == 0 {
		t.Errorf("conversation %s shows no orders beside the chat", withOrders)
	}
}

// checksum sums a table's content, ids included.
func (s *seeded) checksum(t *testing.T, table, columns string) string {
	t.Helper()
	var n, sum int64
	q := fmt.Sprintf("SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', %s))), 0) FROM %s", columns, table)
	if err := s.sql.QueryRow(q).Scan(&n, &sum); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return fmt.Sprintf("%d/%d", n, sum)
}

func TestSeedIsDeterministic(t *testing.T) {
	o := smallOptions()
	o.Workers = 3 // scheduling must not change ids or content
	a := seedDB(t, apptest.Config(t), o)
	b := seedDB(t, apptest.Config(t), o)
	o.Seed = 2
	c := seedDB(t, apptest.Config(t), o)
	cols := map[string]string{
		"customers":           "id, channel_id, external_id, name, created_at",
		"conversations":       "id, customer_id, stage, status, assignee_id, last_message_at, last_message_preview, unread_count",
		"messages":            "id, conversation_id, direction, text, status, external_id, sender_id, created_at",
		"orders":              "id, customer_id, external_id, status, total, items, address, tracking_number, note, platform_updated_at",
		"conversation_events": "id, conversation_id, kind, actor_id, data, created_at",
	}
	for table, c1 := range cols {
		sa, sb, sc := a.checksum(t, table, c1), b.checksum(t, table, c1), c.checksum(t, table, c1)
		if sa != sb {
			t.Errorf("%s differs between two runs of seed 1: %s vs %s", table, sa, sb)
		}
		if table != "customers" && sa == sc {
			t.Errorf("%s is the same under seed 2: %s", table, sa)
		}
	}
}

func TestSeedIntoAnExistingShop(t *testing.T) {
	cfg := apptest.Config(t)
	inst := apptest.Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "existing", "http://127.0.0.1:9/cb")
	// One conversation already there, from a real webhook.
	if code, body := inst.Webhook(t, shop, apptest.MessageBody("m-1", "buyer-1", "Alice", "Is this in stock?")); code != http.StatusOK {
		t.Fatalf("webhook: %d %s", code, body)
	}
	o := smallOptions()
	var id uint64
	fmt.Sscan(shop.ID, &id)
	o.ShopID, o.Buyers, o.Conversations, o.Messages = id, 30, 30, 90
	s := seedDB(t, cfg, o)
	if s.res.ShopID != id {
		t.Fatalf("seeded shop %d, want %d", s.res.ShopID, id)
	}
	if n := s.count(t, "SELECT COUNT(*) FROM conversations WHERE shop_id = ?", id); n != 31 {
		t.Fatalf("%d conversations, want the 1 there plus 30", n)
	}
	// Replies are the shop's own agent's; the conversations are listed beside the real one.
	if n := s.count(t, "SELECT COUNT(*) FROM messages WHERE shop_id = ? AND direction = 'out' AND sender_id <> ?", id, shop.AgentID); n != 0 {
		t.Errorf("%d replies by someone other than the shop's agent", n)
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations?limit=100", nil, http.StatusOK, &page)
	if len(page.Items) != 31 {
		t.Errorf("supervisor lists %d conversations, want 31", len(page.Items))
	}
	// The app goes on writing after the seed: its new rows take ids after the reserved ranges.
	if code, body := inst.Webhook(t, shop, apptest.MessageBody("m-2", "buyer-2", "Bob", "在吗")); code != http.StatusOK {
		t.Fatalf("webhook after the seed: %d %s", code, body)
	}
}

func TestSeedRefusesWhatCannotWork(t *testing.T) {
	cfg := apptest.Config(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{MySQLDSN: cfg.MySQLDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	shop, err := db.CreateShop(ctx, "one channel")
	if err != nil {
		t.Fatal(err)
	}
	bulk, err := seed.OpenSQL(cfg.MySQLDSN, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Close()
	cases := []struct {
		name string
		edit func(*seed.Options)
		want string
	}{
		{"fewer messages than conversations", func(o *seed.Options) { o.Messages = 10 }, "messages (10) must be at least conversations (150)"},
		{"unknown shop", func(o *seed.Options) { o.ShopID = 9999 }, "shop 9999"},
		{"shop without channels", func(o *seed.Options) { o.ShopID = shop.ID }, "has no channel"},
	}
	for _, tc := range cases {
		o := smallOptions()
		tc.edit(&o)
		_, err := seed.Run(ctx, seed.Deps{Store: db, SQL: bulk}, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
