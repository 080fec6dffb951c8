package seed

import (
	"context"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/testenv"
)

// Whatever a text holds, the statement text the seeder builds stores it unchanged.
func TestLiteralsRoundTripThroughMariaDB(t *testing.T) {
	dsn := testenv.MySQLDSN(t)
	db, err := OpenSQL(dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE lit (id BIGINT PRIMARY KEY, s MEDIUMTEXT NOT NULL, at DATETIME(6) NOT NULL) CHARSET utf8mb4"); err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "亲,您好~", "it's", `O'Brien said "hi"`, `C:\path\n`, "line 1\nline 2\ttab", "\x00nul", "emoji 🙂", "''", `\'`}
	at := time.Date(2026, 11, 11, 0, 0, 0, 123456000, time.UTC)
	r := newRows("lit", "id, s, at", 3) // several statements
	for i, s := range texts {
		r.begin()
		r.u64(uint64(i))
		r.str(s)
		r.time(at)
		r.end()
	}
	stmts := r.statements()
	if len(stmts) != 4 || r.total != len(texts) {
		t.Fatalf("%d statements of %d rows, want 4 of at most 3", len(stmts), r.total)
	}
	for _, st := range stmts {
		if _, err := db.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	for i, want := range texts {
		var got string
		var gotAt time.Time
		if err := db.QueryRowContext(ctx, "SELECT s, at FROM lit WHERE id = ?", i).Scan(&got, &gotAt); err != nil {
			t.Fatal(err)
		}
		if got != want || !gotAt.Equal(at) {
			t.Errorf("row %d: %q at %s, want %q at %s", i, got, gotAt, want, at)
		}
	}
}

func TestAllocateIsExactAndSkewed(t *testing.T) {
	counts := allocate(1, 10_000, 100_000)
	total, longest, short := 0, int32(0), 0
	for _, c := range counts {
		if c < 1 {
			t.Fatal("a conversation without messages")
		}
		total += int(c)
		longest = max(longest, c)
		if c <= 5 {
			short++
		}
	}
	if total != 100_000 {
		t.Fatalf("allocated %d messages, want exactly 100000", total)
	}
	if longest < 40 || short < 1500 {
		t.Fatalf("longest chat %d messages, %d chats of five or fewer: want a long tail and many short chats", longest, short)
	}
	again := allocate(1, 10_000, 100_000)
	for i := range counts {
		if counts[i] != again[i] {
			t.Fatal("allocation differs for the same seed")
		}
	}
}
