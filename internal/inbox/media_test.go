package inbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/redislock"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// recordingQueue keeps the media ids queued for fetching, and the channels noted in.
type recordingQueue struct {
	mu      sync.Mutex
	fetches []uint64
	ins     []uint64
}

func (q *recordingQueue) EnqueueMediaFetch(_ context.Context, id uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fetches = append(q.fetches, id)
	return nil
}

func (q *recordingQueue) NoteIn(_ context.Context, channelID uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ins = append(q.ins, channelID)
	return nil
}

func newMediaInbox(t *testing.T) (*Service, *store.DB, adapters.Channel, *recordingQueue) {
	t.Helper()
	ctx := context.Background()
	db := testenv.MySQL(t)
	opts := testenv.Redis(t)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	shop, err := db.CreateShop(ctx, "media")
	if err != nil {
		t.Fatal(err)
	}
	p := &pullPlatform{} // a platform with no Traits: it carries no images
	m := &models.Channel{ShopID: shop.ID, Type: p.Type(), Name: "no images", ConfigEnc: []byte("-"), SecretEnc: []byte("-")}
	if err := db.CreateChannel(ctx, m); err != nil {
		t.Fatal(err)
	}
	ch := adapters.Channel{ID: m.ID, ShopID: shop.ID, Type: p.Type()}
	q := &recordingQueue{}
	svc := NewService(Deps{
		DB: db, Pub: realtime.NewPublisher(rdb, realtime.ChannelName(opts.DB)), Outbox: benchOutbox{},
		Channels: staticChannels{ch}, Registry: adapters.NewRegistry(p), Locker: redislock.New(rdb),
		Log: slog.New(slog.DiscardHandler), MediaQueue: q, Health: q,
	})
	return svc, db, ch, q
}

// A buyer's image message is stored with a pending file row in the same transaction and
// its fetch queued after the commit; a redelivery stores neither again.
func TestIngestImageMessage(t *testing.T) {
	svc, db, ch, q := newMediaInbox(t)
	ctx := context.Background()
	ev := adapters.Event{Message: &adapters.InboundMessage{ExternalID: "wamid.1", Customer: adapters.Customer{ID: "b1", Name: "Bo"},
		Type: "image", Text: "broken", Media: &adapters.MediaRef{ID: "media-77", MimeType: "image/jpeg"}}}
	if err := svc.Ingest(ctx, ch, ev); err != nil {
		t.Fatal(err)
	}
	if err := svc.Ingest(ctx, ch, ev); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("redelivery: %v", err)
	}
	var msgs []models.Message
	if err := db.Gorm().Preload("Media").Where("channel_id = ?", ch.ID).Find(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	var files int64
	db.Gorm().Model(&models.Media{}).Count(&files)
	if len(msgs) != 1 || files != 1 || msgs[0].Media == nil {
		t.Fatalf("stored %d messages and %d files, want one each (message %+v)", len(msgs), files, msgs)
	}
	m := msgs[0].Media
	if m.Status != models.MediaPending || m.Source.V.ID != "media-77" || m.Source.V.MimeType != "image/jpeg" || *m.ChannelID != ch.ID {
		t.Fatalf("file row %+v", m)
	}
	if len(q.fetches) != 1 || q.fetches[0] != m.ID {
		t.Fatalf("queued fetches %v, want [%d]", q.fetches, m.ID)
	}
	if len(q.ins) != 2 || q.ins[0] != ch.ID {
		t.Fatalf("channel health noted %v, want the channel for the delivery and its redelivery", q.ins)
	}
}

// An image reply on a channel whose adapter does not say SendsImages is refused, and
// nothing is stored or sent.
func TestImageReplyNeedsAPlatformThatSendsImages(t *testing.T) {
	svc, db, ch, _ := newMediaInbox(t)
	ctx := context.Background()
	if err := svc.Ingest(ctx, ch, adapters.Event{Message: &adapters.InboundMessage{ExternalID: "t1",
		Customer: adapters.Customer{ID: "b1"}, Type: "text", Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	var conv models.Conversation
	if err := db.Gorm().Where("channel_id = ?", ch.ID).Take(&conv).Error; err != nil {
		t.Fatal(err)
	}
	row, err := db.ConversationRow(ctx, ch.ShopID, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	file := &models.Media{ShopID: ch.ShopID, Origin: models.MediaFromAgent, Status: models.MediaReady, StorageKey: "k", ContentType: "image/png"}
	if err := db.CreateMedia(ctx, file); err != nil {
		t.Fatal(err)
	}
	agent := &models.User{ID: 1, Role: models.RoleAgent, DisplayName: "A"}
	if _, err := svc.ReplyImage(ctx, agent, row, file.ID, "", false); !errors.Is(err, ErrImagesUnsupported) {
		t.Fatalf("image reply answered %v, want ErrImagesUnsupported", err)
	}
	var n int64
	db.Gorm().Model(&models.Message{}).Where("direction = ?", models.DirectionOut).Count(&n)
	if n != 0 {
		t.Fatalf("%d outbound messages stored", n)
	}
}
