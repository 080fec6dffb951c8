// Package pdd is the Pinduoduo (拼多多) channel: orders arrive by polling the order
// increment API by modification time, their after-sale status with them; notes and
// flags go back with pdd.order.note.update. Pinduoduo's buyer chat API is partner-only,
// so chats come through the generic channel.
package pdd

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
const Type = "pdd"

// Config is a Pinduoduo channel's settings: the app's client id and secret and the
// shop's long-lived access token.
type Config struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	AccessToken  string `json:"access_token"`
	APIBaseURL   string `json:"api_base_url,omitempty"`
}

func (c Config) baseURL() string {
	if c.APIBaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.APIBaseURL, "/")
}

// Spec is how Pinduoduo's increment API is paged: windows of at most 30 minutes
// ending 3 minutes before the clock, as its guide asks, from a day back at first.
var Spec = orderpoll.Spec{Span: 30 * time.Minute, Lag: 3 * time.Minute, Lookback: 24 * time.Hour, PageSize: 100}

// Adapter implements adapters.Adapter and the abilities Pinduoduo has.
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

// ValidateConfig requires the client id, secret and access token.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with client_id, client_secret and access_token"}
	}
	for _, f := range []struct{ name, v string }{{"client_id", cfg.ClientID}, {"client_secret", cfg.ClientSecret}, {"access_token", cfg.AccessToken}} {
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
		{Key: "client_id", Label: "Client ID", LabelZH: "client_id", Required: true},
		{Key: "client_secret", Label: "Client secret", LabelZH: "client_secret", Required: true, Secret: true},
		{Key: "access_token", Label: "Shop access token", LabelZH: "店铺授权 access_token", Required: true, Secret: true,
			Help: "The shop's authorisation for this app, with the order and note permissions."},
		{Key: "api_base_url", Label: "API host", LabelZH: "API 地址", Help: "Replaces https://gw-api.pinduoduo.com (a proxy)."},
	}
}

// ErrNoWebhooks is the answer to anything posted to a Pinduoduo channel's webhook URL.
var ErrNoWebhooks = errors.New("pdd delivers no webhooks to ChatBridge: orders are pulled from its order increment API")

// ParseWebhook refuses: see ErrNoWebhooks.
func (a *Adapter) ParseWebhook(context.Context, adapters.Channel, *http.Request, []byte) ([]adapters.Event, error) {
	return nil, &adapters.BadRequestError{Reason: ErrNoWebhooks.Error()}
}

// ErrNoChat is why a reply cannot go out on a Pinduoduo channel.
var ErrNoChat = errors.New("pdd: the buyer chat API is open to partners only; connect the shop's chats through the generic channel")

// Send refuses for good: see ErrNoChat.
func (a *Adapter) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, &adapters.PermanentError{Err: ErrNoChat}
}

// Traits: orders only; chats come through the generic channel's relay.
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{NoChat: true} }

// PollEvery is how often the core pulls each Pinduoduo channel.
func (a *Adapter) PollEvery() time.Duration { return time.Minute }
