package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/shopify"
	"github.com/chatbridge/chatbridge/adapters/shopify/shopifytest"
	"github.com/chatbridge/chatbridge/models"
)

const (
	shop        = "chatbridge-demo.myshopify.com"
	clientSec   = "shpss_conformance"
	accessToken = "shpat_conformance"
)

func channel(base string) adapters.Channel {
	cfg, _ := json.Marshal(shopify.Config{ShopDomain: shop, AccessToken: accessToken, ClientSecret: clientSec, APIBaseURL: base})
	return adapters.Channel{ID: 11, ShopID: 1, Type: shopify.Type, Config: cfg}
}

func str(s string) *string { return &s }

// sample is an order as Shopify's order webhooks carry it.
func sample(id int64, updated time.Time) (shopify.Order, *adapters.OrderEvent) {
	o := shopify.Order{ID: json.Number(fmt.Sprint(id)), UpdatedAt: updated.Format(time.RFC3339), FinancialStatus: "paid",
		FulfillmentStatus: str("fulfilled"), TotalPrice: "59.00", Currency: "USD", Email: "bob@example.com",
		Customer:  &shopify.Customer{ID: "207119551"},
		LineItems: []shopify.LineItem{{SKU: "IPOD-342-N", Title: "IPod Nano", Quantity: 1}},
		ShippingAddress: &shopify.Address{Name: "Bob Norman", Phone: "+1 555 555 5555", Address1: "Chestnut Street 92",
			Address2: "Apt 2", City: "Louisville", Province: "Kentucky", Zip: "40202", Country: "United States"},
		Fulfillments: []shopify.Fulfillment{{TrackingCompany: "UPS", TrackingNumber: "1Z2345", ShipmentStatus: "in_transit"}},
		Tags:         str("VIP, wholesale")}
	ev := &adapters.OrderEvent{ExternalID: fmt.Sprint(id), CustomerID: "207119551", Status: models.OrderShipped, Total: "59.00",
		Currency: "USD", UpdatedAt: updated.UTC(), Items: []models.OrderItem{{SKU: "IPOD-342-N", Title: "IPod Nano", Quantity: 1}},
		Address: &models.Address{Name: "Bob Norman", Phone: "+1 555 555 5555", Region: "United States Kentucky Louisville 40202",
			Detail: "Chestnut Street 92 Apt 2"}, Tracking: &adapters.Tracking{Carrier: "UPS", Number: "1Z2345"}}
	return o, ev
}

func TestConformance(t *testing.T) {
	api := shopifytest.New(accessToken)
	defer api.Close()
	ch := channel(api.URL)
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.FixedZone("EST", -5*3600))
	// Odd deliveries are orders/updated; even ones refunds/create, whose order the
	// adapter reads from the Admin API.
	body := func(n int) (topic string, raw []byte, want []adapters.Event) {
		o, ev := sample(450789469000+int64(n), base.Add(time.Duration(n)*time.Minute))
		if n%2 == 1 {
			raw, _ = json.Marshal(o)
			return "orders/updated", raw, []adapters.Event{{Order: ev}}
		}
		o.FinancialStatus = "partially_refunded"
		api.PutOrder(o)
		created := base.Add(time.Duration(n)*time.Minute + 30*time.Second)
		raw = []byte(fmt.Sprintf(`{"id":%d,"order_id":%s,"created_at":%q,"note":"wrong size","refund_line_items":[{"quantity":1,"restock_type":"return"}],`+
			`"transactions":[{"amount":"20.00","kind":"refund","status":"success"},{"amount":"9.50","kind":"refund","status":"success"},{"amount":"5.00","kind":"refund","status":"failure"}]}`,
			509562969+n, o.ID, created.Format(time.RFC3339)))
		ev.UpdatedAt = created.UTC()
		ev.Refund = &adapters.Refund{ExternalID: fmt.Sprint(509562969 + n), Type: "return_refund", Status: "agreed", Amount: "29.50", Reason: "wrong size"}
		return "refunds/create", raw, []adapters.Event{{Order: ev}}
	}
	adaptertest.Run(t, adaptertest.Platform{
		Adapter: shopify.New(adapters.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}}),
		Channel: ch,
		Deliver: func(t *testing.T, n int) (*http.Request, []adapters.Event) {
			topic, raw, want := body(n)
			return shopifytest.Delivery("http://chatbridge.test/webhooks/shopify/11", clientSec, shop, topic, fmt.Sprintf("wh-%d", n), raw), want
		},
		Forge: func(t *testing.T, n int) *http.Request {
			topic, raw, _ := body(n)
			return shopifytest.Delivery("http://chatbridge.test/webhooks/shopify/11", "shpss_someone_else", shop, topic, fmt.Sprintf("wh-%d", n), raw)
		},
		NoFreshness: "Shopify signs no time. A replayed delivery carries the order's own updated_at, and an order event " +
			"older than the stored order never overwrites it (UpdatedAt guards), so X-Shopify-Triggered-At is not needed to stop replays.",
	})
}

