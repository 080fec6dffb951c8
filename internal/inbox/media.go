package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// MediaFiles gives a ready file as an outbound message carries it.
type MediaFiles interface {
	Attachment(ctx context.Context, mediaID uint64) (*adapters.Attachment, error)
}

// MediaQueue queues the fetch of a buyer's file from the platform.
type MediaQueue interface {
	EnqueueMediaFetch(ctx context.Context, mediaID uint64) error
}

// ChannelHealth notes that a channel delivered something; the implementation bounds
// how often that reaches the database.
type ChannelHealth interface {
	NoteIn(ctx context.Context, channelID uint64) error
}

// ErrImagesUnsupported refuses an image reply on a channel whose platform does not
// let agents send images (adapters.Traits.SendsImages).
var ErrImagesUnsupported = errors.New("this channel's platform does not let agents send images")

// addInboundMedia stores the pending row of a buyer's file inside the message's
// transaction, so the message and its file are stored together or not at all. The
// caller sets the returned row as msg.Media once the message is inserted (not before:
// gorm would write the association again).
func addInboundMedia(ctx context.Context, tx *store.DB, ch adapters.Channel, ref *adapters.MediaRef, msg *models.Message) (*models.Media, error) {
	if ref == nil {
		return nil, nil
	}
	m := media.NewInbound(ch, *ref)
	if err := tx.CreateMedia(ctx, m); err != nil {
		return nil, err
	}
	msg.MediaID = &m.ID
	return m, nil
}

// queueMediaFetch queues the fetch of a buyer's file once its message is committed. A
// failure only delays it: the media sweeper queues pending files again.
func (s *Service) queueMediaFetch(ctx context.Context, msg *models.Message) {
	if msg.MediaID == nil || s.mediaQueue == nil {
		return
	}
	if err := s.mediaQueue.EnqueueMediaFetch(ctx, *msg.MediaID); err != nil {
		s.log.Error("queue fetch of a buyer's file", "media_id", *msg.MediaID, "err", err)
	}
}

// noteIn records the channel's last delivery for its health, when wired.
func (s *Service) noteIn(ctx context.Context, channelID uint64) {
	if s.health == nil {
		return
	}
	if err := s.health.NoteIn(ctx, channelID); err != nil {
		s.log.Warn("record channel health", "channel_id", channelID, "err", err)
	}
}

// ReplyImage stores an agent's image reply (a ready file of the shop, with an optional
// caption) as pending and queues it for delivery, like Reply. A channel whose platform
// cannot carry images answers ErrImagesUnsupported.
func (s *Service) ReplyImage(ctx context.Context, author *models.User, conv *store.ConversationRow, mediaID uint64, caption string, override bool) (*models.Message, error) {
	ok, err := s.sendsImages(ctx, conv.ChannelID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrImagesUnsupported
	}
	m, err := s.db.Media(ctx, conv.ShopID, mediaID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &models.InvalidError{Field: "media_id", Reason: "is not a file of this shop (upload it first: POST /api/v1/media)"}
	}
	if err != nil {
		return nil, err
	}
	if m.Status != models.MediaReady {
		return nil, &models.InvalidError{Field: "media_id", Reason: fmt.Sprintf("is not ready to send (it is %s)", m.Status)}
	}
	msg, err := s.reply(ctx, author, conv, reply{Type: "image", Text: caption, Media: m}, override)
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// sendsImages tells whether the channel's adapter says its platform carries images.
func (s *Service) sendsImages(ctx context.Context, channelID uint64) (bool, error) {
	ch, err := s.channels.Load(ctx, channelID)
	if err != nil {
		return false, fmt.Errorf("inbox: channel %d: %w", channelID, err)
	}
	adapter, _ := s.registry.Lookup(ch.Type)
	tp, ok := adapter.(adapters.TraitsProvider)
	return ok && tp.Traits().SendsImages, nil
}

// attachment loads the file of an outbound image message for its delivery.
func (s *Service) attachment(ctx context.Context, msg *models.Message) (*adapters.Attachment, error) {
	if msg.MediaID == nil {
		return nil, nil
	}
	if s.media == nil {
		return nil, &adapters.PermanentError{Err: errors.New("inbox: no media storage is wired to send files")}
	}
	return s.media.Attachment(ctx, *msg.MediaID)
}
