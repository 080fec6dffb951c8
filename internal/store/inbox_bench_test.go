package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/chatbridge/chatbridge/internal/search"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// The inbox at a million messages: one shop seeded in bulk (multi-row inserts) with
// 100,000 buyers and conversations, 1,000,000 messages, 60,000 orders, labels, and the
// search index the ingest path writes. The database is kept between runs
// (chatbridge_bench_inbox on the test server; CHATBRIDGE_BENCH_RESEED=1 seeds it anew),
// because seeding takes minutes. Each sub-benchmark is one kind of inbox query, run
// with varying parameters through ListConversations (what the API calls), and reports
// its p50 and p99 in milliseconds:
//
//	go test -run='^$' -bench=InboxAtAMillion -benchtime=400x -timeout=60m ./internal/store/
const (
	benchDB            = "chatbridge_bench_inbox"
	benchSeedVersion   = "v1"
	benchConversations = 100_000
	benchMessages      = 1_000_000
	benchOrders        = 60_000
	benchAgents        = 20
)

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	given    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "小红", "晓东", "雨萱"}
	latin    = []string{"Alice", "Bob", "Chloe", "David", "Emma", "Felix", "Grace", "Henry", "Ivy", "Jack"}
	products = []string{"保温杯", "卫衣", "连衣裙", "蓝牙耳机", "充电宝", "运动鞋", "双肩包", "羽绒服", "面膜", "口红", "茶叶", "咖啡豆", "数据线", "手机壳", "床上四件套", "电饭煲", "空气炸锅", "台灯", "牛仔裤", "围巾"}
	colours  = []string{"粉色", "黑色", "白色", "蓝色", "灰色", "红色", "米色", "绿色"}
	inLines  = []string{
		"在吗？", "这款%s有%s的吗", "%s什么时候发货", "能便宜点吗", "我的订单%s发货了吗", "快递到哪了，单号%s",
		"收到的%s有点问题", "可以退货吗", "尺码偏大还是偏小", "有优惠券吗", "今天下单今天能发吗", "发顺丰吗",
		"地址写错了，能改一下吗", "%s和图片上的颜色不一样", "好的谢谢", "怎么还没到", "申请退款了，请处理一下", "包装破损了",
		"do you ship abroad?", "is the %s in stock?",
	}
	outLines = []string{
		"亲，在的，请问有什么可以帮您？", "有的哦，%s%s现货，今天下单今天发", "亲，订单已经发货了，单号%s",
		"您好，这边帮您查一下物流", "亲，已为您备注，仓库会按新地址发货", "支持七天无理由退换哦", "亲，现在下单有满199减20的活动",
		"尺码标准，按平时穿的选就可以", "非常抱歉给您带来不便，这边马上为您处理", "收藏店铺可以第一时间收到上新通知哦",
		"亲，退款已经同意了，请留意到账", "好的，有问题随时联系我们",
	}
	labels = []string{"VIP", "老客户", "催发货", "差评风险", "待退款"}
)

// seeded is what the benchmark queries look for.
type seeded struct {
	shopID      uint64
	agents      []uint64
	buyerIDs    []string
	buyerNames  []string
	orderIDs    []string
	rareTerms   []string
	commonTerms []string
}

