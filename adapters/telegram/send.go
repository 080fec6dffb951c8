package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters"
)

// maxText is sendMessage's limit; a photo caption's is 1024.
const (
	maxText    = 4096
	maxCaption = 1024
)

// ErrRateLimited is ChatBridge's own shared budget for the bot running out.
var ErrRateLimited = errors.New("telegram: the bot's message budget is spent for now")

// Send delivers a reply: sendMessage for text, sendPhoto for an image. The Bot API
// has no idempotency key, so a retry after a lost answer may repeat the message.
func (a *Adapter) Send(ctx context.Context, ch adapters.Channel, msg adapters.OutboundMessage) (adapters.SendResult, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.SendResult{}, &adapters.PermanentError{Err: err}
	}
	if msg.CustomerID == "" {
		return adapters.SendResult{}, &adapters.PermanentError{Err: errors.New("telegram: the reply has no chat id")}
	}
	if err := a.spend(ctx, cfg, msg.CustomerID); err != nil {
		return adapters.SendResult{}, err
	}
	var sent struct {
		MessageID int64 `json:"message_id"`
	}
	switch {
	case msg.Type == "image" && msg.Attachment != nil:
		if utf8.RuneCountInString(msg.Text) > maxCaption {
			return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("a Telegram photo caption holds at most %d characters", maxCaption)}
		}
		fields := map[string]string{"chat_id": msg.CustomerID}
		if msg.Text != "" {
			fields["caption"] = msg.Text
		}
		err = a.callMultipart(ctx, cfg, "sendPhoto", fields, "photo", msg.Attachment, &sent)
	case msg.Type == "text" || msg.Type == "":
		if utf8.RuneCountInString(msg.Text) > maxText {
			return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("a Telegram message holds at most %d characters", maxText)}
		}
		err = a.call(ctx, cfg, "sendMessage", map[string]any{"chat_id": msg.CustomerID, "text": msg.Text}, &sent)
	default:
		return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("telegram: cannot send a %q message", msg.Type)}
	}
	if err != nil {
		return adapters.SendResult{}, err
	}
	return adapters.SendResult{RemoteID: msg.CustomerID + ":" + strconv.FormatInt(sent.MessageID, 10)}, nil
}

// spend takes one message of the chat's and the bot's shared budgets; when either is
// spent the send waits (a ThrottledError), it is not a failure.
func (a *Adapter) spend(ctx context.Context, cfg Config, chatID string) error {
	if a.deps.Limiter == nil {
		return nil
	}
	bot := "telegram:" + cfg.botID()
	for _, b := range []struct {
		key   string
		limit int
	}{{bot + ":chat:" + chatID, perChatPerSecond}, {bot, perBotPerSecond}} {
		wait, err := a.deps.Limiter.Allow(ctx, b.key, b.limit, time.Second)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &adapters.ThrottledError{After: wait, Err: ErrRateLimited}
		}
	}
	return nil
}

// FetchMedia downloads a file a buyer sent: getFile gives its path, then the file
// is read from the Bot API's file endpoint.
func (a *Adapter) FetchMedia(ctx context.Context, ch adapters.Channel, ref adapters.MediaRef) (adapters.Media, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.Media{}, &adapters.PermanentError{Err: err}
	}
	var f struct {
		FilePath string `json:"file_path"`
	}
	if err := a.call(ctx, cfg, "getFile", map[string]string{"file_id": ref.ID}, &f); err != nil {
		return adapters.Media{}, err
	}
	if f.FilePath == "" {
		return adapters.Media{}, errors.New("telegram: getFile answered no file_path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.base()+"/file/bot"+cfg.BotToken+"/"+f.FilePath, nil)
	if err != nil {
		return adapters.Media{}, &adapters.PermanentError{Err: adapters.RedactURL(err)}
	}
	resp, err := a.deps.HTTP.Do(req)
	if err != nil {
		return adapters.Media{}, fmt.Errorf("telegram: download file: %w", adapters.RedactURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return adapters.Media{}, fmt.Errorf("telegram: download file: HTTP %d", resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	if ref.MimeType != "" && (ct == "" || ct == "application/octet-stream") {
		ct = ref.MimeType
	}
	return adapters.Media{Body: resp.Body, ContentType: ct, Size: resp.ContentLength}, nil
}
