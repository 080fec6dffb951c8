package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/chatbridge/chatbridge/adapters"
)

// Webhook headers.
const (
	HeaderHmac      = "X-Shopify-Hmac-Sha256"
	HeaderTopic     = "X-Shopify-Topic"
	HeaderShop      = "X-Shopify-Shop-Domain"
	HeaderWebhookID = "X-Shopify-Webhook-Id"
	HeaderTriggered = "X-Shopify-Triggered-At"
)

// Sign is Shopify's webhook signature: base64 of HMAC-SHA256 over the raw body, keyed
// by the app's client secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's signature over the raw body in constant time, and that
// it is for the channel's shop (one app's secret signs the deliveries of every shop
// that installed it).
func Verify(secret, shopDomain string, r *http.Request, body []byte) error {
	got, err := base64.StdEncoding.DecodeString(r.Header.Get(HeaderHmac))
	if err != nil || len(got) == 0 {
		return fmt.Errorf("shopify: missing or malformed %s: %w", HeaderHmac, adapters.ErrUnauthorized)
	}
	want, _ := base64.StdEncoding.DecodeString(Sign(secret, body))
	if !hmac.Equal(got, want) {
		return fmt.Errorf("shopify: signature does not match: %w", adapters.ErrUnauthorized)
	}
	if d := r.Header.Get(HeaderShop); d != "" && d != shopDomain {
		return fmt.Errorf("shopify: delivery for the shop %q, this channel is %q: %w", d, shopDomain, adapters.ErrUnauthorized)
	}
	return nil
}
