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

type fixture struct {
	shop    *models.Shop
	channel *models.Channel
	cust    *models.Customer
	conv    *models.Conversation
}

func seed(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	shop, err := db.CreateShop(ctx, "Test shop 测试店")
	if err != nil {
		t.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "web", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	cust, err := db.EnsureCustomer(ctx, shop.ID, ch.ID, "buyer-1", "小林")
	if err != nil {
		t.Fatal(err)
	}
	conv := &models.Conversation{ShopID: shop.ID, ChannelID: ch.ID, CustomerID: cust.ID,
		Stage: models.StagePreSale, Status: models.StatusOpen, LastMessageAt: time.Now().UTC()}
	if created, err := db.CreateConversation(ctx, conv); err != nil || !created {
		t.Fatalf("create conversation: created=%v err=%v", created, err)
	}
	return fixture{shop, ch, cust, conv}
}

func TestDuplicateMessageIsRejectedByUniqueKey(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		ext := "m-1"
		msg := func() *models.Message {
			return &models.Message{ShopID: f.shop.ID, ChannelID: f.channel.ID, ConversationID: f.conv.ID,
				Direction: models.DirectionIn, Type: "text", Text: "你好 😀", Status: models.MessageReceived, ExternalID: &ext}
		}
		if err := db.InsertMessage(ctx, msg()); err != nil {
			t.Fatal(err)
		}
		if err := db.InsertMessage(ctx, msg()); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second insert: got %v, want ErrDuplicate", err)
		}
		got, err := db.Messages(ctx, f.conv.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Text != "你好 😀" {
			t.Fatalf("stored messages = %+v, want the one utf8mb4 message", got)
		}
	})
}

func TestSecondConversationForSameBuyerReturnsTheFirst(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *store.DB) error {
			again := &models.Conversation{ShopID: f.shop.ID, ChannelID: f.channel.ID, CustomerID: f.cust.ID,
				Stage: models.StageInSale, Status: models.StatusOpen, LastMessageAt: time.Now().UTC()}
			created, err := tx.CreateConversation(ctx, again)
			if err != nil {
				return err
			}
			if created || again.ID != f.conv.ID || again.Stage != models.StagePreSale {
				t.Errorf("created=%v id=%d stage=%s, want the existing conversation %d", created, again.ID, again.Stage, f.conv.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestOlderOrderEventDoesNotOverwrite(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		order := func(status models.OrderStatus, at time.Time) *models.Order {
			return &models.Order{ShopID: f.shop.ID, ChannelID: f.channel.ID, CustomerID: f.cust.ID, ExternalID: "T1001",
				Status: status, Total: "129.00", Currency: "CNY", PlatformUpdatedAt: at}
		}
		steps := []struct {
			status  models.OrderStatus
			at      time.Time
			applied bool
		}{
			{models.OrderPaid, t0, true},
			{models.OrderShipped, t0.Add(time.Hour), true},
			{models.OrderPaid, t0.Add(30 * time.Minute), false}, // late redelivery
			{models.OrderShipped, t0.Add(time.Hour), false},     // same version again
		}
		for i, s := range steps {
			applied, _, err := db.UpsertOrder(ctx, order(s.status, s.at))
			if err != nil {
				t.Fatal(err)
			}
			if applied != s.applied {
				t.Errorf("step %d: applied=%v, want %v", i, applied, s.applied)
			}
		}
		latest, err := db.LatestOrder(ctx, f.cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		if latest.Status != models.OrderShipped || !latest.PlatformUpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("latest = %s at %s, want shipped at %s", latest.Status, latest.PlatformUpdatedAt, t0.Add(time.Hour))
		}
	})
}

func TestListConversationsPagesByCursor(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		base := time.Now().UTC()
		for i := 0; i < 5; i++ {
			cust, err := db.EnsureCustomer(ctx, f.shop.ID, f.channel.ID, "p-"+string(rune('a'+i)), "")
			if err != nil {
				t.Fatal(err)
			}
			c := &models.Conversation{ShopID: f.shop.ID, ChannelID: f.channel.ID, CustomerID: cust.ID,
				Stage: models.StagePreSale, Status: models.StatusOpen, LastMessageAt: base.Add(time.Duration(i) * time.Second)}
			if _, err := db.CreateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		var seen []uint64
		cursor := ""
		for page := 0; page < 10; page++ {
			rows, next, err := db.ListConversations(ctx, store.ConversationFilter{ShopID: f.shop.ID, Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				seen = append(seen, r.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 6 {
			t.Fatalf("paged through %d conversations, want 6: %v", len(seen), seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] == seen[i-1] {
				t.Fatalf("conversation %d listed twice", seen[i])
			}
		}
		if _, _, err := db.ListConversations(ctx, store.ConversationFilter{ShopID: f.shop.ID, Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("bad cursor: got %v", err)
		}
	})
}

func TestExpiredSessionsArePruned(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &models.User{Username: "pruned", PasswordHash: "x", Role: models.RoleAdmin}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for hash, expires := range map[string]time.Time{"old": now.Add(-time.Minute), "live": now.Add(time.Hour)} {
			if err := db.CreateSession(ctx, &models.Session{TokenHash: hash, UserID: u.ID, ExpiresAt: expires}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.DeleteExpiredSessions(ctx, now)
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want 1", n, err)
		}
		if _, err := db.SessionUser(ctx, "live", now); err != nil {
			t.Fatalf("the live session went too: %v", err)
		}
		if _, err := db.SessionUser(ctx, "old", now.Add(-time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the expired session is still there: %v", err)
		}
	})
}