// A delivery signed with the app's secret but for another shop is refused.
func TestDeliveryForAnotherShopIsRefused(t *testing.T) {
	o, _ := sample(1, time.Now())
	raw, _ := json.Marshal(o)
	req := shopifytest.Delivery("http://x/webhooks/shopify/11", clientSec, "someone-else.myshopify.com", "orders/create", "wh-x", raw)
	_, err := shopify.New(adapters.Deps{}).ParseWebhook(context.Background(), channel("http://127.0.0.1:1"), req, raw)
	if !errors.Is(err, adapters.ErrUnauthorized) {
		t.Fatalf("answers %v, want ErrUnauthorized", err)
	}
}

func TestMalformedBodiesNameTheField(t *testing.T) {
	a := shopify.New(adapters.Deps{})
	for raw, field := range map[string]string{
		`{"updated_at":"2026-11-23T08:00:00-05:00"}`: "id",
		`{"id":1}`: "updated_at",
		`{"id":1,"updated_at":"2026-11-23T08:00:00-05:00","financial_status":"mystery","email":"a@b"}`: "order",
		`not json`: "order",
	} {
		req := shopifytest.Delivery("http://x/", clientSec, shop, "orders/create", "wh-bad", []byte(raw))
		_, err := a.ParseWebhook(context.Background(), channel("http://127.0.0.1:1"), req, []byte(raw))
		var bad *adapters.BadRequestError
		if !errors.As(err, &bad) || bad.Field != field {
			t.Errorf("%s answers %v, want a BadRequestError on %s", raw, err, field)
		}
	}
	// A topic ChatBridge does not read is acknowledged with no events.
	req := shopifytest.Delivery("http://x/", clientSec, shop, "products/update", "wh-p", []byte(`{"id":1}`))
	if events, err := a.ParseWebhook(context.Background(), channel("http://127.0.0.1:1"), req, []byte(`{"id":1}`)); err != nil || len(events) != 0 {
		t.Errorf("an unread topic answers %v, %v", events, err)
	}
}

