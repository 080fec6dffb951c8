// Package seed fills a MySQL/MariaDB database with a realistic shop for scale tests and
// demos: buyers on several channels, their conversations in all three stages with
// mostly Chinese messages, their orders (statuses, addresses, parcels, red-flag notes)
// and the conversation events the inbox would have recorded. It writes straight to the
// database in multi-row INSERTs, a transaction per batch of conversations, several
// batches at once, so ten million messages take minutes. The same seed, sizes and
// end of history give the same rows.
package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/chatbridge/chatbridge/internal/store"
)

// Options size and shape the generated shop.
type Options struct {
	// ShopID, when set, seeds that existing shop: its channels and agents are used.
	ShopID   uint64
	ShopName string // of a new shop

	Buyers        int
	Conversations int
	Messages      int
	// Channels of a new shop; 0 takes as many as the conversations need (one conversation
	// per buyer and channel), at least 4.
	Channels int
	Agents   int // of a new shop

	OrderShare float64   // share of conversations whose buyer has orders on that channel
	Days       int       // length of the history
	Until      time.Time // end of the history; zero: today 00:00 UTC
	Seed       uint64

	Password    string // of the new shop's staff logins
	CallbackURL string // of the new shop's generic channels

	Batch   int // conversations per transaction
	Workers int // batches generated and written at once
}

// DefaultOptions are the sizes: 100k buyers, 1M conversations, 10M messages.
func DefaultOptions() Options {
	return Options{
		ShopName: "压测店铺 Scale Shop", Buyers: 100_000, Conversations: 1_000_000, Messages: 10_000_000,
		Agents: 50, OrderShare: 0.6, Days: 180, Seed: 1, Password: "seed-password-1",
		CallbackURL: "http://127.0.0.1:9/discard", Batch: 1000, Workers: 2,
	}
}

// Validate names the first option that cannot work.
func (o *Options) Validate() error {
	switch {
	case o.Buyers < 1:
		return errors.New("buyers must be at least 1")
	case o.Conversations < 1:
		return errors.New("conversations must be at least 1")
	case o.Messages < o.Conversations:
		return fmt.Errorf("messages (%d) must be at least conversations (%d): every conversation has a message", o.Messages, o.Conversations)
	case o.OrderShare < 0 || o.OrderShare > 1:
		return errors.New("order share must be between 0 and 1")
	case o.Days < 1:
		return errors.New("days must be at least 1")
	case o.Batch < 1 || o.Workers < 1:
		return errors.New("batch and workers must be at least 1")
	case o.ShopID == 0 && o.Agents < 0:
		return errors.New("agents must not be negative")
	case o.ShopID == 0 && o.Password == "":
		return errors.New("a password for the new shop's logins is required")
	}
	return nil
}

// Result is what was written.
type Result struct {
	ShopID   uint64
	Logins   []string // staff usernames of a new shop
	Password string
	Channels int
	Rows     map[string]int64
	Elapsed  time.Duration
}

// TotalRows adds up the rows of every table.
func (r *Result) TotalRows() int64 {
	var n int64
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// Deps are the databases to write to.
type Deps struct {
	Store *store.DB // migrated; creates the shop, its staff and channels
	// SQL takes the bulk inserts; OpenSQL opens it.
	SQL      *sql.DB
	Channels ChannelCreator
	Progress io.Writer // optional: a line every few seconds
}

// OpenSQL opens a pool for bulk writing on the MySQL DSN.
func OpenSQL(dsn string, conns int) (*sql.DB, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("seed: MySQL DSN: %w", err)
	}
	if err := cfg.Apply(mysqldriver.Charset("utf8mb4", "utf8mb4_unicode_ci")); err != nil {
		return nil, err
	}
	cfg.ParseTime, cfg.Loc = true, time.UTC
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("seed: open MySQL: %w", err)
	}
	db.SetMaxOpenConns(conns + 1)
	db.SetMaxIdleConns(conns + 1)
	return db, nil
}

// Run generates and writes the shop.
func Run(ctx context.Context, d Deps, o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if d.Store.Dialect() != store.MySQL {
		return nil, errors.New("seed: writes to MySQL/MariaDB only: set CHATBRIDGE_MYSQL_DSN")
	}
	if o.Until.IsZero() {
		o.Until = time.Now().UTC().Truncate(24 * time.Hour)
	}
	started := time.Now()
	w, res, err := prepareShop(ctx, d, &o)
	if err != nil {
		return nil, err
	}
	if need := (o.Conversations + o.Buyers - 1) / o.Buyers; need > len(w.channels) {
		return nil, fmt.Errorf("seed: %d conversations from %d buyers need %d channels (one conversation per buyer and channel), the shop has %d: "+
			"raise buyers or channels", o.Conversations, o.Buyers, need, len(w.channels))
	}
	ids, err := reserveIDs(ctx, d.SQL, o)
	if err != nil {
		return nil, err
	}
	counts := allocate(o.Seed, o.Conversations, o.Messages)
	rows, err := pipeline(ctx, d, w, counts, ids, o)
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	res.Elapsed = time.Since(started)
	return res, nil
}

