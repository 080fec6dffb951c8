package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/search"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
	"github.com/chatbridge/chatbridge/models"
)

// ForbiddenPhraseError stops a reply that contains forbidden service phrases.
type ForbiddenPhraseError struct{ Phrases []string }

func (e *ForbiddenPhraseError) Error() string {
	return "the reply contains forbidden service phrases: " + strings.Join(e.Phrases, "; ")
}

// maxReplyLen bounds a reply; every platform's limit is at or above it.
const maxReplyLen = 4096

// Reply stores an agent's text reply as pending and queues it for delivery. A reply
// with forbidden phrases is refused unless override is set; the override is recorded.
func (s *Service) Reply(ctx context.Context, author *models.User, conv *store.ConversationRow, text string, override bool) (*models.Message, error) {
	if strings.TrimSpace(text) == "" {
		return nil, &models.InvalidError{Field: "text", Reason: "is required"}
	}
	return s.reply(ctx, author, conv, reply{Type: "text", Text: text}, override)
}

// reply is an outbound message as an agent wrote it: text, or an image with an
// optional caption in Text.
type reply struct {
	Type  string
	Text  string
	Media *models.Media
}

func (s *Service) reply(ctx context.Context, author *models.User, conv *store.ConversationRow, r reply, override bool) (*models.Message, error) {
	if utf8.RuneCountInString(r.Text) > maxReplyLen {
		return nil, &models.InvalidError{Field: "text", Reason: fmt.Sprintf("is longer than %d characters", maxReplyLen)}
	}
	if err := checkOwner(author, &conv.Conversation); err != nil {
		return nil, err
	}
	list, err := s.PhraseList(ctx, conv.ShopID)
	if err != nil {
		return nil, err
	}
	phrases := ForbiddenPhrases(r.Text, list)
	if len(phrases) > 0 && !override {
		return nil, &ForbiddenPhraseError{Phrases: phrases}
	}
	msg := &models.Message{
		ShopID: conv.ShopID, ChannelID: conv.ChannelID, ConversationID: conv.ID,
		Direction: models.DirectionOut, Type: r.Type, Text: r.Text, Status: models.MessagePending,
		SenderID: &author.ID, SenderName: senderName(author), Override: len(phrases) > 0,
	}
	if r.Media != nil {
		msg.MediaID = &r.Media.ID
	}
	var fx *effects
	err = s.db.Tx(ctx, func(tx *store.DB) error {
		msg.ID, fx = 0, &effects{}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		if err := s.index(ctx, tx, &conv.Conversation, "", r.Text); err != nil {
			return err
		}
		updates := map[string]any{"last_message_at": s.now(), "last_message_preview": truncatePreview(previewOf(r.Type, r.Text)), "unread_count": 0}
		if err := tx.UpdateConversation(ctx, conv.ID, updates); err != nil {
			return err
		}
		// First-contact ownership: an agent answering an unassigned (or resolved) chat
		// owns it from now on.
		if author.Role != models.RoleAgent || equalIDs(conv.AssigneeID, &author.ID) ||
			conv.AssigneeID != nil && conv.Status != models.StatusResolved {
			return nil
		}
		c := conv.Conversation
		return s.setAssignee(ctx, tx, &c, &author.ID, author, map[string]any{"by": "first_reply"}, fx)
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: store reply: %w", err)
	}
	msg.Media = r.Media
	fx.sends = append([]*models.Message{msg}, fx.sends...)
	fx.touch(conv.ID)
	s.apply(ctx, conv.ShopID, fx)
	return msg, nil
}

// truncatePreview cuts a preview to the column's 255 bytes at a character boundary.
func truncatePreview(p string) string {
	if len(p) <= 255 {
		return p
	}
	n := 255
	for n > 0 && !utf8.RuneStart(p[n]) {
		n--
	}
	return p[:n]
}

// index adds a message's words (and its buyer's name) to the conversation's search entry.
func (s *Service) index(ctx context.Context, tx *store.DB, conv *models.Conversation, name, text string) error {
	return tx.IndexTerms(ctx, conv.ShopID, conv.ID, search.Terms(name+"\n"+text))
}

// Deliver sends a pending outbound message through its channel's adapter. It returns
// nil once the message is finished (sent, or failed for good when final is set or the
// platform refused it permanently) and an error when the attempt should be retried.
func (s *Service) Deliver(ctx context.Context, messageID uint64, final bool) error {
	msg, err := s.db.Message(ctx, messageID)
	if errors.Is(err, store.ErrNotFound) {
		s.log.Warn("outbound message vanished", "message_id", messageID)
		return nil
	}
	if err != nil {
		return err
	}
	if msg.Status != models.MessagePending {
		return nil // finished by an earlier attempt
	}
	ch, err := s.channels.Load(ctx, msg.ChannelID)
	if err != nil {
		return s.finishDelivery(ctx, msg, ch.Type, final, err)
	}
	adapter, ok := s.registry.Lookup(ch.Type)
	if !ok {
		return s.finishDelivery(ctx, msg, ch.Type, true, fmt.Errorf("no adapter for channel type %q", ch.Type))
	}
	conv, err := s.db.ConversationRow(ctx, msg.ShopID, msg.ConversationID)
	if err != nil {
		return err
	}
	att, err := s.attachment(ctx, msg)
	if err != nil {
		var perm *adapters.PermanentError
		return s.finishDelivery(ctx, msg, ch.Type, final || errors.As(err, &perm), err)
	}
	res, sendErr := adapter.Send(ctx, ch, adapters.OutboundMessage{
		ID: view.ID(msg.ID), ConversationID: view.ID(conv.ID), CustomerID: conv.CustomerExternalID,
		Type: msg.Type, Text: msg.Text, CreatedAt: msg.CreatedAt, Attachment: att,
	})
	if sendErr == nil {
		return s.markDelivered(ctx, msg, ch.Type, res.RemoteID)
	}
	var perm *adapters.PermanentError
	return s.finishDelivery(ctx, msg, ch.Type, final || errors.As(sendErr, &perm), sendErr)
}

func (s *Service) markDelivered(ctx context.Context, msg *models.Message, channelType, remoteID string) error {
	changed, err := s.db.FinishOutbound(ctx, msg.ID, models.MessageSent, remoteID, "")
	if err != nil {
		return err
	}
	_ = s.db.RecordChannelOut(ctx, msg.ChannelID, s.now(), nil)
	if changed {
		s.afterFinish(ctx, msg.ID, channelType, models.MessageSent)
	}
	return nil
}

// finishDelivery records a failed attempt: for good when final, else for a retry.
func (s *Service) finishDelivery(ctx context.Context, msg *models.Message, channelType string, final bool, sendErr error) error {
	_ = s.db.RecordChannelOut(ctx, msg.ChannelID, s.now(), sendErr)
	if !final {
		if err := s.db.NoteSendError(ctx, msg.ID, sendErr.Error()); err != nil {
			s.log.Error("note send error", "message_id", msg.ID, "err", err)
		}
		return fmt.Errorf("inbox: deliver message %d: %w", msg.ID, sendErr)
	}
	changed, err := s.db.FinishOutbound(ctx, msg.ID, models.MessageFailed, "", sendErr.Error())
	if err != nil {
		return err
	}
	if changed {
		s.log.Warn("reply failed for good", "message_id", msg.ID, "err", sendErr)
		s.afterFinish(ctx, msg.ID, channelType, models.MessageFailed)
	}
	return nil
}

func (s *Service) afterFinish(ctx context.Context, id uint64, channelType string, status models.MessageStatus) {
	if s.metrics != nil {
		s.metrics.MessageOut(channelType, status)
	}
	msg, err := s.db.Message(ctx, id)
	if err != nil {
		s.log.Error("load message for event", "message_id", id, "err", err)
		return
	}
	s.publishMessage(ctx, realtime.MessageUpdated, msg)
}
