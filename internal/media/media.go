// Package media keeps the images of the inbox: buyers' photos (fetched from the
// platform by a task after the message is stored, so a message is never held back by
// its file) and agents' uploads (checked, stored, then sent as image replies). Every
// file is size-limited and sniffed, stored content addressed in a Storage (a folder or
// S3), served to the shop's staff, and reachable by platforms through a signed,
// expiring URL.
package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// ChannelLoader gives the decrypted channel an adapter needs.
type ChannelLoader interface {
	Load(ctx context.Context, id uint64) (adapters.Channel, error)
}

// Publisher sends live events to the agents' browsers.
type Publisher interface {
	Publish(ctx context.Context, ev realtime.Event) error
}

// Deps are what the media service works with.
type Deps struct {
	DB       *store.DB
	Storage  Storage
	Channels ChannelLoader
	Registry *adapters.Registry
	Pub      Publisher
	Log      *slog.Logger
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// SignKey signs the URLs given to platforms (see DeriveSignKey).
	SignKey []byte
	// BaseURL is the public URL platforms reach ChatBridge at.
	BaseURL string
	// URLTTL is how long a signed URL stays valid.
	URLTTL time.Duration
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
}

// Service stores, fetches and serves media.
type Service struct {
	Deps
}

// New returns the media service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	return &Service{Deps: d}
}

// DeriveSignKey turns the installation's secret key into the key that signs media URLs,
// so that a leaked URL signature says nothing about the key sealing credentials.
func DeriveSignKey(secretKey []byte) []byte {
	mac := hmac.New(sha256.New, secretKey)
	mac.Write([]byte("chatbridge media url signing v1"))
	return mac.Sum(nil)
}

// ErrNotReady answers a request for a file that is still being fetched or failed.
var ErrNotReady = errors.New("the file is not available (still being fetched, or it could not be fetched)")

// store checks data and writes it under its content address in the shop, returning the
// ready row's file fields.
func (s *Service) store(ctx context.Context, shopID uint64, data []byte) (*models.Media, error) {
	contentType, err := Check(data, s.MaxBytes)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	key := fmt.Sprintf("%d/%s/%s", shopID, digest[:2], digest)
	if err := s.Storage.Put(ctx, key, data, contentType); err != nil {
		return nil, fmt.Errorf("media: store: %w", err)
	}
	return &models.Media{Status: models.MediaReady, StorageKey: key, ContentType: contentType,
		Size: int64(len(data)), SHA256: digest}, nil
}

// cleanFileName keeps the base name of a client-given file name, valid UTF-8 and at
// most 255 bytes, for display.
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(path.Base(strings.ReplaceAll(name, `\`, "/")), "")
	if name == "." || name == "/" {
		return ""
	}
	if len(name) > 255 {
		n := 255
		for n > 0 && !utf8.RuneStart(name[n]) {
			n--
		}
		name = name[:n]
	}
	return name
}

// publishMessages tells the browsers that the messages showing a file changed.
func (s *Service) publishMessages(ctx context.Context, mediaID uint64) {
	msgs, err := s.DB.TouchMessagesOfMedia(ctx, mediaID)
	if err != nil {
		s.Log.Error("load messages of media for event", "media_id", mediaID, "err", err)
		return
	}
	for i := range msgs {
		m := &msgs[i]
		ev, err := realtime.NewEvent(m.ShopID, realtime.MessageUpdated, m.UpdatedAt, view.NewMessage(m))
		if err == nil {
			err = s.Pub.Publish(ctx, ev)
		}
		if err != nil {
			s.Log.Warn("live event not published; clients catch up on reconnect", "message_id", m.ID, "err", err)
		}
	}
}
