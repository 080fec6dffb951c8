package media

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// NewInbound is the pending row of a buyer's file, to be stored in the transaction of
// its message (see inbox) and fetched afterwards by Fetch.
func NewInbound(ch adapters.Channel, ref adapters.MediaRef) *models.Media {
	id := ch.ID
	return &models.Media{
		ShopID: ch.ShopID, ChannelID: &id, Origin: models.MediaFromBuyer, Status: models.MediaPending,
		Source:   models.JSON[models.MediaSource]{V: models.MediaSource{ID: ref.ID, MimeType: ref.MimeType, FileName: ref.FileName}},
		FileName: cleanFileName(ref.FileName),
	}
}

// Fetch downloads a buyer's pending file through its channel's MediaFetcher, checks it
// (size, sniffed image type) and stores it. It returns nil once the file is finished —
// ready, or failed for good when the file is refused, the platform refused for good, or
// final is set (no retry follows) — and an error when the attempt should be retried.
// Either way the messages showing the file are published again.
func (s *Service) Fetch(ctx context.Context, id uint64, final bool) error {
	m, err := s.DB.Media(ctx, 0, id)
	if errors.Is(err, store.ErrNotFound) {
		s.Log.Warn("media to fetch vanished", "media_id", id)
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status != models.MediaPending {
		return nil // finished by an earlier attempt
	}
	data, err := s.download(ctx, m)
	var done *models.Media
	if err == nil {
		done, err = s.store(ctx, m.ShopID, data)
	}
	if err != nil {
		var perm *adapters.PermanentError
		if !final && !Rejected(err) && !errors.As(err, &perm) {
			if nerr := s.DB.NoteMediaError(ctx, id, err.Error()); nerr != nil {
				s.Log.Error("note media fetch error", "media_id", id, "err", nerr)
			}
			s.publishMessages(ctx, id)
			return fmt.Errorf("media: fetch %d: %w", id, err)
		}
		done = &models.Media{Status: models.MediaFailed, Error: err.Error()}
	}
	changed, err := s.DB.FinishMedia(ctx, id, done)
	if err != nil {
		return err
	}
	if changed {
		if done.Status == models.MediaFailed {
			s.Log.Warn("buyer's file could not be fetched", "media_id", id, "err", done.Error)
		}
		s.publishMessages(ctx, id)
	}
	return nil
}

// download asks the channel's adapter for the file, at most MaxBytes of it.
func (s *Service) download(ctx context.Context, m *models.Media) ([]byte, error) {
	if m.ChannelID == nil {
		return nil, &adapters.PermanentError{Err: errors.New("the file has no channel to fetch it from")}
	}
	ch, err := s.Channels.Load(ctx, *m.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("channel %d no longer exists", *m.ChannelID)}
	}
	if err != nil {
		return nil, err
	}
	adapter, _ := s.Registry.Lookup(ch.Type)
	fetcher, ok := adapter.(adapters.MediaFetcher)
	if !ok {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("channel type %q cannot fetch files", ch.Type)}
	}
	src := m.Source.V
	got, err := fetcher.FetchMedia(ctx, ch, adapters.MediaRef{ID: src.ID, MimeType: src.MimeType, FileName: src.FileName})
	if err != nil {
		return nil, err
	}
	defer got.Body.Close()
	if got.Size > s.MaxBytes {
		return nil, fmt.Errorf("%w: the platform announces %s, more than the limit of %s", ErrTooLarge, humanSize(got.Size), humanSize(s.MaxBytes))
	}
	return ReadLimited(got.Body, s.MaxBytes)
}
