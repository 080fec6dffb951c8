// Package telegram is the channel for a Telegram bot: buyers write to the shop's bot,
// Telegram POSTs each update to the webhook with the channel's secret in a header, and
// replies go out with sendMessage / sendPhoto.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "telegram"

// DefaultAPIBase is the Bot API host.
const DefaultAPIBase = "https://api.telegram.org"

// HeaderSecret carries setWebhook's secret_token on every delivery.
const HeaderSecret = "X-Telegram-Bot-Api-Secret-Token"

// Bot API limits (Bot FAQ): about one message a second to a chat, thirty a second
// across chats. They are spent in Redis, so every process shares them.
const (
	perChatPerSecond = 1
	perBotPerSecond  = 30
)

// Config is a Telegram channel's settings.
type Config struct {
	BotToken   string `json:"bot_token"`
	APIBaseURL string `json:"api_base_url,omitempty"`
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with bot_token"}
	}
	id, secret, ok := strings.Cut(cfg.BotToken, ":")
	if _, err := strconv.ParseInt(id, 10, 64); !ok || err != nil || secret == "" || strings.ContainsAny(cfg.BotToken, "/?# ") {
		return cfg, &adapters.BadRequestError{Field: "config.bot_token", Reason: "must be the token @BotFather gave, like 123456:ABC-DEF..."}
	}
	return cfg, adapters.CheckAPIBaseURL(cfg.APIBaseURL)
}

func (c Config) base() string {
	return adapters.APIBase(c.APIBaseURL, DefaultAPIBase)
}

// botID is the token's public part, which names the bot in rate-limit keys.
func (c Config) botID() string {
	id, _, _ := strings.Cut(c.BotToken, ":")
	return id
}

// Adapter implements adapters.Adapter for Telegram bots.
type Adapter struct {
	deps adapters.Deps
}

// New returns the adapter built on the shared services.
func New(d adapters.Deps) *Adapter {
	return &Adapter{deps: d.WithDefaults()}
}

// Type implements adapters.Adapter.
func (a *Adapter) Type() string { return Type }

// ValidateConfig requires a bot token.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

// ConfigFields describes the settings for the web's channel form.
func (a *Adapter) ConfigFields() []adapters.ConfigField {
	return []adapters.ConfigField{
		{Key: "bot_token", Label: "Bot token", LabelZH: "Bot Token", Secret: true, Required: true,
			Help: "From @BotFather. ChatBridge registers its webhook with Telegram itself."},
		{Key: "api_base_url", Label: "API base URL", LabelZH: "API 地址", Help: "Optional: replaces " + DefaultAPIBase + " (a local Bot API server or a proxy)."},
	}
}

// Traits: Telegram has no reply window; bots send photos.
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{SendsImages: true} }

// ParseWebhook checks the secret-token header (constant time) and reads the update.
// Telegram signs no time: a redelivered update carries the same chat and message ids,
// which the store keeps once.
func (a *Adapter) ParseWebhook(_ context.Context, ch adapters.Channel, r *http.Request, body []byte) ([]adapters.Event, error) {
	got := r.Header.Get(HeaderSecret)
	if ch.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ch.Secret)) != 1 {
		return nil, fmt.Errorf("%w: %s does not match the channel secret", adapters.ErrUnauthorized, HeaderSecret)
	}
	return ParseUpdate(body)
}

// RegisterWebhook points the bot at webhookURL (setWebhook), with the channel's
// secret as secret_token and only the updates the inbox reads.
func (a *Adapter) RegisterWebhook(ctx context.Context, ch adapters.Channel, webhookURL string) error {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return err
	}
	return a.call(ctx, cfg, "setWebhook", map[string]any{
		"url": webhookURL, "secret_token": ch.Secret, "allowed_updates": []string{"message"},
	}, nil)
}

// TestConnection checks the token with getMe.
func (a *Adapter) TestConnection(ctx context.Context, ch adapters.Channel) error {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return err
	}
	var me struct {
		IsBot bool `json:"is_bot"`
	}
	if err := a.call(ctx, cfg, "getMe", map[string]any{}, &me); err != nil {
		return err
	}
	if !me.IsBot {
		return errors.New("telegram: getMe answered a user that is not a bot")
	}
	return nil
}
