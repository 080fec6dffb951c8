// Package generic is the channel for any platform without an adapter of its own: a
// small signed JSON protocol (see the API contract) that a relay or a shop's own system
// speaks. It is also the worked example of an adapter.
package generic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "generic"

// Config is a generic channel's settings.
type Config struct {
	CallbackURL string `json:"callback_url"`
}

// Adapter implements adapters.Adapter for the generic channel.
type Adapter struct {
	client *http.Client
	now    func() time.Time
}

// DefaultTimeout bounds a callback when New is given no client of its own.
const DefaultTimeout = 30 * time.Second

// New returns the generic adapter; client is used for callbacks. A nil client means one
// with DefaultTimeout, so that a process which only reads webhooks can pass nil.
func New(client *http.Client) *Adapter {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Adapter{client: client, now: time.Now}
}

// Type implements adapters.Adapter.
func (a *Adapter) Type() string { return Type }

// ValidateConfig requires an absolute http(s) callback URL.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with callback_url"}
	}
	if !absoluteHTTP(cfg.CallbackURL) {
		return cfg, &adapters.BadRequestError{Field: "config.callback_url", Reason: "must be an absolute http(s) URL"}
	}
	return cfg, nil
}

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return raw != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ConfigFields describes the generic channel's one setting for the web's channel form.
func (a *Adapter) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{{
		Key: "callback_url", Label: "Callback URL", LabelZH: "回调地址", Required: true,
		Help: "Where agents' replies, order notes and address changes are POSTed, signed with the channel secret.",
	}}
}

// ParseWebhook checks the timestamp and signature, then reads the body.
func (a *Adapter) ParseWebhook(_ context.Context, ch adapters.Channel, r *http.Request, body []byte) ([]adapters.Event, error) {
	if err := Verify(ch.Secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, a.now()); err != nil {
		return nil, err
	}
	return ParseBody(body)
}

type outboundCustomer struct {
	ID string `json:"id"`
}

type outboundMessage struct {
	ID             string           `json:"id"`
	ConversationID string           `json:"conversation_id"`
	Customer       outboundCustomer `json:"customer"`
	Type           string           `json:"type"`
	Text           string           `json:"text"`
	SentAt         string           `json:"sent_at"`
	// Media is the image of an image reply (ChatBridge's extension of the wire format):
	// a signed URL the receiver fetches without logging in, valid for a while.
	Media *outboundMedia `json:"media,omitempty"`
}

type outboundMedia struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
}

// Send POSTs the reply to the channel's callback URL, signed like inbound webhooks.
// sent_at is when the agent sent the reply (msg.CreatedAt), so that every retry of one
// message carries the same event; the clock is used only when CreatedAt is unset.
func (a *Adapter) Send(ctx context.Context, ch adapters.Channel, msg adapters.OutboundMessage) (adapters.SendResult, error) {
	sentAt := msg.CreatedAt
	if sentAt.IsZero() {
		sentAt = a.now()
	}
	out := outboundMessage{
		ID: msg.ID, ConversationID: msg.ConversationID, Customer: outboundCustomer{ID: msg.CustomerID},
		Type: msg.Type, Text: msg.Text, SentAt: sentAt.UTC().Format(time.RFC3339),
	}
	if att := msg.Attachment; att != nil {
		out.Media = &outboundMedia{URL: att.URL, ContentType: att.ContentType}
	}
	body := map[string]any{"event": "message", "message": out}
	if err := a.Post(ctx, ch, body); err != nil {
		return adapters.SendResult{}, err
	}
	return adapters.SendResult{RemoteID: msg.ID}, nil
}

// Post delivers any event of the generic protocol (message, order_note, order_update)
// to the callback URL. A 2xx answer is success; a 429 or 503 with Retry-After says when to
// try again; a bad configuration is permanent; anything else is retried by the caller.
func (a *Adapter) Post(ctx context.Context, ch adapters.Channel, event any) error {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return &adapters.PermanentError{Err: err}
	}
	body, err := json.Marshal(event)
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("generic: encode event: %w", err)}
	}
	ts := strconv.FormatInt(a.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.CallbackURL, bytes.NewReader(body))
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("generic: callback request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(ch.Secret, ts, body))
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("generic: callback %s: %w", cfg.CallbackURL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("generic: callback answered %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	if after, ok := retryAfter(resp); ok {
		return &adapters.RetryAfterError{After: after, Err: err}
	}
	return err
}

// maxRetryAfterSecs is the largest Retry-After, in seconds, that a time.Duration can hold.
const maxRetryAfterSecs = int64(math.MaxInt64 / time.Second)

func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	secs, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64)
	// Beyond maxRetryAfterSecs the Duration would overflow (and turn negative): such a
	// hint is not usable, and the caller's own backoff applies.
	if err != nil || secs < 0 || secs > maxRetryAfterSecs {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// WriteNote sends an order note to the callback URL as an order_note event.
func (a *Adapter) WriteNote(ctx context.Context, ch adapters.Channel, n adapters.OrderNote) error {
	return a.Post(ctx, ch, map[string]any{"event": "order_note", "order_note": map[string]string{
		"order_id": n.OrderID, "flag": n.Flag, "note": n.Note,
	}})
}
