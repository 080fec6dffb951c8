// Package shopify is the Shopify channel: orders and refunds arrive as signed
// webhooks (orders/create, orders/updated, orders/paid, orders/fulfilled,
// orders/cancelled, refunds/create); notes, flags and shipping addresses go back
// through the Admin REST API. Shopify has no buyer chat API.
package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Type is the channel type served here.
const Type = "shopify"

// DefaultAPIVersion is the Admin API version called when the channel names none.
const DefaultAPIVersion = "2025-01"

// Config is a Shopify channel's settings.
type Config struct {
	// ShopDomain is the shop's myshopify.com domain, which Shopify names in every
	// delivery (X-Shopify-Shop-Domain).
	ShopDomain string `json:"shop_domain"`
	// AccessToken is the Admin API access token (X-Shopify-Access-Token).
	AccessToken string `json:"access_token"`
	// ClientSecret is the app's client secret, which signs the webhooks.
	ClientSecret string `json:"client_secret"`
	APIVersion   string `json:"api_version,omitempty"`
	// APIBaseURL replaces https://{shop_domain}.
	APIBaseURL string `json:"api_base_url,omitempty"`
}

func (c Config) baseURL() string {
	if c.APIBaseURL != "" {
		return strings.TrimRight(c.APIBaseURL, "/")
	}
	return "https://" + c.ShopDomain
}

func (c Config) apiVersion() string {
	if c.APIVersion == "" {
		return DefaultAPIVersion
	}
	return c.APIVersion
}

var (
	shopDomain = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)
	apiVersion = regexp.MustCompile(`^\d{4}-\d{2}$|^unstable$`)
)

// Adapter implements adapters.Adapter and the abilities Shopify has.
type Adapter struct {
	http    *http.Client
	limiter adapters.RateLimiter
	now     func() time.Time
}

// New builds the adapter from the shared services. The limiter (optional) spends
// Shopify's REST budget per shop across every process.
func New(d adapters.Deps) *Adapter {
	a := &Adapter{http: d.HTTP, limiter: d.Limiter, now: d.Now}
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

// ValidateConfig requires the shop domain, the access token and the client secret.
func (a *Adapter) ValidateConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, &adapters.BadRequestError{Field: "config", Reason: "must be an object with shop_domain, access_token and client_secret"}
	}
	if !shopDomain.MatchString(cfg.ShopDomain) {
		return cfg, &adapters.BadRequestError{Field: "config.shop_domain", Reason: "must be the shop's domain, like my-shop.myshopify.com"}
	}
	for _, f := range []struct{ name, v string }{{"access_token", cfg.AccessToken}, {"client_secret", cfg.ClientSecret}} {
		if strings.TrimSpace(f.v) == "" {
			return cfg, &adapters.BadRequestError{Field: "config." + f.name, Reason: "is required"}
		}
	}
	if cfg.APIVersion != "" && !apiVersion.MatchString(cfg.APIVersion) {
		return cfg, &adapters.BadRequestError{Field: "config.api_version", Reason: "must be like 2025-01"}
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
		{Key: "shop_domain", Label: "Shop domain", LabelZH: "店铺域名", Required: true, Help: "my-shop.myshopify.com"},
		{Key: "access_token", Label: "Admin API access token", LabelZH: "Admin API 访问令牌", Required: true, Secret: true,
			Help: "With the read_orders and write_orders scopes."},
		{Key: "client_secret", Label: "App client secret", LabelZH: "应用 Client secret", Required: true, Secret: true,
			Help: "Signs the webhooks; subscribe orders/* and refunds/create to this channel's webhook URL."},
		{Key: "api_version", Label: "Admin API version", LabelZH: "API 版本", Help: "Default " + DefaultAPIVersion + "."},
		{Key: "api_base_url", Label: "API host", LabelZH: "API 地址", Help: "Replaces https://{shop_domain} (a proxy)."},
	}
}

// ParseWebhook verifies a delivery and reads it. Order topics carry the order; a
// refunds/create carries the refund, whose order is then read from the Admin API so the
// event holds the whole order. Other topics are acknowledged and skipped.
func (a *Adapter) ParseWebhook(ctx context.Context, ch adapters.Channel, r *http.Request, body []byte) ([]adapters.Event, error) {
	cfg, err := parseConfig(ch.Config)
	if err != nil {
		return nil, fmt.Errorf("shopify: channel %d is misconfigured: %v: %w", ch.ID, err, adapters.ErrUnauthorized)
	}
	if err := Verify(cfg.ClientSecret, cfg.ShopDomain, r, body); err != nil {
		return nil, err
	}
	if r.Header.Get(HeaderWebhookID) == "" {
		return nil, &adapters.BadRequestError{Field: HeaderWebhookID, Reason: "is missing"}
	}
	switch topic := r.Header.Get(HeaderTopic); topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled":
		o, err := ParseOrder(body)
		if err != nil {
			return nil, err
		}
		ev, err := o.Event()
		if err != nil {
			return nil, &adapters.BadRequestError{Field: "order", Reason: err.Error()}
		}
		return []adapters.Event{{Order: ev}}, nil
	case "refunds/create":
		ref, err := ParseRefund(body)
		if err != nil {
			return nil, err
		}
		ev, err := a.refundEvent(ctx, cfg, ref)
		if err != nil {
			return nil, err
		}
		return []adapters.Event{{Order: ev}}, nil
	default:
		return nil, nil
	}
}

// ErrNoChat is why a reply cannot go out on a Shopify channel.
var ErrNoChat = errors.New("shopify: Shopify has no buyer chat API; connect the shop's chats (Shopify Inbox, email) through the generic channel")

// Send refuses for good: see ErrNoChat.
func (a *Adapter) Send(context.Context, adapters.Channel, adapters.OutboundMessage) (adapters.SendResult, error) {
	return adapters.SendResult{}, &adapters.PermanentError{Err: ErrNoChat}
}

// Traits: orders and refunds only.
func (a *Adapter) Traits() adapters.Traits { return adapters.Traits{NoChat: true} }
