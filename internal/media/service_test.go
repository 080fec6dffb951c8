package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/media/filestore"
	"github.com/chatbridge/chatbridge/internal/media/imagetest"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// platform is a channel type whose files are whatever the test puts in files (by
// media id); an entry of errs is answered instead.
type platform struct {
	mu    sync.Mutex
	files map[string][]byte
	size  map[string]int64 // announced sizes, when not the real one
	errs  map[string]error
	calls int
}

func (p *platform) Type() string                         { return "fake" }
func (p *platform) ValidateConfig(json.RawMessage) error { return nil }
func (p *platform) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, nil
}
func (p *platform) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, nil
}
func (p *platform) FetchMedia(_ context.Context, _ adapters.Channel, ref adapters.MediaRef) (adapters.Media, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if err := p.errs[ref.ID]; err != nil {
		return adapters.Media{}, err
	}
	data, ok := p.files[ref.ID]
	if !ok {
		return adapters.Media{}, &adapters.PermanentError{Err: errors.New("no such media id")}
	}
	size := int64(len(data))
	if s, ok := p.size[ref.ID]; ok {
		size = s
	}
	return adapters.Media{Body: io.NopCloser(bytes.NewReader(data)), ContentType: "application/octet-stream", Size: size}, nil
}

type channelLoader struct{ ch adapters.Channel }

func (l channelLoader) Load(_ context.Context, id uint64) (adapters.Channel, error) {
	if id != l.ch.ID {
		return adapters.Channel{}, store.ErrNotFound
	}
	return l.ch, nil
}

type recorder struct {
	mu     sync.Mutex
	events []realtime.Event
}

func (r *recorder) Publish(_ context.Context, ev realtime.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) last(t *testing.T) map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		t.Fatal("no live event was published")
	}
	ev := r.events[len(r.events)-1]
	if ev.Type != realtime.MessageUpdated {
		t.Fatalf("last event is %s, want message.updated", ev.Type)
	}
	var data map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	return data
}

type env struct {
	svc    *media.Service
	db     *store.DB
	plat   *platform
	pub    *recorder
	shopID uint64
	ch     adapters.Channel
	conv   uint64
	now    time.Time
	mu     sync.Mutex
}

