package shopify

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbridge/chatbridge/adapters"
)

// Regression pin computed from the documented algorithm (PROTOCOLS §7, [S]).
func TestSignVector(t *testing.T) {
	if got := Sign("shpss_test", []byte(`{"id":1,"topic":"orders/updated"}`)); got != "kq0/KV8sYY3igE9tbjf3KrOUjFQAyD5wk33T799uYGY=" {
		t.Fatalf("sign = %s", got)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":1,"topic":"orders/updated"}`)
	for name, c := range map[string]struct {
		sig, shop string
		ok        bool
	}{
		"genuine":      {"kq0/KV8sYY3igE9tbjf3KrOUjFQAyD5wk33T799uYGY=", "a.myshopify.com", true},
		"no shop":      {"kq0/KV8sYY3igE9tbjf3KrOUjFQAyD5wk33T799uYGY=", "", true},
		"other shop":   {"kq0/KV8sYY3igE9tbjf3KrOUjFQAyD5wk33T799uYGY=", "b.myshopify.com", false},
		"wrong":        {Sign("other", body), "a.myshopify.com", false},
		"missing":      {"", "a.myshopify.com", false},
		"not base64":   {"%%%", "a.myshopify.com", false},
		"hex, not b64": {strings.Repeat("ab", 32), "a.myshopify.com", false},
	} {
		r := httptest.NewRequest("POST", "/webhooks/shopify/1", nil)
		r.Header.Set(HeaderHmac, c.sig)
		if c.shop != "" {
			r.Header.Set(HeaderShop, c.shop)
		}
		err := Verify("shpss_test", "a.myshopify.com", r, body)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, adapters.ErrUnauthorized)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
