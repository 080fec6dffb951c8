package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/reports"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// BenchmarkAgentReport30Days builds a 30-day report of a shop with 100 chats a day
// (3,000 conversations, 18,000 messages, their assignments and resolves) on MariaDB.
func BenchmarkAgentReport30Days(b *testing.B) {
	ctx := context.Background()
	db := testenv.MySQL(b)
	shop, err := db.CreateShop(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "web", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		b.Fatal(err)
	}
	var agents []uint64
	for i := range 3 {
		u := &models.User{ShopID: &shop.ID, Username: fmt.Sprintf("bench-agent-%d", i), PasswordHash: "x", Role: models.RoleAgent}
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		agents = append(agents, u.ID)
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai).UTC()
	const perDay, days = 100, 30
	var msgs []models.Message
	var evs []models.ConversationEvent
	for n := range perDay * days {
		cust, err := db.EnsureCustomer(ctx, shop.ID, ch.ID, fmt.Sprintf("b-%d", n), "")
		if err != nil {
			b.Fatal(err)
		}
		at := start.Add(time.Duration(n/perDay)*24*time.Hour + time.Duration(n%perDay)*7*time.Minute)
		c := &models.Conversation{ShopID: shop.ID, ChannelID: ch.ID, CustomerID: cust.ID, Stage: models.StagePreSale,
			Status: models.StatusResolved, LastMessageAt: at}
		if _, err := db.CreateConversation(ctx, c); err != nil {
			b.Fatal(err)
		}
		agent := agents[n%len(agents)]
		data, _ := json.Marshal(map[string]string{"to": fmt.Sprint(agent)})
		evs = append(evs, models.ConversationEvent{ShopID: shop.ID, ConversationID: c.ID, Kind: models.EventAssigned,
			Data: models.JSON[json.RawMessage]{V: data}, CreatedAt: at})
		for turn := range 3 {
			t := at.Add(time.Duration(turn) * time.Minute)
			ext := fmt.Sprintf("m-%d-%d", n, turn)
			msgs = append(msgs,
				models.Message{ShopID: shop.ID, ChannelID: ch.ID, ConversationID: c.ID, Direction: models.DirectionIn, Type: "text",
					Status: models.MessageReceived, ExternalID: &ext, CreatedAt: t},
				models.Message{ShopID: shop.ID, ChannelID: ch.ID, ConversationID: c.ID, Direction: models.DirectionOut, Type: "text",
					Status: models.MessageSent, SenderID: &agent, CreatedAt: t.Add(time.Duration(5+n%40) * time.Second)})
		}
		evs = append(evs, models.ConversationEvent{ShopID: shop.ID, ConversationID: c.ID, Kind: models.EventResolved, ActorID: &agent,
			Data: models.JSON[json.RawMessage]{V: json.RawMessage("{}")}, CreatedAt: at.Add(5 * time.Minute)})
	}
	if err := db.Gorm().CreateInBatches(msgs, 1000).Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Gorm().CreateInBatches(evs, 1000).Error; err != nil {
		b.Fatal(err)
	}
	svc := reports.NewService(db, settings.NewService(db, time.Minute), func() time.Time { return start.Add(31 * 24 * time.Hour) })
	b.ResetTimer()
	for b.Loop() {
		rep, err := svc.Build(ctx, shop.ID, reports.Range{From: "2026-11-01", To: "2026-11-30"})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Total.Turns != 3*perDay*days || rep.Total.Answered != 3*perDay*days {
			b.Fatalf("total turns %d answered %d, want %d", rep.Total.Turns, rep.Total.Answered, 3*perDay*days)
		}
	}
}
