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

// A buyer's image: a pending media row, its message loaded with it; the fetch's outcome
// is written once, moves the message's change time, and another shop cannot see it.
func TestMediaOfAMessage(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		ctx := context.Background()
		m := &models.Media{ShopID: f.shop.ID, ChannelID: &f.channel.ID, Origin: models.MediaFromBuyer,
			Status: models.MediaPending, Source: models.JSON[models.MediaSource]{V: models.MediaSource{ID: "https://img.example.test/a.jpg"}}}
		if err := db.CreateMedia(ctx, m); err != nil {
			t.Fatal(err)
		}
		ext := "img-1"
		msg := &models.Message{ShopID: f.shop.ID, ChannelID: f.channel.ID, ConversationID: f.conv.ID, Direction: models.DirectionIn,
			Type: "image", Text: "盖子裂了", Status: models.MessageReceived, ExternalID: &ext, MediaID: &m.ID}
		if err := db.InsertMessage(ctx, msg); err != nil {
			t.Fatal(err)
		}
		got, err := db.Message(ctx, msg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Media == nil || got.Media.ID != m.ID || got.Media.Status != models.MediaPending || got.Media.Source.V.ID != "https://img.example.test/a.jpg" {
			t.Fatalf("message loaded with media %+v", got.Media)
		}
		if pending, err := db.PendingMedia(ctx, time.Now().UTC().Add(time.Minute), 10); err != nil || len(pending) != 1 {
			t.Fatalf("pending media = %v, %v", pending, err)
		}

		before := got.UpdatedAt
		time.Sleep(5 * time.Millisecond) // updated_at has microseconds; make the change visible
		done := &models.Media{Status: models.MediaReady, StorageKey: "1/ab/abc", ContentType: "image/jpeg", Size: 42, SHA256: "ab"}
		if ok, err := db.FinishMedia(ctx, m.ID, done); err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, _ := db.FinishMedia(ctx, m.ID, &models.Media{Status: models.MediaFailed, Error: "late"}); ok {
			t.Fatal("a second finish changed a media row that was no longer pending")
		}
		touched, err := db.TouchMessagesOfMedia(ctx, m.ID)
		if err != nil || len(touched) != 1 || touched[0].ID != msg.ID {
			t.Fatalf("touched %v, %v", touched, err)
		}
		if !touched[0].UpdatedAt.After(before) || touched[0].Media.Status != models.MediaReady || touched[0].Media.SHA256 != "ab" {
			t.Fatalf("after the fetch the message is %+v with %+v", touched[0], touched[0].Media)
		}
		since, err := db.MessagesUpdatedSince(ctx, f.shop.ID, before, 10)
		if err != nil || len(since) != 1 || since[0].Media == nil || since[0].Media.Status != models.MediaReady {
			t.Fatalf("catch-up after the fetch: %v, %v", since, err)
		}

		other, err := db.CreateShop(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Media(ctx, other.ID, m.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another shop reads the media: %v", err)
		}
		if _, err := db.Media(ctx, f.shop.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		list, err := db.Messages(ctx, f.conv.ID, 0, 10)
		if err != nil || len(list) != 1 || list[0].Media == nil {
			t.Fatalf("thread: %v, %v", list, err)
		}
	})
}
