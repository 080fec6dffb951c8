// Package orders holds what ChatBridge does to a buyer's orders: notes and flags
// (旗帜备注) set in the inbox and written back to the marketplace the packer prints from.
package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// Queue schedules the write-back of a note change.
type Queue interface {
	EnqueueNoteSync(ctx context.Context, noteID uint64) error
}

// ChannelLoader gives the decrypted channel of an order.
type ChannelLoader interface {
	Load(ctx context.Context, id uint64) (adapters.Channel, error)
}

// noteWriter is the optional adapter ability to write a note onto a marketplace order.
type noteWriter interface {
	WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error
}

// Service sets notes and writes them back.
type Service struct {
	db       *store.DB
	queue    Queue
	channels ChannelLoader
	registry *adapters.Registry
	log      *slog.Logger
}

// NewService wires the order service.
func NewService(db *store.DB, queue Queue, channels ChannelLoader, registry *adapters.Registry, log *slog.Logger) *Service {
	return &Service{db: db, queue: queue, channels: channels, registry: registry, log: log}
}

// maxNote is the longest note in characters; Taobao's memo, the tightest, takes 1000 bytes.
const maxNote = 300

// SetNote stores a note and flag on an order and queues its write-back.
func (s *Service) SetNote(ctx context.Context, author *models.User, order *models.Order, flag, note, category string) (*models.OrderNote, error) {
	switch {
	case !slices.Contains(models.Flags, flag):
		return nil, &models.InvalidError{Field: "flag", Reason: "must be none, red, yellow, green, blue or purple"}
	case category != "" && !slices.Contains(models.NoteCategories, category):
		return nil, &models.InvalidError{Field: "category", Reason: "must be address_change, item_change, courier, invoice, greeting_card, delivery_time or other"}
	case utf8.RuneCountInString(note) > maxNote:
		return nil, &models.InvalidError{Field: "note", Reason: fmt.Sprintf("is longer than %d characters", maxNote)}
	}
	n := &models.OrderNote{ShopID: order.ShopID, OrderID: order.ID, Flag: flag, Note: note, Category: category,
		AuthorID: &author.ID, Sync: models.NoteSyncPending}
	if err := s.db.SetOrderNote(ctx, n); err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	if err := s.queue.EnqueueNoteSync(ctx, n.ID); err != nil {
		s.log.Error("queue note write-back", "note_id", n.ID, "err", err)
	}
	return n, nil
}

// SyncNote writes a note change back to the order's marketplace. It returns nil once
// finished (synced, unsupported, or failed for good when final) and an error to retry.
func (s *Service) SyncNote(ctx context.Context, noteID uint64, final bool) error {
	n, err := s.db.OrderNote(ctx, noteID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n.Sync != models.NoteSyncPending {
		return nil
	}
	order, err := s.db.Order(ctx, n.ShopID, n.OrderID)
	if err != nil {
		return err
	}
	ch, err := s.channels.Load(ctx, order.ChannelID)
	if err != nil {
		return err
	}
	adapter, _ := s.registry.Lookup(ch.Type)
	writer, ok := adapter.(noteWriter)
	if !ok {
		return s.db.FinishNoteSync(ctx, n, models.NoteSyncUnsupported, "")
	}
	werr := writer.WriteNote(ctx, ch, adapters.OrderNote{OrderID: order.ExternalID, Flag: n.Flag, Note: n.Note})
	if werr == nil {
		return s.db.FinishNoteSync(ctx, n, models.NoteSyncSynced, "")
	}
	var perm *adapters.PermanentError
	if final || errors.As(werr, &perm) {
		s.log.Warn("order note write-back failed for good", "note_id", n.ID, "order", order.ExternalID, "err", werr)
		return s.db.FinishNoteSync(ctx, n, models.NoteSyncFailed, werr.Error())
	}
	return fmt.Errorf("orders: write back note %d: %w", n.ID, werr)
}
