package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

// With a read replica, ForReports reads from it and everything else from the primary.
// The "replica" here is a second database on the test server that holds a shop the
// primary does not: where a read finds it tells where the read went.
func TestForReportsReadsFromTheReplica(t *testing.T) {
	ctx := context.Background()
	primaryDSN, replicaDSN := testenv.MySQLDSN(t), testenv.MySQLDSN(t)
	replicaOnly, err := store.Open(ctx, store.Options{MySQLDSN: replicaDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer replicaOnly.Close()
	if err := replicaOnly.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	onReplica, err := replicaOnly.CreateShop(ctx, "only on the replica")
	if err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(ctx, store.Options{MySQLDSN: primaryDSN, ReplicaDSN: replicaDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if !db.HasReplica() {
		t.Fatal("the replica is not registered")
	}
	if _, err := db.Shop(ctx, onReplica.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a plain read found the replica's shop (err %v): it should go to the primary", err)
	}
	got, err := db.ForReports().Shop(ctx, onReplica.ID)
	if err != nil || got.Name != "only on the replica" {
		t.Fatalf("ForReports read %+v, %v; want the replica's shop", got, err)
	}
	// A write made through ForReports still goes to the primary.
	written, err := db.ForReports().CreateShop(ctx, "written through reports")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := db.Shop(ctx, written.ID); err != nil || s.Name != "written through reports" {
		t.Fatalf("the write did not reach the primary: %+v, %v", s, err)
	}
	// Reads inside a transaction stay on the primary whatever the handle.
	err = db.Tx(ctx, func(tx *store.DB) error {
		_, err := tx.ForReports().Shop(ctx, written.ID)
		return err
	})
	if err != nil {
		t.Fatalf("read in a transaction: %v", err)
	}
}

// Without a replica ForReports is the primary; the embedded store takes none.
func TestForReportsWithoutReplica(t *testing.T) {
	ctx := context.Background()
	db := testenv.MySQL(t)
	if db.HasReplica() || db.ForReports() != db {
		t.Fatal("ForReports without a replica should be the store itself")
	}
	_, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(t.TempDir(), "x.db"), ReplicaDSN: testenv.MySQLDSN(t)})
	if err == nil {
		t.Fatal("the embedded store accepted a MySQL replica")
	}
}