func BenchmarkInboxAtAMillion(b *testing.B) {
	ctx := context.Background()
	db, s := openBenchDB(b)
	rng := rand.New(rand.NewPCG(7, 7))
	agent := s.agents[0]
	kinds := []struct {
		name string
		f    func(i int) store.ConversationFilter
	}{
		{"list_all", func(int) store.ConversationFilter { return store.ConversationFilter{} }},
		{"list_as_agent", func(i int) store.ConversationFilter {
			a := s.agents[i%len(s.agents)]
			return store.ConversationFilter{VisibleTo: &a}
		}},
		{"filter_stage", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Stage: models.Stages[i%3]}
		}},
		{"filter_stage_as_agent", func(i int) store.ConversationFilter {
			a := s.agents[i%len(s.agents)]
			return store.ConversationFilter{Stage: models.Stages[i%3], VisibleTo: &a}
		}},
		{"filter_stage_open", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Stage: models.Stages[i%3], Status: models.StatusOpen}
		}},
		{"filter_status", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Status: []models.ConversationStatus{models.StatusOpen, models.StatusPending, models.StatusResolved}[i%3]}
		}},
		{"filter_assignee", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Assignee: fmt.Sprint(s.agents[i%len(s.agents)])}
		}},
		{"filter_unassigned", func(int) store.ConversationFilter { return store.ConversationFilter{Assignee: "none"} }},
		{"filter_label", func(i int) store.ConversationFilter { return store.ConversationFilter{Label: labels[i%len(labels)]} }},
		{"filter_label_as_agent", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Label: labels[i%len(labels)], VisibleTo: &agent}
		}},
		{"search_buyer_name", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: s.buyerNames[rng.IntN(len(s.buyerNames))]}
		}},
		{"search_buyer_surname", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: surnames[i%len(surnames)]}
		}},
		{"search_buyer_id", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: s.buyerIDs[rng.IntN(len(s.buyerIDs))]}
		}},
		{"search_order_id", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: s.orderIDs[rng.IntN(len(s.orderIDs))]}
		}},
		{"search_text_rare", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: s.rareTerms[i%len(s.rareTerms)]}
		}},
		{"search_text_common", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: s.commonTerms[i%len(s.commonTerms)]}
		}},
		{"search_text_phrase", func(i int) store.ConversationFilter {
			return store.ConversationFilter{Query: colours[i%len(colours)] + products[i%len(products)]}
		}},
		{"search_text_as_agent_open", func(i int) store.ConversationFilter {
			a := s.agents[i%len(s.agents)]
			return store.ConversationFilter{Query: products[i%len(products)], VisibleTo: &a, Status: models.StatusOpen}
		}},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			took := make([]time.Duration, 0, b.N)
			empty := 0
			for i := 0; b.Loop(); i++ {
				f := k.f(i)
				f.ShopID, f.Limit = s.shopID, 50
				if i%4 == 3 {
					// Every fourth asks for the next page.
					if _, next, err := db.ListConversations(ctx, f); err == nil && next != "" {
						f.Cursor = next
					}
				}
				start := time.Now()
				rows, _, err := db.ListConversations(ctx, f)
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(rows) == 0 {
					empty++
				}
			}
			reportPercentiles(b, took)
			b.ReportMetric(float64(empty)/float64(len(took)), "empty-share")
		})
	}
	b.Run("inbox_counts_as_agent", func(b *testing.B) {
		took := make([]time.Duration, 0, b.N)
		for i := 0; b.Loop(); i++ {
			a := s.agents[i%len(s.agents)]
			start := time.Now()
			if _, err := db.InboxCounts(ctx, s.shopID, a, &a); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(start))
		}
		reportPercentiles(b, took)
	})
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 {
		i := int(float64(len(took)-1) * p)
		return float64(took[i].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// openBenchDB opens (and when needed seeds) the kept benchmark database.
func openBenchDB(b *testing.B) (*store.DB, *seeded) {
	b.Helper()
	ctx := context.Background()
	cfg, err := mysqldriver.ParseDSN(testenv.MySQLServerDSN())
	if err != nil {
		b.Fatal(err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if os.Getenv("CHATBRIDGE_BENCH_RESEED") != "" {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+benchDB); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+benchDB+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		b.Fatal(err)
	}
	cfg.DBName = benchDB
	db, err := store.Open(ctx, store.Options{MySQLDSN: cfg.FormatDSN()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // one session, so its SET statements hold for every insert
	var version string
	_ = raw.QueryRowContext(ctx, "SELECT version FROM bench_seed LIMIT 1").Scan(&version)
	if version != benchSeedVersion {
		start := time.Now()
		if err := seedMillion(ctx, raw); err != nil {
			b.Fatalf("seed: %v", err)
		}
		b.Logf("seeded %d messages in %s", benchMessages, time.Since(start).Round(time.Second))
	}
	return db, describeSeed(b, raw)
}

// seedMillion fills the database in bulk, writing the same search terms as ingest would.
func seedMillion(ctx context.Context, db *sql.DB) error {
	for _, stmt := range []string{
		"SET SESSION foreign_key_checks = 0", "SET SESSION unique_checks = 0",
		"DROP TABLE IF EXISTS bench_seed",
		"CREATE TABLE bench_seed (version VARCHAR(16) NOT NULL, shop_id BIGINT UNSIGNED NOT NULL)",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Second)
	res, err := db.ExecContext(ctx, "INSERT INTO shops (name, created_at) VALUES ('百万消息旗舰店', ?)", now)
	if err != nil {
		return err
	}
	shop64, _ := res.LastInsertId()
	shopID := uint64(shop64)
	res, err = db.ExecContext(ctx, "INSERT INTO channels (shop_id, type, name, config_enc, secret_enc, created_at, updated_at) VALUES (?, 'generic', 'bench', '-', '-', ?, ?)", shopID, now, now)
	if err != nil {
		return err
	}
	ch64, _ := res.LastInsertId()
	chID := uint64(ch64)
	var agents []uint64
	for i := range benchAgents + 1 {
		role, skills := "agent", []string{"pre_sale", "pre_sale,in_sale", "after_sale", "pre_sale,in_sale,after_sale"}[i%4]
		if i == benchAgents {
			role, skills = "supervisor", ""
		}
		res, err := db.ExecContext(ctx, `INSERT INTO users (shop_id, username, password_hash, role, display_name, agent_no, skills, status, created_at, updated_at)
			VALUES (?, ?, '-', ?, ?, ?, ?, 'offline', ?, ?)`, shopID, fmt.Sprintf("bench-%d-%d", shopID, i), role, fmt.Sprintf("客服%d", i), fmt.Sprint(100+i), skills, now, now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		if role == "agent" {
			agents = append(agents, uint64(id))
		}
	}
	var firstConv uint64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM conversations").Scan(&firstConv); err != nil {
		return err
	}
	var firstCust uint64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM customers").Scan(&firstCust); err != nil {
		return err
	}

	cust := newBulk(db, "customers", "id, shop_id, channel_id, external_id, name, created_at, updated_at")
	conv := newBulk(db, "conversations", "id, shop_id, channel_id, customer_id, stage, status, assignee_id, last_message_at, last_message_preview, unread_count, labels, created_at, updated_at")
	msgs := newBulk(db, "messages", "shop_id, channel_id, conversation_id, direction, type, text, status, external_id, sender_id, sender_name, created_at, updated_at")
	terms := newBulk(db, "conversation_terms", "shop_id, term, conversation_id")
	terms.verb = "INSERT IGNORE"
	lbls := newBulk(db, "conversation_labels", "conversation_id, label, shop_id, created_at")
	orders := newBulk(db, "orders", "shop_id, channel_id, customer_id, external_id, status, total, currency, items, address, tracking_carrier, tracking_number, platform_updated_at, created_at, updated_at")
	msgNo, orderNo := 0, 0
	for i := range benchConversations {
		convID, custID := firstConv+uint64(i), firstCust+uint64(i)
		name := surnames[rng.IntN(len(surnames))] + given[rng.IntN(len(given))]
		if rng.IntN(10) == 0 {
			name = latin[rng.IntN(len(latin))] + fmt.Sprintf(" %c.", 'A'+rng.IntN(26))
		}
		buyer := fmt.Sprintf("buyer-%06d", i)
		last := now.Add(-time.Duration(rng.Int64N(int64(180 * 24 * time.Hour))))
		if err := cust.add(ctx, custID, shopID, chID, buyer, name, last, last); err != nil {
			return err
		}
		stage := []string{"pre_sale", "pre_sale", "pre_sale", "in_sale", "after_sale"}[rng.IntN(5)]
		status := "resolved"
		switch r := rng.IntN(100); {
		case r < 8:
			status = "open"
		case r < 12:
			status = "pending"
		}
		var assignee any
		if rng.IntN(100) >= 3 {
			assignee = agents[rng.IntN(len(agents))]
		}
		unread := 0
		if status != "resolved" && rng.IntN(3) == 0 {
			unread = 1 + rng.IntN(5)
		}
		var convLabels []string
		if rng.IntN(100) < 8 {
			convLabels = append(convLabels, labels[rng.IntN(len(labels))])
			if rng.IntN(4) == 0 {
				if l := labels[rng.IntN(len(labels))]; l != convLabels[0] {
					convLabels = append(convLabels, l)
				}
			}
		}
		var order string
		if i%5 < 3 && orderNo < benchOrders {
			order = fmt.Sprintf("T%09d", 100000000+orderNo)
			orderNo++
			if err := orders.add(ctx, shopID, chID, custID, order, "paid", "129.00", "CNY", "[]", "{}", "SF", fmt.Sprintf("SF%012d", orderNo), last, last, last); err != nil {
				return err
			}
		}
		n := benchMessages / benchConversations
		n = max(1, n-5+rng.IntN(11))
		if i == benchConversations-1 {
			n = benchMessages - msgNo
		}
		convTerms := map[string]bool{}
		for _, t := range search.Terms(name) {
			convTerms[t] = true
		}
		preview := ""
		for m := range n {
			text, dir := benchLine(rng, m, order)
			if m == 0 && i%100 == 0 {
				text = fmt.Sprintf("请问款号K%05d还有货吗", i) // a rare word, in 1 of 100 chats
			}
			at := last.Add(-time.Duration(n-m) * time.Minute)
			var sender any
			status, sname := "received", name
			if dir == "out" {
				status, sender, sname = "sent", assignee, "客服"
			}
			msgNo++
			if err := msgs.add(ctx, shopID, chID, convID, dir, "text", text, status, fmt.Sprintf("bm-%d", msgNo), sender, sname, at, at); err != nil {
				return err
			}
			for _, t := range search.Terms(text) {
				convTerms[t] = true
			}
			preview = text
		}
		if err := conv.add(ctx, convID, shopID, chID, custID, stage, status, assignee, last, preview, unread, strings.Join(convLabels, ","), last, last); err != nil {
			return err
		}
		for _, l := range convLabels {
			if err := lbls.add(ctx, convID, l, shopID, last); err != nil {
				return err
			}
		}
		sorted := make([]string, 0, len(convTerms))
		for t := range convTerms {
			sorted = append(sorted, t)
		}
		slices.Sort(sorted)
		for _, t := range sorted {
			if err := terms.add(ctx, shopID, t, convID); err != nil {
				return err
			}
		}
	}
	for _, bk := range []*bulk{cust, orders, conv, msgs, lbls, terms} {
		if err := bk.flush(ctx); err != nil {
			return err
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE conversations, conversation_terms, conversation_labels, customers, orders, messages"); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "INSERT INTO bench_seed (version, shop_id) VALUES (?, ?)", benchSeedVersion, shopID)
	return err
}

// benchLine is one message of a conversation: the buyer and the agent take turns.
func benchLine(rng *rand.Rand, m int, order string) (string, string) {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	fill := func(line string) string {
		var args []any
		for range strings.Count(line, "%s") {
			switch rng.IntN(3) {
			case 0:
				args = append(args, pick(products))
			case 1:
				args = append(args, pick(colours))
			default:
				if order != "" {
					args = append(args, order)
				} else {
					args = append(args, pick(products))
				}
			}
		}
		return fmt.Sprintf(line, args...)
	}
	if m%2 == 0 {
		return fill(pick(inLines)), "in"
	}
	return fill(pick(outLines)), "out"
}

// describeSeed reads back what the queries look for.
func describeSeed(b *testing.B, db *sql.DB) *seeded {
	b.Helper()
	ctx := context.Background()
	s := &seeded{}
	if err := db.QueryRowContext(ctx, "SELECT shop_id FROM bench_seed").Scan(&s.shopID); err != nil {
		b.Fatal(err)
	}
	strs := func(q string, args ...any) []string {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				b.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	for _, v := range strs("SELECT id FROM users WHERE shop_id = ? AND role = 'agent' ORDER BY id", s.shopID) {
		var id uint64
		fmt.Sscan(v, &id)
		s.agents = append(s.agents, id)
	}
	s.buyerIDs = strs("SELECT external_id FROM customers WHERE shop_id = ? ORDER BY id LIMIT 2000", s.shopID)
	s.buyerNames = strs("SELECT name FROM customers WHERE shop_id = ? ORDER BY id LIMIT 2000", s.shopID)
	s.orderIDs = strs("SELECT external_id FROM orders WHERE shop_id = ? ORDER BY id LIMIT 2000", s.shopID)
	// Rare terms: the style numbers one chat in a hundred asks about; common ones: words
	// that thousands of chats use.
	for i := 0; i < benchConversations; i += 100 * 37 {
		s.rareTerms = append(s.rareTerms, fmt.Sprintf("K%05d", i))
	}
	s.commonTerms = []string{"发货", "亲", "退款", "快递", "优惠券", "谢谢", "在吗"}
	if len(s.agents) == 0 || len(s.buyerIDs) == 0 {
		b.Fatal("the benchmark database has no seeded shop")
	}
	return s
}

// bulk gathers rows into multi-row INSERTs of batchRows.
type bulk struct {
	db    *sql.DB
	table string
	cols  string
	verb  string
	n     int
	args  []any
	width int
}

const batchRows = 1000

func newBulk(db *sql.DB, table, cols string) *bulk {
	return &bulk{db: db, table: table, cols: cols, verb: "INSERT", width: strings.Count(cols, ",") + 1}
}

func (bk *bulk) add(ctx context.Context, vals ...any) error {
	if len(vals) != bk.width {
		return fmt.Errorf("%s: %d values for %d columns", bk.table, len(vals), bk.width)
	}
	bk.args = append(bk.args, vals...)
	bk.n++
	if bk.n >= batchRows {
		return bk.flush(ctx)
	}
	return nil
}

func (bk *bulk) flush(ctx context.Context) error {
	if bk.n == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", bk.width), ",") + ")"
	q := bk.verb + " INTO " + bk.table + " (" + bk.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+",", bk.n), ",")
	if _, err := bk.db.ExecContext(ctx, q, bk.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", bk.table, err)
	}
	bk.n, bk.args = 0, bk.args[:0]
	return nil
}
