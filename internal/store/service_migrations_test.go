package store_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

// The service migrations (00020–00024) roll back to the schema before them and apply
// again on both engines, so a release can be backed out.
func TestServiceMigrationsRollBackAndReapply(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sqlDB, err := db.Gorm().DB()
		if err != nil {
			t.Fatal(err)
		}
		fsys, err := fs.Sub(store.Migrations, "migrations/"+string(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		dialect := goose.DialectSQLite3
		if db.Dialect() == store.MySQL {
			dialect = goose.DialectMySQL
		}
		p, err := goose.NewProvider(dialect, sqlDB, fsys)
		if err != nil {
			t.Fatal(err)
		}
		down, err := p.DownTo(ctx, 19)
		if err != nil {
			t.Fatalf("roll back to 19: %v", err)
		}
		if len(down) < 5 {
			t.Fatalf("rolled back %d migrations, want the five service ones", len(down))
		}
		if _, err := sqlDB.ExecContext(ctx, "SELECT category FROM conversations LIMIT 1"); err == nil {
			t.Fatal("conversations.category is still there after the roll-back")
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("apply again: %v", err)
		}
		for _, q := range []string{
			"SELECT category FROM conversations LIMIT 1",
			"SELECT deadline_at FROM complaints LIMIT 1",
			"SELECT remind_at FROM tickets LIMIT 1",
			"SELECT score FROM ratings LIMIT 1",
			"SELECT to_user_id FROM handover_items LIMIT 1",
		} {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
}