// idBase is the id after which each table's rows are numbered.
type idBase map[string]uint64

// reserveIDs reads each table's highest id and moves its auto-increment past the range
// this run will use, so that the application writing meanwhile does not take an id the
// seed is about to insert. (Orders and events are reserved at their upper bounds.)
func reserveIDs(ctx context.Context, db *sql.DB, o Options) (idBase, error) {
	upper := map[string]uint64{
		"customers": uint64(o.Conversations), "conversations": uint64(o.Conversations), "messages": uint64(o.Messages),
		"orders": 3 * uint64(o.Conversations), "conversation_events": 3 * uint64(o.Conversations),
	}
	base := idBase{}
	for _, t := range tables {
		var maxID uint64
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t.name).Scan(&maxID); err != nil {
			return nil, fmt.Errorf("seed: highest id of %s: %w", t.name, err)
		}
		base[t.name] = maxID
		if _, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s AUTO_INCREMENT = %d", t.name, maxID+upper[t.name]+1)); err != nil {
			return nil, fmt.Errorf("seed: reserve ids of %s: %w", t.name, err)
		}
	}
	return base, nil
}

// numberer gives each generated row its id, in conversation order.
type numberer struct {
	seed uint64
	next idBase
}

func (n *numberer) take(table string) uint64 {
	n.next[table]++
	return n.next[table]
}

func (n *numberer) number(c *conv) {
	c.CustomerID = n.take("customers")
	c.ID = n.take("conversations")
	for i := range c.Orders {
		c.Orders[i].ID = n.take("orders")
	}
	for i := range c.Messages {
		m := &c.Messages[i]
		m.ID = n.take("messages")
		if m.In {
			m.ExternalID = fmt.Sprintf("s%d-m%010d", n.seed, m.ID)
		}
	}
	for i := range c.Events {
		c.Events[i].ID = n.take("conversation_events")
	}
}

// batch is a run of conversations written in one transaction.
type batch struct {
	convs []*conv
}

// pipeline generates batches on Workers goroutines, numbers them strictly in order
// (so ids do not depend on scheduling) and writes them on Workers connections.
func pipeline(ctx context.Context, d Deps, w *world, counts []int32, ids idBase, o Options) (map[string]int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	futures := make(chan chan *batch, o.Workers)
	numbered := make(chan *batch, o.Workers)
	gen := make(chan struct{}, o.Workers)

	go func() { // launch generation, in batch order
		defer close(futures)
		for a := 0; a < o.Conversations; a += o.Batch {
			b := min(a+o.Batch, o.Conversations)
			f := make(chan *batch, 1)
			select {
			case gen <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-gen }()
				bt := &batch{convs: make([]*conv, 0, b-a)}
				for i := a; i < b; i++ {
					bt.convs = append(bt.convs, w.generate(i, int(counts[i])))
				}
				f <- bt
			}()
			select {
			case futures <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { // number in order
		defer close(numbered)
		n := &numberer{seed: o.Seed, next: idBase{}}
		for k, v := range ids {
			n.next[k] = v
		}
		for f := range futures {
			var bt *batch
			select {
			case bt = <-f:
			case <-ctx.Done():
				return
			}
			for _, c := range bt.convs {
				n.number(c)
			}
			select {
			case numbered <- bt:
			case <-ctx.Done():
				return
			}
		}
	}()

	written := map[string]*atomic.Int64{}
	for _, t := range tables {
		written[t.name] = &atomic.Int64{}
	}
	stopProgress := progress(d.Progress, written, o)
	defer stopProgress()
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bt := range numbered {
				if err := writeBatch(ctx, d.SQL, w.shopID, bt, written); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for k, v := range written {
		out[k] = v.Load()
	}
	return out, nil
}

// writeBatch inserts a batch's rows, table by table, in one transaction.
func writeBatch(ctx context.Context, db *sql.DB, shopID uint64, bt *batch, written map[string]*atomic.Int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	counts := make(map[string]int, len(tables))
	for _, t := range tables {
		r := newRows(t.name, t.columns, maxRowsPerStatement)
		for _, c := range bt.convs {
			t.write(shopID, c, r)
		}
		for _, stmt := range r.statements() {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("seed: insert into %s: %w", t.name, err)
			}
		}
		counts[t.name] = r.total
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	for name, n := range counts {
		written[name].Add(int64(n))
	}
	return nil
}

// progress prints a line every five seconds until stopped.
func progress(w io.Writer, written map[string]*atomic.Int64, o Options) func() {
	if w == nil {
		return func() {}
	}
	start := time.Now()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				var total int64
				for _, v := range written {
					total += v.Load()
				}
				el := time.Since(start).Seconds()
				fmt.Fprintf(w, "  %5.0fs  conversations %d/%d  messages %d/%d  %.0f rows/s\n", el,
					written["conversations"].Load(), o.Conversations, written["messages"].Load(), o.Messages, float64(total)/el)
			}
		}
	}()
	return func() { close(done); <-stopped }
}
