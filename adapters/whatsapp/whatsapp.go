// Package whatsapp is the channel for the WhatsApp Cloud API: Meta POSTs batched,
// HMAC-signed webhooks for the shop's business number, and replies go out with the
// Graph API's messages endpoint, free-form only within 24 hours of the buyer's last
// message.
package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "whatsapp"

// DefaultAPIBase is the Graph API host; DefaultAPIVersion the version used when the
// channel sets none.
const (
	DefaultAPIBase    = "https://graph.facebook.com"
	DefaultAPIVersion = "v21.0"
)

// HeaderSignature carries Meta's HMAC-SHA256 of the raw body.
const HeaderSignature = "X-Hub-Signature-256"

// Config is a WhatsApp channel's settings.
type Config struct {
	PhoneNumberID string `json:"phone_number_id"`
	AccessToken   string `json:"access_token"`
	AppSecret     string `json:"app_secret"`
	VerifyToken   string `json:"verify_token"`
	APIVersion    string `json:"api_version,omitempty"`
	APIBaseURL    string `json:"api_base_url,omitempty"`
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with phone_number_id, access_token, app_secret and verify_token"}
	}
	for _, f := range []struct{ name, value string }{
		{"phone_number_id", cfg.PhoneNumberID}, {"access_token", cfg.AccessToken},
		{"app_secret", cfg.AppSecret}, {"verify_token", cfg.VerifyToken},
	} {
		if strings.TrimSpace(f.value) == "" {
			return cfg, &adapters.BadRequestError{Field: "config." + f.name, Reason: "is required"}
		}
	}
	if strings.ContainsAny(cfg.PhoneNumberID, "/?#. ") {
		return cfg, &adapters.BadRequestError{Field: "config.phone_number_id", Reason: "must be the numeric phone number ID from WhatsApp Manager"}
	}
	if cfg.APIVersion != "" && (!strings.HasPrefix(cfg.APIVersion, "v") || strings.ContainsAny(cfg.APIVersion, "/?# ")) {
		return cfg, &adapters.BadRequestError{Field: "config.api_version", Reason: "must look like v21.0"}
	}
	return cfg, adapters.CheckAPIBaseURL(cfg.APIBaseURL)
}

// endpoint is the Graph API URL of path under the configured host and version.
func (c Config) endpoint(path string) string {
	base, ver := adapters.APIBase(c.APIBaseURL, DefaultAPIBase), DefaultAPIVersion
	if c.APIVersion != "" {
		ver = c.APIVersion
	}
	return base + "/" + ver + "/" + path
}

// Adapter implements adapters.Adapter for the WhatsApp Cloud API.
type Adapter struct {
	deps adapters.Deps
}

// New returns the adapter built on the shared services.
func New(d adapters.Deps) *Adapter {
	return &Adapter{deps: d.WithDefaults()}
}

// Type implements adapters.Adapter.
func (a *Adapter) Type() string { return Type }

// ValidateConfig requires the number, the token and both webhook secrets.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

// ConfigFields describes the settings for the web's channel form.
func (a *Adapter) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{
		{Key: "phone_number_id", Label: "Phone number ID", LabelZH: "电话号码 ID", Required: true, Help: "WhatsApp Manager → API Setup."},
		{Key: "access_token", Label: "Access token", LabelZH: "访问令牌", Secret: true, Required: true,
			Help: "A system user's permanent token with whatsapp_business_messaging."},
		{Key: "app_secret", Label: "App secret", LabelZH: "应用密钥", Secret: true, Required: true,
			Help: "App settings → Basic: verifies every webhook's X-Hub-Signature-256."},
		{Key: "verify_token", Label: "Verify token", LabelZH: "验证令牌", Secret: true, Required: true,
			Help: "Any string; type the same in the app's webhook settings with the callback URL."},
		{Key: "api_version", Label: "Graph API version", LabelZH: "Graph API 版本", Help: "Optional, default " + DefaultAPIVersion + "."},
		{Key: "api_base_url", Label: "API base URL", LabelZH: "API 地址", Help: "Optional: replaces " + DefaultAPIBase + " (a proxy)."},
	}
}

// Traits: free-form replies only within 24 hours of the buyer's last message.
func (a *Adapter) Traits() adapters.Traits {
	return adapters.Traits{ReplyWindow: 24 * time.Hour, SendsImages: true}
}

// VerifyURL answers Meta's subscription check: hub.mode=subscribe with the channel's
// verify token gets hub.challenge back, raw.
func (a *Adapter) VerifyURL(_ context.Context, ch adapters.Channel, r *http.Request) (adapters.Reply, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return adapters.Reply{}, err
	}
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(cfg.VerifyToken)) != 1 {
		return adapters.Reply{}, fmt.Errorf("%w: hub.mode or hub.verify_token does not match", adapters.ErrUnauthorized)
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" {
		return adapters.Reply{}, &adapters.BadRequestError{Field: "hub.challenge", Reason: "is required"}
	}
	return adapters.Reply{ContentType: "text/plain; charset=utf-8", Body: []byte(challenge)}, nil
}

// Sign is X-Hub-Signature-256 for body: "sha256=" + hex HMAC-SHA256 with the app secret.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// ParseWebhook verifies the signature over the raw bytes (constant time) and reads
// the batch. Meta signs no time: a redelivery carries the same wamid, stored once.
func (a *Adapter) ParseWebhook(_ context.Context, ch adapters.Channel, r *http.Request, body []byte) ([]adapters.Event, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return nil, err
	}
	got := strings.ToLower(r.Header.Get(HeaderSignature))
	if subtle.ConstantTimeCompare([]byte(got), []byte(Sign(cfg.AppSecret, body))) != 1 {
		return nil, fmt.Errorf("%w: %s does not match the body", adapters.ErrUnauthorized, HeaderSignature)
	}
	return ParseNotification(body, cfg.PhoneNumberID)
}
