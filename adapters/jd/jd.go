// Package jd is the JD (京东 POP) channel through the JOS open platform: orders arrive
// by polling the order search API by modification time; notes and flags go back with
// the vendor remark API. JD's buyer chat (咚咚) API is partner-only, so chats come
// through the generic channel.
package jd

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/orderpoll"
)

// Type is the channel type served here.
const Type = "jd"

// Config is a JD channel's settings: the app's key and secret and the shop's
// long-lived access token.
type Config struct {
	AppKey      string `json:"app_key"`
	AppSecret   string `json:"app_secret"`
	AccessToken string `json:"access_token"`
	APIBaseURL  string `json:"api_base_url,omitempty"`
}

func (c Config) baseURL() string {
	if c.APIBaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.APIBaseURL, "/")
}

// Spec pages JD's order search: one-hour windows of modification time ending three
// minutes before the clock, from a day back at first, 100 orders a page.
var Spec = orderpoll.Spec{Span: time.Hour, Lag: 3 * time.Minute, Lookback: 24 * time.Hour, PageSize: 100}

// Adapter implements adapters.Adapter and the abilities JD has.
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

// ValidateConfig requires the app key, secret and access token.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with app_key, app_secret and access_token"}
	}
	for _, f := range []struct{ name, v string }{{"app_key", cfg.AppKey}, {"app_secret", cfg.AppSecret}, {"access_token", cfg.AccessToken}} {
		if strings.TrimSpace(f.v) == "" {
			return cfg, &adapters.BadRequestError{Field: "config." + f.name, Reason: "is required"}
		}
	}
	if cfg.APIBaseURL != "" {
		u, err := url.Parse(cfg.APIBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, &adapters.BadRequestError{Field: "config.api_base_url", Reason: "must be an absolute http(s) URL"}
		}
	}
	return cfg, nil
}

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
		{Key: "access_token", Label: "Shop access token", LabelZH: "店铺授权 access_token", Required: true, Secret: true,
			Help: "The shop's authorisation for this app, with the order permissions."},
		{Key: "api_base_url", Label: "API host", LabelZH: "API 地址", Help: "Replaces https://api.jd.com (a proxy)."},
	}
}

// ErrNoWebhooks is the answer to anything posted to a JD channel's webhook URL.
var ErrNoWebhooks = errors.New("jd delivers no webhooks to ChatBridge: orders are pulled from its order search API")

// ParseWebhook refuses: see ErrNoWebhooks.
func (a *Adapter) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, &adapters.BadRequestError{Reason: ErrNoWebhooks.Error()}
}

// ErrNoChat is why a reply cannot go out on a JD channel.
var ErrNoChat = errors.New("jd: the buyer chat API (咚咚) is open to partners only; connect the shop's chats through the generic channel")

// Send refuses for good: see ErrNoChat.
func (a *Adapter) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, &adapters.PermanentError{Err: ErrNoChat}
}

// Traits: orders only; chats come through the generic channel's relay.
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{NoChat: true} }

// PollEvery is how often the core pulls each JD channel.
func (a *Adapter) PollEvery() time.Duration { return time.Minute }
