package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// Channel health is summed up by type on both engines: counts, failing channels, and
// the newest and stalest deliveries in as times (not text).
func TestChannelHealthByType(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		shop, err := db.CreateShop(ctx, "health")
		if err != nil {
			t.Fatal(err)
		}
		mk := func(typ string) uint64 {
			ch := &models.Channel{ShopID: shop.ID, Type: typ, Name: typ, ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
			if err := db.CreateChannel(ctx, ch); err != nil {
				t.Fatal(err)
			}
			return ch.ID
		}
		base := time.Date(2026, 11, 11, 8, 0, 0, 0, time.UTC)
		g1, g2, g3 := mk("generic"), mk("generic"), mk("generic")
		mk("telegram")
		for id, at := range map[uint64]time.Time{g1: base, g2: base.Add(time.Hour)} {
			if err := db.RecordChannelIn(ctx, id, at); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.RecordChannelOut(ctx, g1, base.Add(2*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordChannelOut(ctx, g3, base, errors.New("platform said 500")); err != nil {
			t.Fatal(err)
		}

		got, err := db.ChannelHealthByType(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Type != "generic" || got[1].Type != "telegram" {
			t.Fatalf("health = %+v, want generic and telegram", got)
		}
		g := got[0]
		if g.Channels != 3 || g.Failing != 1 {
			t.Errorf("generic: %d channels, %d failing; want 3 and 1", g.Channels, g.Failing)
		}
		if g.NewestIn == nil || !g.NewestIn.Equal(base.Add(time.Hour)) || g.OldestIn == nil || !g.OldestIn.Equal(base) {
			t.Errorf("generic: newest in %v, oldest in %v; want %v and %v", g.NewestIn, g.OldestIn, base.Add(time.Hour), base)
		}
		if g.NewestOut == nil || !g.NewestOut.Equal(base.Add(2*time.Hour)) {
			t.Errorf("generic: newest out %v, want %v", g.NewestOut, base.Add(2*time.Hour))
		}
		tgH := got[1]
		if tgH.Channels != 1 || tgH.Failing != 0 || tgH.NewestIn != nil || tgH.OldestIn != nil || tgH.NewestOut != nil {
			t.Errorf("telegram (never used): %+v", tgH)
		}
	})
}
