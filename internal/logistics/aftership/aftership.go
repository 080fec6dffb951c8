// Package aftership follows international parcels through AfterShip's tracking API:
// a tracking is created (which also subscribes it to the account's webhook), read by
// its id, and its updates arrive as webhooks signed with aftership-hmac-sha256.
package aftership

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/models"
)

// Name is the provider's name in URLs and settings.
const Name = models.ProviderAfterShip

// Defaults of an account's settings.
const (
	DefaultBaseURL = "https://api.aftership.com"
	DefaultVersion = "2025-07"
)

// Config is a shop's AfterShip account.
type Config struct {
	// APIKey is sent as the as-api-key header.
	APIKey string `json:"api_key"`
	// WebhookSecret verifies the webhooks (AfterShip's webhook settings page shows it).
	WebhookSecret string `json:"webhook_secret"`
	// APIBaseURL replaces AfterShip's host (proxies, test doubles); APIVersion is the
	// dated version of the tracking API.
	APIBaseURL string `json:"api_base_url,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
}

// Provider speaks AfterShip.
type Provider struct {
	http *http.Client
}

// New returns the provider; client's timeout bounds each call.
func New(client *http.Client) *Provider { return &Provider{http: client} }

var _ logistics.Provider = (*Provider)(nil)

// Name implements logistics.Provider.
func (*Provider) Name() string { return Name }

// slugs maps canonical carriers to AfterShip's courier slugs. Carriers without a slug
// here (JD, J&T China, Deppon) are left to AfterShip's detection from the number.
var slugs = map[string]string{
	logistics.CarrierSF: "sf-express", logistics.CarrierYTO: "yto", logistics.CarrierZTO: "zto-express",
	logistics.CarrierSTO: "sto", logistics.CarrierYunda: "yunda", logistics.CarrierEMS: "china-ems",
	logistics.CarrierPost: "china-post", logistics.CarrierBest: "800bestex", logistics.CarrierZJS: "zjs-express",
	logistics.CarrierDHL: "dhl", logistics.CarrierUPS: "ups", logistics.CarrierFedEx: "fedex", logistics.CarrierUSPS: "usps",
}

// CarrierCode implements logistics.Provider: AfterShip follows any carrier, detecting
// those it is given no slug for.
func (*Provider) CarrierCode(code string) (string, bool) {
	return slugs[code], true
}

// PrepareConfig implements logistics.Provider.
func (*Provider) PrepareConfig(raw, prev json.RawMessage) (json.RawMessage, error) {
	var c, old Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &models.InvalidError{Field: "config", Reason: err.Error()}
	}
	if prev != nil {
		_ = json.Unmarshal(prev, &old)
	}
	c.APIKey, c.WebhookSecret = strings.TrimSpace(c.APIKey), strings.TrimSpace(c.WebhookSecret)
	if c.APIKey == "" {
		c.APIKey = old.APIKey
	}
	if c.WebhookSecret == "" {
		c.WebhookSecret = old.WebhookSecret
	}
	switch {
	case c.APIKey == "":
		return nil, &models.InvalidError{Field: "config.api_key", Reason: "is required (an AfterShip API key)"}
	case c.WebhookSecret == "":
		return nil, &models.InvalidError{Field: "config.webhook_secret", Reason: "is required (the webhook secret of AfterShip's webhook settings)"}
	case c.APIVersion != "" && !validVersion(c.APIVersion):
		return nil, &models.InvalidError{Field: "config.api_version", Reason: "must be a dated version such as 2025-07"}
	}
	if c.APIBaseURL != "" {
		u, err := url.Parse(c.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &models.InvalidError{Field: "config.api_base_url", Reason: "must be an absolute http(s) URL"}
		}
	}
	return json.Marshal(c)
}

func validVersion(v string) bool {
	_, err := time.Parse("2006-01", v)
	return err == nil
}

// PublicConfig implements logistics.Provider: the host and version, never the key or
// the webhook secret.
func (*Provider) PublicConfig(raw json.RawMessage) map[string]any {
	var c Config
	_ = json.Unmarshal(raw, &c)
	out := map[string]any{}
	if c.APIBaseURL != "" {
		out["api_base_url"] = c.APIBaseURL
	}
	if c.APIVersion != "" {
		out["api_version"] = c.APIVersion
	}
	return out
}

func config(acct logistics.Account) (Config, error) {
	var c Config
	if err := json.Unmarshal(acct.Config, &c); err != nil {
		return c, &logistics.PermanentError{Err: fmt.Errorf("aftership: account %d settings: %w", acct.ID, err)}
	}
	if c.APIBaseURL == "" {
		c.APIBaseURL = DefaultBaseURL
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultVersion
	}
	c.APIBaseURL = strings.TrimRight(c.APIBaseURL, "/")
	return c, nil
}

func (c Config) endpoint(path string) string {
	return c.APIBaseURL + "/tracking/" + c.APIVersion + path
}

// Subscribe implements logistics.Provider: creating the tracking makes AfterShip follow
// it and deliver its updates to the account's webhook (the callback URL is set once in
// AfterShip's webhook settings, so it is not sent). A tracking that exists already is
// looked up instead.
func (p *Provider) Subscribe(ctx context.Context, acct logistics.Account, ref logistics.ParcelRef, _ string) (string, error) {
	c, err := config(acct)
	if err != nil {
		return "", err
	}
	if ref.Ref != "" {
		return ref.Ref, nil
	}
	body, err := json.Marshal(createRequest{TrackingNumber: ref.Number, Slug: ref.Carrier})
	if err != nil {
		return "", fmt.Errorf("aftership: encode tracking: %w", err)
	}
	var t tracking
	err = p.call(ctx, c, http.MethodPost, c.endpoint("/trackings"), body, &t)
	var apiErr *apiError
	if errors.As(err, &apiErr) && apiErr.meta.Code == codeTrackingExists {
		return p.find(ctx, c, ref)
	}
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

// find looks an existing tracking up by its number (and slug).
func (p *Provider) find(ctx context.Context, c Config, ref logistics.ParcelRef) (string, error) {
	q := url.Values{"tracking_numbers": {ref.Number}}
	if ref.Carrier != "" {
		q.Set("slug", ref.Carrier)
	}
	var list trackingList
	if err := p.call(ctx, c, http.MethodGet, c.endpoint("/trackings?"+q.Encode()), nil, &list); err != nil {
		return "", err
	}
	for _, t := range list.Trackings {
		if t.TrackingNumber == ref.Number {
			return t.ID, nil
		}
	}
	return "", fmt.Errorf("aftership: tracking %s exists but was not found", ref.Number)
}

// Query implements logistics.Provider: it reads the tracking by its id, creating it
// first when the parcel has none yet.
func (p *Provider) Query(ctx context.Context, acct logistics.Account, ref logistics.ParcelRef) (logistics.Snapshot, error) {
	c, err := config(acct)
	if err != nil {
		return logistics.Snapshot{}, err
	}
	if ref.Ref == "" {
		if ref.Ref, err = p.Subscribe(ctx, acct, ref, ""); err != nil {
			return logistics.Snapshot{}, err
		}
	}
	var t tracking
	if err := p.call(ctx, c, http.MethodGet, c.endpoint("/trackings/"+url.PathEscape(ref.Ref)), nil, &t); err != nil {
		return logistics.Snapshot{}, err
	}
	snap, err := t.snapshot("data")
	if err != nil {
		return snap, fmt.Errorf("aftership: tracking %s: %w", ref.Ref, err)
	}
	return snap, nil
}

// apiError is an answer whose meta code says it failed.
type apiError struct {
	status int
	meta   meta
}

func (e *apiError) Error() string {
	return fmt.Sprintf("aftership: HTTP %d, meta %d %s: %s", e.status, e.meta.Code, e.meta.Type, e.meta.Message)
}

// call sends one request and decodes the envelope's data into out. Rejected
// credentials and refused numbers are permanent; 429 (with its reset hint) and server
// errors are retried.
func (p *Provider) call(ctx context.Context, c Config, method, endpoint string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return &logistics.PermanentError{Err: fmt.Errorf("aftership: %w", err)}
	}
	req.Header.Set("as-api-key", c.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("aftership: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("aftership: read answer: %w", err)
	}
	var env envelope
	jsonErr := json.Unmarshal(raw, &env)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300 && (env.Meta.Code == 0 || env.Meta.Code < 300)
	if ok && jsonErr == nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return fmt.Errorf("aftership: decode data: %w", err)
		}
		return nil
	}
	if jsonErr != nil && ok {
		return fmt.Errorf("aftership: answer is not JSON: %w", jsonErr)
	}
	e := &apiError{status: resp.StatusCode, meta: env.Meta}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if reset, err := strconv.ParseInt(resp.Header.Get("x-ratelimit-reset"), 10, 64); err == nil && resp.StatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("%w (rate limit resets at %s)", e, time.Unix(reset, 0).UTC().Format(time.RFC3339))
		}
		return e
	case env.Meta.Code == codeTrackingExists:
		return e
	default:
		return &logistics.PermanentError{Err: e}
	}
}

// ParsePush implements logistics.Provider: the signature is checked on the raw body
// before it is read; events other than shipment updates are accepted and ignored.
func (p *Provider) ParsePush(acct logistics.Account, r *http.Request, body []byte) ([]logistics.Snapshot, error) {
	c, err := config(acct)
	if err != nil {
		return nil, err
	}
	if !Verify(c.WebhookSecret, body, r.Header.Get(HeaderSignature)) {
		return nil, fmt.Errorf("aftership: webhook signature does not match: %w", adapters.ErrUnauthorized)
	}
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, &adapters.BadRequestError{Reason: "body is not JSON: " + err.Error()}
	}
	if w.Event == "" {
		return nil, &adapters.BadRequestError{Field: "event", Reason: "is required"}
	}
	if w.Event != eventTrackingUpdate {
		return nil, nil
	}
	if w.Msg == nil {
		return nil, &adapters.BadRequestError{Field: "msg", Reason: "is required"}
	}
	if w.Msg.TrackingNumber == "" {
		return nil, &adapters.BadRequestError{Field: "msg.tracking_number", Reason: "is required"}
	}
	snap, err := w.Msg.snapshot("msg")
	if err != nil {
		field, reason, _ := strings.Cut(err.Error(), ": ")
		return nil, &adapters.BadRequestError{Field: field, Reason: reason}
	}
	return []logistics.Snapshot{snap}, nil
}

// PushReply implements logistics.Provider: AfterShip reads only the status code.
func (*Provider) PushReply(duplicate bool) (string, []byte) {
	if duplicate {
		return "application/json", []byte(`{"status":"duplicate"}`)
	}
	return "application/json", []byte(`{"status":"accepted"}`)
}
