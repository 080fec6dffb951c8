package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/shopify"
	"github.com/chatbridge/chatbridge/adapters/shopify/shopifytest"
)

var fuzzTopics = []string{"orders/create", "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled", "refunds/create", "products/update"}

// FuzzParseWebhook feeds signed deliveries of any body under every topic: the parser
// never panics, and whatever it accepts is a whole order event.
func FuzzParseWebhook(f *testing.F) {
	o, _ := sample(450789469, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	raw, _ := json.Marshal(o)
	f.Add(uint8(0), raw)
	f.Add(uint8(5), []byte(`{"id":1,"order_id":450789469,"created_at":"2026-11-23T08:00:00Z","transactions":[{"amount":"1.5","kind":"refund","status":"success"}]}`))
	f.Add(uint8(1), []byte(`{"id":1,"updated_at":"2026-11-23T08:00:00Z","financial_status":"paid","email":"a@b","line_items":[{}]}`))
	f.Add(uint8(4), []byte(`{"id":1e400,"updated_at":"x"}`))
	f.Add(uint8(2), []byte(`null`))
	api := shopifytest.New(accessToken)
	defer api.Close()
	api.PutOrder(o)
	a := shopify.New(adapters.Deps{HTTP: &http.Client{Timeout: 2 * time.Second}})
	ch := channel(api.URL)
	f.Fuzz(func(t *testing.T, topic uint8, body []byte) {
		req := httptest.NewRequest("POST", "/webhooks/shopify/11", nil)
		req.Header.Set(shopify.HeaderTopic, fuzzTopics[int(topic)%len(fuzzTopics)])
		req.Header.Set(shopify.HeaderShop, shop)
		req.Header.Set(shopify.HeaderWebhookID, "wh-fuzz")
		req.Header.Set(shopify.HeaderHmac, shopify.Sign(clientSec, body))
		events, err := a.ParseWebhook(context.Background(), ch, req, body)
		if err != nil {
			var bad *adapters.BadRequestError
			var perm *adapters.PermanentError
			if !errors.As(err, &bad) && !errors.As(err, &perm) && !errors.Is(err, adapters.ErrUnauthorized) {
				// Only a refund's order fetch may fail otherwise; the fake holds one order.
				if req.Header.Get(shopify.HeaderTopic) != "refunds/create" {
					t.Fatalf("unexpected error kind: %v", err)
				}
			}
			return
		}
		for _, ev := range events {
			if ev.Order == nil || ev.Order.ExternalID == "" || ev.Order.CustomerID == "" || !ev.Order.Status.Valid() || ev.Order.UpdatedAt.IsZero() {
				t.Fatalf("accepted an incomplete event %+v", ev.Order)
			}
		}
	})
}