const limit = 256 << 10

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := testenv.MySQL(t)
	shop, err := db.CreateShop(ctx, "media shop")
	if err != nil {
		t.Fatal(err)
	}
	chRow := &models.Channel{ShopID: shop.ID, Type: "fake", Name: "fake", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, chRow); err != nil {
		t.Fatal(err)
	}
	cust, err := db.EnsureCustomer(ctx, shop.ID, chRow.ID, "buyer-1", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	conv := &models.Conversation{ShopID: shop.ID, ChannelID: chRow.ID, CustomerID: cust.ID, Stage: models.StagePreSale,
		Status: models.StatusOpen, LastMessageAt: time.Now().UTC()}
	if _, err := db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	files, err := filestore.New(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, plat: &platform{files: map[string][]byte{}, size: map[string]int64{}, errs: map[string]error{}},
		pub: &recorder{}, shopID: shop.ID, conv: conv.ID, now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		ch: adapters.Channel{ID: chRow.ID, ShopID: shop.ID, Type: "fake"}}
	e.svc = media.New(media.Deps{DB: db, Storage: files, Channels: channelLoader{e.ch}, Registry: adapters.NewRegistry(e.plat),
		Pub: e.pub, MaxBytes: limit, SignKey: media.DeriveSignKey([]byte("0123456789abcdef0123456789abcdef")),
		BaseURL: "https://cb.example.test/", URLTTL: time.Hour, Now: e.clock})
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// buyerImage stores an image message whose file the platform names ref, as ingest does.
func (e *env) buyerImage(t *testing.T, ref string) *models.Media {
	t.Helper()
	m := media.NewInbound(e.ch, adapters.MediaRef{ID: ref, FileName: "../damage.jpg"})
	ctx := context.Background()
	if err := e.db.CreateMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	msg := &models.Message{ShopID: e.shopID, ChannelID: e.ch.ID, ConversationID: e.conv, Direction: models.DirectionIn,
		Type: "image", Status: models.MessageReceived, ExternalID: &ref, MediaID: &m.ID}
	if err := e.db.InsertMessage(ctx, msg); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) status(t *testing.T, id uint64) *models.Media {
	t.Helper()
	m, err := e.db.Media(context.Background(), 0, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFetchStoresTheBuyersImage(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	png := imagetest.PNG(120, 80)
	e.plat.files["wx-media-1"] = png
	m := e.buyerImage(t, "wx-media-1")
	if m.FileName != "damage.jpg" {
		t.Fatalf("file name kept as %q", m.FileName)
	}
	if err := e.svc.Fetch(ctx, m.ID, false); err != nil {
		t.Fatal(err)
	}
	got := e.status(t, m.ID)
	sum := sha256.Sum256(png)
	if got.Status != models.MediaReady || got.ContentType != "image/png" || got.Size != int64(len(png)) || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("after the fetch: %+v", got)
	}
	f, err := e.svc.Open(ctx, e.shopID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(f.Body)
	f.Body.Close()
	if !bytes.Equal(stored, png) {
		t.Fatal("the stored bytes differ from the platform's")
	}
	ev := e.pub.last(t)
	md, _ := ev["media"].(map[string]any)
	if ev["type"] != "image" || md["status"] != "ready" || md["url"] != fmt.Sprintf("/api/v1/media/%d", m.ID) || md["content_type"] != "image/png" {
		t.Fatalf("live event %v", ev)
	}
	// A second run of the task (a redelivered task) changes nothing and fetches nothing.
	calls := e.plat.calls
	if err := e.svc.Fetch(ctx, m.ID, false); err != nil || e.plat.calls != calls {
		t.Fatalf("second fetch: %v, %d platform calls", err, e.plat.calls-calls)
	}
	if _, err := e.svc.Open(ctx, e.shopID+1000, m.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another shop opens the file: %v", err)
	}
}

func TestFetchFailures(t *testing.T) {
	e := setup(t)
	ctx := context.Background()

	t.Run("a passing failure is retried, then fails for good on the last attempt", func(t *testing.T) {
		e.plat.errs["flaky"] = errors.New("platform answered 500")
		m := e.buyerImage(t, "flaky")
		if err := e.svc.Fetch(ctx, m.ID, false); err == nil {
			t.Fatal("a failed attempt with retries left answered nil: it would not be retried")
		}
		if got := e.status(t, m.ID); got.Status != models.MediaPending || !strings.Contains(got.Error, "500") {
			t.Fatalf("after a failed attempt: %+v", got)
		}
		if err := e.svc.Fetch(ctx, m.ID, true); err != nil {
			t.Fatalf("the last attempt answered %v, want nil (finished as failed)", err)
		}
		if got := e.status(t, m.ID); got.Status != models.MediaFailed || !strings.Contains(got.Error, "500") {
			t.Fatalf("after the last attempt: %+v", got)
		}
		if md := e.pub.last(t)["media"].(map[string]any); md["status"] != "failed" || md["url"] != nil {
			t.Fatalf("live event shows %v", md)
		}
		if _, err := e.svc.Open(ctx, e.shopID, m.ID); !errors.Is(err, media.ErrNotReady) {
			t.Fatalf("open of a failed file: %v", err)
		}
	})

	for name, tc := range map[string]struct {
		file    []byte
		size    int64
		err     error
		mention string
	}{
		"the platform refuses for good": {err: &adapters.PermanentError{Err: errors.New("media expired")}, mention: "media expired"},
		"not an image":                  {file: []byte("<html>login page</html>"), mention: "text/html"},
		"larger than the limit":         {file: append(imagetest.PNG(4, 4), make([]byte, limit)...), mention: "limit"},
		"announced larger than limit":   {file: imagetest.PNG(4, 4), size: 50 << 20, mention: "announces 50.0 MiB"},
	} {
		t.Run(name+" fails at once", func(t *testing.T) {
			ref := "ref-" + strings.ReplaceAll(name, " ", "-")
			e.plat.files[ref], e.plat.errs[ref] = tc.file, tc.err
			if tc.size != 0 {
				e.plat.size[ref] = tc.size
			}
			m := e.buyerImage(t, ref)
			if err := e.svc.Fetch(ctx, m.ID, false); err != nil {
				t.Fatalf("answered %v, want nil: retrying cannot help", err)
			}
			if got := e.status(t, m.ID); got.Status != models.MediaFailed || !strings.Contains(got.Error, tc.mention) {
				t.Fatalf("after the fetch: %+v, want failed mentioning %q", got, tc.mention)
			}
		})
	}
}

func TestUploadAttachmentAndSignedURL(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	jpg := imagetest.JPEG(64, 48)
	m, err := e.svc.Upload(ctx, e.shopID, 7, `C:\fakepath\reply.jpg`, bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != models.MediaReady || m.ContentType != "image/jpeg" || m.FileName != "reply.jpg" || m.Origin != models.MediaFromAgent || *m.UploadedBy != 7 {
		t.Fatalf("upload stored %+v", m)
	}
	if _, err := e.svc.Upload(ctx, e.shopID, 7, "x.png", strings.NewReader("MZ\x90\x00 an executable")); !errors.Is(err, media.ErrUnsupportedType) {
		t.Fatalf("upload of a non-image: %v", err)
	}
	if _, err := e.svc.Upload(ctx, e.shopID, 7, "big.png", io.MultiReader(bytes.NewReader(imagetest.PNG(2, 2)), bytes.NewReader(make([]byte, limit)))); !errors.Is(err, media.ErrTooLarge) {
		t.Fatalf("upload over the limit: %v", err)
	}

	att, err := e.svc.Attachment(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(att.Data, jpg) || att.ContentType != "image/jpeg" || att.FileName != "reply.jpg" {
		t.Fatalf("attachment %s %s, %d bytes", att.ContentType, att.FileName, len(att.Data))
	}
	u, err := url.Parse(att.URL)
	if err != nil || u.Scheme != "https" || u.Host != "cb.example.test" || u.Path != fmt.Sprintf("/media/%d", m.ID) {
		t.Fatalf("signed URL %q", att.URL)
	}
	q := u.Query()
	open := func(expires, sig string) error {
		f, err := e.svc.OpenSigned(ctx, m.ID, expires, sig)
		if err == nil {
			got, _ := io.ReadAll(f.Body)
			f.Body.Close()
			if !bytes.Equal(got, jpg) {
				t.Fatal("the signed URL serves other bytes")
			}
		}
		return err
	}
	if err := open(q.Get("expires"), q.Get("sig")); err != nil {
		t.Fatalf("the signed URL does not open: %v", err)
	}
	if _, err := e.svc.OpenSigned(ctx, m.ID+1, q.Get("expires"), q.Get("sig")); !errors.Is(err, media.ErrBadSignature) {
		t.Fatalf("the signature opens another file: %v", err)
	}
	if err := open(q.Get("expires")+"0", q.Get("sig")); !errors.Is(err, media.ErrBadSignature) {
		t.Fatalf("a longer expiry under the same signature: %v", err)
	}
	if err := open(q.Get("expires"), ""); !errors.Is(err, media.ErrBadSignature) {
		t.Fatalf("no signature: %v", err)
	}
	e.advance(time.Hour + time.Second)
	if err := open(q.Get("expires"), q.Get("sig")); !errors.Is(err, media.ErrBadSignature) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired URL: %v", err)
	}

	pending := e.buyerImage(t, "never-fetched")
	if _, err := e.svc.Attachment(ctx, pending.ID); err == nil {
		t.Fatal("a pending file became an attachment")
	} else if perm := new(adapters.PermanentError); !errors.As(err, &perm) {
		t.Fatalf("attachment of a pending file: %v, want a PermanentError", err)
	}
}
