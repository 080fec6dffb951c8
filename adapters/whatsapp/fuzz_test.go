package whatsapp

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/chatbridge/chatbridge/adapters"
)

// FuzzParseWebhook signs what the fuzzer gives (or not) and checks ParseWebhook:
// never a panic; an unsigned body is refused as unauthorized; a refusal of a signed
// one is a BadRequestError; every message has a wamid, a sender and some text.
//
//	go test -run='^$' -fuzz=FuzzParseWebhook -fuzztime=30s ./adapters/whatsapp/
func FuzzParseWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"contacts":[{"wa_id":"2","profile":{"name":"A"}}],"messages":[{"from":"2","id":"wamid.1","timestamp":"1700000000","type":"text","text":{"body":"hi"}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"2","id":"w","type":"interactive","interactive":{"list_reply":{"title":""}}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"statuses":[{"id":"x","status":"failed"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":null}`,
		`{"object":"page"}`, `[]`, ``,
	} {
		f.Add([]byte(seed), true)
	}
	a := New(adapters.Deps{})
	ch := adapters.Channel{Type: Type, Config: []byte(`{"phone_number_id":"1","access_token":"t","app_secret":"s","verify_token":"v"}`)}
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		req := httptest.NewRequest("POST", "/webhooks/whatsapp/1", nil)
		if sign {
			req.Header.Set(HeaderSignature, Sign("s", body))
		}
		evs, err := a.ParseWebhook(context.Background(), ch, req, body)
		if !sign {
			if !errors.Is(err, adapters.ErrUnauthorized) {
				t.Fatalf("unsigned %q answers %v", body, err)
			}
			return
		}
		if err != nil {
			var bad *adapters.BadRequestError
			if !errors.As(err, &bad) || bad.Reason == "" {
				t.Fatalf("%q: %T %v", body, err, err)
			}
			return
		}
		for _, ev := range evs {
			m := ev.Message
			if m == nil || m.ExternalID == "" || len(m.ExternalID) > maxIDLen || m.Customer.ID == "" || len(m.Customer.Name) > maxIDLen ||
				m.Type == "" || len(m.Type) > 16 || strings.TrimSpace(m.Text) == "" {
				t.Fatalf("%q gives %+v", body, ev)
			}
		}
		again, _ := ParseNotification(body, "1")
		if !reflect.DeepEqual(evs, again) {
			t.Fatalf("%q parses differently twice", body)
		}
	})
}
