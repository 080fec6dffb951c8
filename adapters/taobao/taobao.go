// Package taobao is the Taobao/Tmall channel, through the Taobao Open Platform (TOP):
// trades and refunds arrive from TOP's message service (TMC), pulled over the API;
// notes and flags go back with the trade memo API; addresses change before shipment.
// The buyer chat (千牛) API is partner-only, so chats come through the generic channel.
package taobao

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "taobao"

// Config is a Taobao channel's settings: the app's key and secret and the seller's
// session (the long-lived authorisation token of the shop).
type Config struct {
	AppKey     string `json:"app_key"`
	AppSecret  string `json:"app_secret"`
	Session    string `json:"session"`
	SignMethod string `json:"sign_method,omitempty"` // md5 (default), hmac or hmac-sha256
	// TMCGroup is the message group to consume; empty is TOP's default group.
	TMCGroup   string `json:"tmc_group,omitempty"`
	APIBaseURL string `json:"api_base_url,omitempty"`
}

func (c Config) signMethod() string {
	if c.SignMethod == "" {
		return SignMD5
	}
	return c.SignMethod
}

func (c Config) baseURL() string {
	if c.APIBaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.APIBaseURL, "/")
}

// Adapter implements adapters.Adapter and the abilities Taobao has.
type Adapter struct {
	http *http.Client
	now  func() time.Time
}

// New builds the adapter from the shared services.
func New(d adapters.Deps) *Adapter {
	a := &Adapter{http: d.HTTP, now: d.Now}
	if a.http == nil {
		a.http = &http.Client{Timeout: 15 * time.Second}
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// Type implements adapters.Adapter.
func (a *Adapter) Type() string { return Type }

// ValidateConfig requires the app key, secret and session, a known sign method and,
// when set, an absolute http(s) api_base_url.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with app_key, app_secret and session"}
	}
	for field, v := range map[string]string{"app_key": cfg.AppKey, "app_secret": cfg.AppSecret, "session": cfg.Session} {
		if strings.TrimSpace(v) == "" {
			return cfg, &adapters.BadRequestError{Field: "config." + field, Reason: "is required"}
		}
	}
	switch cfg.signMethod() {
	case SignMD5, SignHMAC, SignHMACSHA256:
	default:
		return cfg, &adapters.BadRequestError{Field: "config.sign_method", Reason: "must be md5, hmac or hmac-sha256"}
	}
	if cfg.APIBaseURL != "" {
		u, err := url.Parse(cfg.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, &adapters.BadRequestError{Field: "config.api_base_url", Reason: "must be an absolute http(s) URL"}
		}
	}
	return cfg, nil
}

// config reads a stored channel's settings; a bad one cannot be fixed by retrying.
func config(ch adapters.Channel) (Config, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return cfg, &adapters.PermanentError{Err: err}
	}
	return cfg, nil
}

// ConfigFields describes the settings for the web's channel form.
func (a *Adapter) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{
		{Key: "app_key", Label: "App key", LabelZH: "AppKey", Required: true},
		{Key: "app_secret", Label: "App secret", LabelZH: "AppSecret", Required: true, Secret: true},
		{Key: "session", Label: "Seller session", LabelZH: "卖家授权 SessionKey", Required: true, Secret: true,
			Help: "The shop's authorisation (sessionKey) for this app, with the trade, refund and TMC permissions."},
		{Key: "sign_method", Label: "Sign method", LabelZH: "签名方法", Help: "md5 (default), hmac or hmac-sha256."},
		{Key: "tmc_group", Label: "Message group", LabelZH: "消息分组", Help: "TMC user group to consume; empty is the default group."},
		{Key: "api_base_url", Label: "API host", LabelZH: "API 地址", Help: "Replaces https://gw.api.taobao.com (a proxy)."},
	}
}

// ErrNoWebhooks is the answer to anything posted to a Taobao channel's webhook URL:
// TOP's messages are pulled, not pushed to ChatBridge.
var ErrNoWebhooks = errors.New("taobao delivers no webhooks to ChatBridge: trades and refunds are pulled from its message service (TMC)")

// ParseWebhook refuses: see ErrNoWebhooks.
func (a *Adapter) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, &adapters.BadRequestError{Reason: ErrNoWebhooks.Error()}
}

// ErrNoChat is why a reply cannot go out on a Taobao channel.
var ErrNoChat = errors.New("taobao: the buyer chat API (千牛) is open to partners only; connect the shop's chats through the generic channel")

// Send refuses for good: see ErrNoChat.
func (a *Adapter) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, &adapters.PermanentError{Err: ErrNoChat}
}

// Traits: orders and refunds only; chats come through the generic channel's relay.
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{NoChat: true} }
