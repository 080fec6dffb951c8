package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters"
)

// maxText is a text message's body limit.
const maxText = 4096

// ThrottleWait is how long a send waits after Meta's rate limits, which carry no
// hint of their own.
const ThrottleWait = time.Minute

// APIError is the Graph API's {"error":{...}}.
type APIError struct {
	Op      string
	Status  int
	Code    int
	Subcode int
	Message string
	Details string
}

func (e *APIError) Error() string {
	msg := e.Message
	if e.Details != "" {
		msg += " (" + e.Details + ")"
	}
	return fmt.Sprintf("whatsapp: %s: HTTP %d, code %d: %s", e.Op, e.Status, e.Code, msg)
}

// classify turns a Graph API error into what the worker does with it.
func classify(e *APIError) error {
	switch e.Code {
	case 131047:
		return &adapters.PermanentError{Err: fmt.Errorf("more than 24 hours have passed since the buyer's last message; WhatsApp only lets an approved template message through now: %w", e)}
	case 130429, 131056, 80007, 4:
		return &adapters.ThrottledError{After: ThrottleWait, Err: e}
	case 190:
		return &adapters.PermanentError{Err: fmt.Errorf("Meta refused the access token (expired or revoked); update the channel's access_token: %w", e)}
	case 131026:
		return &adapters.PermanentError{Err: fmt.Errorf("WhatsApp could not deliver to this number (not on WhatsApp, or an outdated app): %w", e)}
	case 1, 2, 131000, 131016:
		return e // Meta's temporary trouble: retried with backoff
	}
	switch {
	case e.Status == http.StatusTooManyRequests:
		return &adapters.ThrottledError{After: ThrottleWait, Err: e}
	case e.Status >= 500:
		return e
	}
	return &adapters.PermanentError{Err: e}
}

// Send delivers a reply to the buyer's WhatsApp number. ChatBridge's message id rides
// in biz_opaque_callback_data, so Meta's delivery statuses name it; the Cloud API has
// no idempotency key.
func (a *Adapter) Send(ctx context.Context, ch adapters.Channel, msg adapters.OutboundMessage) (adapters.SendResult, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.SendResult{}, &adapters.PermanentError{Err: err}
	}
	body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": msg.CustomerID,
		"biz_opaque_callback_data": msg.ID}
	switch {
	case msg.Type == "image" && msg.Attachment != nil:
		id, err := a.upload(ctx, cfg, msg.Attachment)
		if err != nil {
			return adapters.SendResult{}, err
		}
		img := map[string]string{"id": id}
		if msg.Text != "" {
			img["caption"] = msg.Text
		}
		body["type"], body["image"] = "image", img
	case msg.Type == "text" || msg.Type == "":
		if utf8.RuneCountInString(msg.Text) > maxText {
			return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("a WhatsApp message holds at most %d characters", maxText)}
		}
		body["type"], body["text"] = "text", map[string]any{"preview_url": false, "body": msg.Text}
	default:
		return adapters.SendResult{}, &adapters.PermanentError{Err: fmt.Errorf("whatsapp: cannot send a %q message", msg.Type)}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return adapters.SendResult{}, &adapters.PermanentError{Err: err}
	}
	var out struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := a.do(ctx, cfg, http.MethodPost, cfg.endpoint(cfg.PhoneNumberID+"/messages"), "application/json", raw, "send", &out); err != nil {
		return adapters.SendResult{}, err
	}
	if len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return adapters.SendResult{}, errors.New("whatsapp: send answered no message id")
	}
	return adapters.SendResult{RemoteID: out.Messages[0].ID}, nil
}

// upload stores an image with the number's media endpoint and returns its media id.
func (a *Adapter) upload(ctx context.Context, cfg Config, att *adapters.Attachment) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", att.ContentType)
	name := att.FileName
	if name == "" {
		name = "image"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", att.ContentType)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(att.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", &adapters.PermanentError{Err: fmt.Errorf("whatsapp: build upload: %w", err)}
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.do(ctx, cfg, http.MethodPost, cfg.endpoint(cfg.PhoneNumberID+"/media"), w.FormDataContentType(), buf.Bytes(), "upload media", &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("whatsapp: media upload answered no id")
	}
	return out.ID, nil
}

// FetchMedia downloads a file a buyer sent: the media id gives a short-lived URL,
// which is read with the same bearer token.
func (a *Adapter) FetchMedia(ctx context.Context, ch adapters.Channel, ref adapters.MediaRef) (adapters.Media, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.Media{}, &adapters.PermanentError{Err: err}
	}
	var info struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	}
	if err := a.do(ctx, cfg, http.MethodGet, cfg.endpoint(url.PathEscape(ref.ID)), "", nil, "media url", &info); err != nil {
		return adapters.Media{}, err
	}
	if info.URL == "" {
		return adapters.Media{}, errors.New("whatsapp: media answered no url")
	}
	resp, err := a.request(ctx, cfg, http.MethodGet, info.URL, "", nil, "download media")
	if err != nil {
		return adapters.Media{}, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return adapters.Media{}, answerError("download media", resp)
	}
	ct := resp.Header.Get("Content-Type")
	if info.MimeType != "" {
		ct = info.MimeType
	}
	return adapters.Media{Body: resp.Body, ContentType: ct, Size: resp.ContentLength}, nil
}

// TestConnection reads the phone number with the token.
func (a *Adapter) TestConnection(ctx context.Context, ch adapters.Channel) error {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return err
	}
	return a.do(ctx, cfg, http.MethodGet, cfg.endpoint(cfg.PhoneNumberID+"?fields=display_phone_number,verified_name"), "", nil, "phone number", nil)
}

func (a *Adapter) request(ctx context.Context, cfg Config, method, u, contentType string, body []byte, op string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("whatsapp: %s request: %w", op, err)}
	}
	req.Header.Set("Authorization", "Bearer "+cfg.AccessToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.deps.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %s: %w", op, err)
	}
	return resp, nil
}

// do sends one Graph API request and decodes its JSON answer into out.
func (a *Adapter) do(ctx context.Context, cfg Config, method, u, contentType string, body []byte, op string, out any) error {
	resp, err := a.request(ctx, cfg, method, u, contentType, body, op)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return answerError(op, resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil {
		return fmt.Errorf("whatsapp: %s: decode answer: %w", op, err)
	}
	return nil
}

// answerError reads the Graph API's error body and classifies it.
func answerError(op string, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error struct {
			Message      string `json:"message"`
			Code         int    `json:"code"`
			ErrorSubcode int    `json:"error_subcode"`
			ErrorData    struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	e := &APIError{Op: op, Status: resp.StatusCode}
	if json.Unmarshal(raw, &body) == nil && body.Error.Code != 0 {
		e.Code, e.Subcode, e.Message, e.Details = body.Error.Code, body.Error.ErrorSubcode, body.Error.Message, body.Error.ErrorData.Details
	} else {
		e.Message = string(bytes.TrimSpace(raw[:min(len(raw), 256)]))
	}
	return classify(e)
}