// The note goes to the order's note and the colour to one flag: tag; other tags stay.
func TestNoteAndFlagTag(t *testing.T) {
	api := shopifytest.New(accessToken)
	defer api.Close()
	o, ev := sample(820982911946154508, time.Now())
	api.PutOrder(o)
	a, ch := shopify.New(adapters.Deps{}), channel(api.URL)
	ctx := context.Background()
	for _, flag := range []string{"red", "blue", "none"} {
		if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: ev.ExternalID, Flag: flag, Note: "改地址: " + flag}); err != nil {
			t.Fatal(err)
		}
	}
	want := []adaptertest.NoteCall{{OrderID: ev.ExternalID, Flag: "red", Note: "改地址: red"},
		{OrderID: ev.ExternalID, Flag: "blue", Note: "改地址: blue"}, {OrderID: ev.ExternalID, Flag: "", Note: "改地址: none"}}
	if got := api.Notes(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("notes %v, want %v", got, want)
	}
	if tags := *api.Order(ev.ExternalID).Tags; tags != "VIP, wholesale" {
		t.Errorf("tags after clearing the flag: %q", tags)
	}
	var perm *adapters.PermanentError
	api.RejectNext()
	if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: ev.ExternalID, Flag: "red"}); !errors.As(err, &perm) {
		t.Errorf("a rejected token answers %v, want a PermanentError", err)
	}
	if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: "404", Flag: "red"}); !errors.As(err, &perm) {
		t.Errorf("an unknown order answers %v, want a PermanentError", err)
	}
	api.ThrottleNext()
	var th *adapters.ThrottledError
	if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: ev.ExternalID, Flag: "red"}); !errors.As(err, &th) || th.After != 2*time.Second {
		t.Errorf("a 429 answers %v, want a ThrottledError of 2s", err)
	}
	api.FailNext()
	if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: ev.ExternalID, Flag: "red"}); err == nil || errors.As(err, &perm) {
		t.Errorf("a 503 answers %v, want an error to retry", err)
	}
	got, err := a.FetchOrder(ctx, ch, ev.ExternalID)
	if err != nil || got.ExternalID != ev.ExternalID || got.Status != models.OrderShipped {
		t.Errorf("fetch: %+v %v", got, err)
	}
}

func TestAddressChange(t *testing.T) {
	api := shopifytest.New(accessToken)
	defer api.Close()
	o, ev := sample(820982911946154509, time.Now())
	api.PutOrder(o)
	a, ch := shopify.New(adapters.Deps{}), channel(api.URL)
	ctx := context.Background()
	err := a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: ev.ExternalID, Address: models.Address{
		Name: "Bob Norman", Phone: "+1 555 000 0000", Region: ev.Address.Region, Detail: "Elm Street 1"}})
	if err != nil {
		t.Fatal(err)
	}
	got := api.Order(ev.ExternalID).ShippingAddress
	if got.Address1 != "Elm Street 1" || got.Phone != "+1 555 000 0000" || got.City != "Louisville" {
		t.Errorf("address now %+v", got)
	}
	err = a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: ev.ExternalID, Address: models.Address{Name: "B", Region: "Canada Ontario Toronto M5V", Detail: "x"}})
	var bad *adapters.BadRequestError
	if !errors.As(err, &bad) || !strings.Contains(err.Error(), "Shopify admin") {
		t.Errorf("a region change answers %v, want a BadRequestError", err)
	}
}

func TestStatusMapping(t *testing.T) {
	cases := []struct {
		financial, fulfillment, shipment string
		cancelled                        bool
		want                             models.OrderStatus
	}{
		{"pending", "", "", false, models.OrderUnpaid},
		{"partially_paid", "", "", false, models.OrderUnpaid},
		{"paid", "", "", false, models.OrderPaid},
		{"authorized", "", "", false, models.OrderPaid},
		{"paid", "partial", "in_transit", false, models.OrderShipped},
		{"paid", "fulfilled", "delivered", false, models.OrderDelivered},
		{"partially_refunded", "fulfilled", "in_transit", false, models.OrderShipped},
		{"refunded", "", "", true, models.OrderRefunded},
		{"voided", "", "", true, models.OrderClosed},
		{"paid", "", "", true, models.OrderClosed},
	}
	for _, c := range cases {
		o, _ := sample(1, time.Now())
		o.FinancialStatus, o.Fulfillments = c.financial, nil
		o.FulfillmentStatus = nil
		if c.fulfillment != "" {
			o.FulfillmentStatus = str(c.fulfillment)
			o.Fulfillments = []shopify.Fulfillment{{ShipmentStatus: c.shipment}}
		}
		if c.cancelled {
			o.CancelledAt = str("2026-11-23T09:00:00-05:00")
		}
		if got, err := o.Status(); err != nil || got != c.want {
			t.Errorf("%+v → %s %v, want %s", c, got, err, c.want)
		}
	}
}
