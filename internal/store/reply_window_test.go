package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// The window counts from the buyer's latest message (the platform's time when it gave
// one) and counts the replies since that did not fail, on both engines.
func TestReplyWindowFacts(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		facts, err := db.ReplyWindowFacts(ctx, f.conv.ID)
		if err != nil || !facts.LastInbound.IsZero() || facts.RepliesSince != 0 {
			t.Fatalf("no messages: %+v, %v", facts, err)
		}
		insert := func(dir models.Direction, status models.MessageStatus, ext string, sentAt *time.Time) {
			t.Helper()
			m := &models.Message{ShopID: f.shop.ID, ChannelID: f.channel.ID, ConversationID: f.conv.ID,
				Direction: dir, Type: "text", Text: "x", Status: status, SentAt: sentAt}
			if ext != "" {
				m.ExternalID = &ext
			}
			if err := db.InsertMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		first := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		second := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
		insert(models.DirectionIn, models.MessageReceived, "in-1", &first)
		insert(models.DirectionOut, models.MessageSent, "", nil) // before the latest buyer message
		insert(models.DirectionIn, models.MessageReceived, "in-2", &second)
		insert(models.DirectionOut, models.MessageSent, "", nil)
		insert(models.DirectionOut, models.MessagePending, "", nil)
		insert(models.DirectionOut, models.MessageFailed, "", nil)
		facts, err = db.ReplyWindowFacts(ctx, f.conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !facts.LastInbound.Equal(second) || facts.RepliesSince != 2 {
			t.Fatalf("facts %+v, want the second buyer message and 2 replies (sent + pending)", facts)
		}
	})
}
