package wecomkf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"

	"github.com/chatbridge/chatbridge/adapters"
)

// maxTextBytes is send_msg's limit on a text's content.
const maxTextBytes = 2048

// msgIDPattern is what send_msg accepts as msgid, our idempotency key.
var msgIDPattern = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,32}$`)

type sendRequest struct {
	ToUser   string      `json:"touser"`
	OpenKfID string      `json:"open_kfid"`
	MsgID    string      `json:"msgid"`
	MsgType  string      `json:"msgtype"`
	Text     *textBody   `json:"text,omitempty"`
	Image    *mediaField `json:"image,omitempty"`
}

type textBody struct {
	Content string `json:"content"`
}

// Send delivers a reply with send_msg from the account the buyer wrote to. The
// message's ChatBridge id is send_msg's msgid, so a retry carries the same key.
func (a *Adapter) Send(ctx context.Context, ch adapters.Channel, msg adapters.OutboundMessage) (adapters.SendResult, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.SendResult{}, &adapters.PermanentError{Err: err}
	}
	kf, user, err := splitCustomer(cfg, msg.CustomerID)
	if err != nil {
		return adapters.SendResult{}, &adapters.PermanentError{Err: err}
	}
	if !msgIDPattern.MatchString(msg.ID) {
		return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("wecom_kf: message id %q is not a valid msgid", msg.ID)}
	}
	req := sendRequest{ToUser: user, OpenKfID: kf, MsgID: msg.ID}
	switch {
	case msg.Type == "image" && msg.Attachment != nil:
		mediaID, err := a.upload(ctx, cfg, msg.Attachment)
		if err != nil {
			return adapters.SendResult{}, err
		}
		req.MsgType, req.Image = "image", &mediaField{MediaID: mediaID}
	case msg.Type == "text" || msg.Type == "":
		if len(msg.Text) > maxTextBytes {
			return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf(
				"WeCom customer service takes at most %d bytes of text per message (this reply has %d); shorten it", maxTextBytes, len(msg.Text))}
		}
		req.MsgType, req.Text = "text", &textBody{Content: msg.Text}
	default:
		return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("wecom_kf: cannot send a %q message", msg.Type)}
	}
	var out struct {
		MsgID string `json:"msgid"`
	}
	if err := a.call(ctx, cfg, "/cgi-bin/kf/send_msg", "send_msg", req, &out); err != nil {
		return adapters.SendResult{}, err
	}
	if out.MsgID == "" {
		out.MsgID = msg.ID
	}
	return adapters.SendResult{RemoteID: out.MsgID}, nil
}

// upload stores an image as temporary media (media/upload, type image) for send_msg.
func (a *Adapter) upload(ctx context.Context, cfg Config, att *adapters.Attachment) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	name := att.FileName
	if name == "" {
		name = "image"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename=%q; filelength=%d`, name, len(att.Data)))
	h.Set("Content-Type", att.ContentType)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(att.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", &adapters.PermanentError{Err: fmt.Errorf("wecom_kf: build upload: %w", err)}
	}
	var out struct {
		MediaID string `json:"media_id"`
	}
	err = a.withToken(ctx, cfg, func(tok string) error {
		u := cfg.base() + "/cgi-bin/media/upload?type=image&access_token=" + url.QueryEscape(tok)
		return a.do(ctx, http.MethodPost, u, w.FormDataContentType(), buf.Bytes(), "media/upload", &out)
	})
	if err != nil {
		return "", err
	}
	if out.MediaID == "" {
		return "", errors.New("wecom_kf: media/upload answered no media_id")
	}
	return out.MediaID, nil
}

// FetchMedia downloads a file a buyer sent (media/get). WeCom answers the bytes, or a
// JSON error.
func (a *Adapter) FetchMedia(ctx context.Context, ch adapters.Channel, ref adapters.MediaRef) (adapters.Media, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.Media{}, &adapters.PermanentError{Err: err}
	}
	var media adapters.Media
	err = a.withToken(ctx, cfg, func(tok string) error {
		u := cfg.base() + "/cgi-bin/media/get?access_token=" + url.QueryEscape(tok) + "&media_id=" + url.QueryEscape(ref.ID)
		resp, err := a.send(ctx, http.MethodGet, u, "", nil, "media/get")
		if err != nil {
			return err
		}
		ct := resp.Header.Get("Content-Type")
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/json" || mt == "text/plain" {
			defer resp.Body.Close()
			var raw bytes.Buffer
			_, _ = raw.ReadFrom(io.LimitReader(resp.Body, 64<<10))
			if err := decodeAnswer("media/get", raw.Bytes(), nil); err != nil {
				return err
			}
			return fmt.Errorf("wecom_kf: media/get answered %s without a file", ct)
		}
		media = adapters.Media{Body: resp.Body, ContentType: ct, Size: resp.ContentLength}
		return nil
	})
	return media, err
}

// TestConnection checks corp id and secret by fetching an access token.
func (a *Adapter) TestConnection(ctx context.Context, ch adapters.Channel) error {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return err
	}
	_, _, err = a.fetchToken(ctx, cfg)
	return tokenError(err)
}
