package aftership_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership/aftershiptest"
	"github.com/chatbridge/chatbridge/models"
)

// aftership-hmac-sha256 = base64(HMAC-SHA256(webhook secret, raw body)); the value is
// pinned from an independent computation (Python's hmac module).
func TestSignature(t *testing.T) {
	body := []byte(`{"event":"tracking_update","msg":{"tracking_number":"1Z999AA10123456784"}}`)
	const want = "SFJDeftZ6o2xpCIMx2A3yTYBexl0HXfmHYIyJF5sHg8="
	if got := aftership.Sign("as_webhook_secret", body); got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	if !aftership.Verify("as_webhook_secret", body, want) {
		t.Error("the right signature is refused")
	}
	for _, bad := range []string{"", "not base64!", aftership.Sign("other", body), aftership.Sign("as_webhook_secret", append(body, ' '))} {
		if aftership.Verify("as_webhook_secret", body, bad) {
			t.Errorf("signature %q is accepted", bad)
		}
	}
}

func account(t *testing.T, fake *aftershiptest.Server, key string) logistics.Account {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"api_key": key, "webhook_secret": "whsec", "api_base_url": fake.URL})
	cfg, err := aftership.New(http.DefaultClient).PrepareConfig(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return logistics.Account{ID: 3, ShopID: 1, Provider: aftership.Name, Config: cfg}
}

// Creating a tracking answers its id; creating it again (4003) finds the same one; a
// query reads it by id into the unified snapshot.
func TestSubscribeAndQuery(t *testing.T) {
	ctx := context.Background()
	fake := aftershiptest.Start(t, "as-key")
	p := aftership.New(http.DefaultClient)
	acct := account(t, fake, "as-key")
	t0 := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	fake.Set("1Z999AA10123456784", "OutForDelivery", "OutForDelivery_001",
		aftershiptest.Checkpoint{At: t0, Message: "Shipment information sent to FedEx", Tag: "InfoReceived"},
		aftershiptest.Checkpoint{At: t0.Add(30 * time.Hour), Message: "Arrived at FedEx location", City: "Memphis", Tag: "InTransit"},
		aftershiptest.Checkpoint{At: t0.Add(50 * time.Hour), Message: "On FedEx vehicle for delivery", City: "New York", Tag: "OutForDelivery"},
	)
	code, _ := p.CarrierCode(logistics.CarrierFedEx)
	ref := logistics.ParcelRef{Number: "1Z999AA10123456784", Carrier: code}
	id, err := p.Subscribe(ctx, acct, ref, "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fake.ID("1Z999AA10123456784")
	if id == "" || id != want {
		t.Fatalf("subscribe answered id %q, the tracking is %q", id, want)
	}
	again, err := p.Subscribe(ctx, acct, ref, "")
	if err != nil || again != id {
		t.Fatalf("subscribing again answered %q, %v; want the same tracking", again, err)
	}
	ref.Ref = id
	snap, err := p.Query(ctx, acct, ref)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Ref != id || snap.Carrier != "fedex" || snap.State != models.ParcelOutForDelivery || len(snap.Events) != 3 {
		t.Fatalf("snapshot = %+v", snap)
	}
	last := snap.Events[2]
	if !last.At.Equal(t0.Add(50*time.Hour)) || last.Location != "New York" || last.State != models.ParcelOutForDelivery {
		t.Fatalf("latest event = %+v", last)
	}
	if snap.Events[0].State != models.ParcelPending {
		t.Fatalf("info received maps to %q", snap.Events[0].State)
	}

	// A wrong key is permanent; the service down is retried.
	var perm *logistics.PermanentError
	if _, err := p.Query(ctx, account(t, fake, "wrong"), ref); !errors.As(err, &perm) {
		t.Fatalf("wrong key: %v, want permanent", err)
	}
	fake.FailNext(1)
	if _, err := p.Query(ctx, acct, ref); err == nil || errors.As(err, &perm) {
		t.Fatalf("503: %v, want a retryable error", err)
	}
	// A query of a parcel not yet created creates it first.
	fake.Set("RR123456789CN", "InTransit", "")
	snap, err = p.Query(ctx, acct, logistics.ParcelRef{Number: "RR123456789CN", Carrier: "china-post"})
	if err != nil || snap.Ref == "" || snap.State != models.ParcelInTransit {
		t.Fatalf("query without a ref = %+v, %v", snap, err)
	}
}

func TestStates(t *testing.T) {
	fake := aftershiptest.Start(t, "k")
	p := aftership.New(http.DefaultClient)
	acct := account(t, fake, "k")
	for _, c := range []struct {
		tag, subtag string
		want        models.ParcelState
	}{
		{"Pending", "", models.ParcelPending}, {"InfoReceived", "InfoReceived_001", models.ParcelPending},
		{"InTransit", "InTransit_007", models.ParcelInTransit}, {"OutForDelivery", "", models.ParcelOutForDelivery},
		{"AvailableForPickup", "AvailableForPickup_001", models.ParcelOutForDelivery},
		{"Delivered", "Delivered_003", models.ParcelDelivered}, {"AttemptFail", "AttemptFail_001", models.ParcelProblem},
		{"Exception", "Exception_013", models.ParcelProblem}, {"Exception", "Exception_003", models.ParcelRefused},
		{"Exception", "Exception_010", models.ParcelReturning}, {"Exception", "Exception_011", models.ParcelReturned},
		{"Expired", "", models.ParcelProblem}, {"SomethingNew", "", ""},
	} {
		body := []byte(`{"event":"tracking_update","event_id":"e1","ts":1,"msg":{"id":"x","tracking_number":"N1","slug":"dhl","tag":"` +
			c.tag + `","subtag":"` + c.subtag + `","checkpoints":[]}}`)
		snaps, err := p.ParsePush(acct, webhookRequest(body, aftership.Sign("whsec", body)), body)
		if err != nil {
			t.Fatal(err)
		}
		if snaps[0].State != c.want {
			t.Errorf("%s/%s → %q, want %q", c.tag, c.subtag, snaps[0].State, c.want)
		}
	}
}

func webhookRequest(body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/logistics/aftership/3", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set("Aftership-Hmac-Sha256", sig)
	}
	return r
}

// sampleWebhook is AfterShip's documented webhook shape (Webhook Specifications).
const sampleWebhook = `{"event_id":"3f645f5e-530b-4062-8695-db6a64420af8","event":"tracking_update","is_tracking_first_tag":true,` +
	`"ts":1732348800,"msg":{"id":"grhrexm6t3hiwkjwq37jd003","tracking_number":"9361289676091361892011","title":"9361289676091361892011",` +
	`"slug":"usps","tag":"Delivered","subtag":"Delivered_001","active":false,"checkpoints":[` +
	`{"slug":"usps","city":"Seattle","created_at":"2026-11-23T02:00:00+00:00","location":null,"country_name":"USA","message":"Accepted at USPS Origin Facility","country_iso3":"USA","tag":"InTransit","subtag":"InTransit_002","checkpoint_time":"2026-11-22T18:00:00-08:00","state":"WA"},` +
	`{"slug":"usps","city":"Portland","location":"Portland, OR","message":"Delivered, In/At Mailbox","tag":"Delivered","subtag":"Delivered_001","checkpoint_time":"2026-11-25T10:30:00"}]}}`

func TestParsePush(t *testing.T) {
	fake := aftershiptest.Start(t, "k")
	p := aftership.New(http.DefaultClient)
	acct := account(t, fake, "k")
	body := []byte(sampleWebhook)
	snaps, err := p.ParsePush(acct, webhookRequest(body, aftership.Sign("whsec", body)), body)
	if err != nil {
		t.Fatal(err)
	}
	s := snaps[0]
	if s.Number != "9361289676091361892011" || s.Ref != "grhrexm6t3hiwkjwq37jd003" || s.State != models.ParcelDelivered || len(s.Events) != 2 {
		t.Fatalf("snapshot = %+v", s)
	}
	if !s.Events[0].At.Equal(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)) || s.Events[0].Location != "Seattle, WA, USA" {
		t.Fatalf("first event = %+v", s.Events[0])
	}
	if !s.Events[1].At.Equal(time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)) || s.Events[1].Location != "Portland, OR" {
		t.Fatalf("second event = %+v", s.Events[1])
	}
	// Other events are accepted and carry nothing.
	edd := []byte(`{"event":"edd_revise","event_id":"e2","ts":1,"msg":{"id":"x"}}`)
	if snaps, err := p.ParsePush(acct, webhookRequest(edd, aftership.Sign("whsec", edd)), edd); err != nil || len(snaps) != 0 {
		t.Fatalf("edd_revise = %v, %v", snaps, err)
	}
	for _, c := range []struct {
		name  string
		body  string
		sig   string
		field string // "" unauthorized
	}{
		{"forged", sampleWebhook, aftership.Sign("other", body), ""},
		{"unsigned", sampleWebhook, "-", ""},
		{"not JSON", "{oops", "", "-"},
		{"no event", `{"msg":{}}`, "", "event"},
		{"no msg", `{"event":"tracking_update"}`, "", "msg"},
		{"no number", `{"event":"tracking_update","msg":{"tag":"InTransit"}}`, "", "msg.tracking_number"},
		{"bad time", strings.Replace(sampleWebhook, "2026-11-25T10:30:00", "25/11/2026", 1), "", "msg.checkpoints[1].checkpoint_time"},
	} {
		b := []byte(c.body)
		sig := c.sig
		switch sig {
		case "":
			sig = aftership.Sign("whsec", b)
		case "-":
			sig = ""
		}
		_, err := p.ParsePush(acct, webhookRequest(b, sig), b)
		var bad *adapters.BadRequestError
		switch {
		case c.field == "" && !errors.Is(err, adapters.ErrUnauthorized):
			t.Errorf("%s: %v, want unauthorized", c.name, err)
		case c.field == "-" && (!errors.As(err, &bad) || bad.Field != ""):
			t.Errorf("%s: %v, want a bad request", c.name, err)
		case c.field != "" && c.field != "-" && (!errors.As(err, &bad) || bad.Field != c.field):
			t.Errorf("%s: %v, want a bad request on %s", c.name, err, c.field)
		}
	}
}

func TestPrepareConfig(t *testing.T) {
	p := aftership.New(http.DefaultClient)
	cfg, err := p.PrepareConfig([]byte(`{"api_key":" asat_1 ","webhook_secret":"sec","api_version":"2026-01"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := p.PrepareConfig([]byte(`{"api_version":"2025-07"}`), cfg)
	if err != nil || !strings.Contains(string(kept), `"api_key":"asat_1"`) || !strings.Contains(string(kept), `"webhook_secret":"sec"`) {
		t.Fatalf("re-saved without secrets = %s, %v; want them kept", kept, err)
	}
	pub := p.PublicConfig(cfg)
	if pub["api_key"] != nil || pub["webhook_secret"] != nil || pub["api_version"] != "2026-01" {
		t.Fatalf("public config = %v", pub)
	}
	for raw, field := range map[string]string{
		`{"webhook_secret":"s"}`: "config.api_key",
		`{"api_key":"k"}`:        "config.webhook_secret",
		`{"api_key":"k","webhook_secret":"s","api_version":"v4"}`:  "config.api_version",
		`{"api_key":"k","webhook_secret":"s","api_base_url":"/x"}`: "config.api_base_url",
	} {
		_, err := p.PrepareConfig([]byte(raw), nil)
		var inv *models.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: %v, want invalid %s", raw, err, field)
		}
	}
}

// The fake's webhook is verified and read by the provider.
func TestFakeWebhook(t *testing.T) {
	fake := aftershiptest.Start(t, "k")
	p := aftership.New(http.DefaultClient)
	acct := account(t, fake, "k")
	var got []logistics.Snapshot
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		snaps, err := p.ParsePush(acct, r, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got = snaps
	}))
	defer cb.Close()
	fake.Set("N1", "Exception", "Exception_011", aftershiptest.Checkpoint{At: time.Now(), Message: "Returned to sender", Tag: "Exception", Subtag: "Exception_011"})
	if _, err := p.Subscribe(context.Background(), acct, logistics.ParcelRef{Number: "N1", Carrier: "dhl"}, ""); err != nil {
		t.Fatal(err)
	}
	status, body, err := fake.Webhook(cb.URL, "whsec", "N1")
	if err != nil || status != http.StatusOK {
		t.Fatalf("webhook answered %d %s %v", status, body, err)
	}
	if len(got) != 1 || got[0].State != models.ParcelReturned || got[0].Carrier != "dhl" {
		t.Fatalf("callback read %+v", got)
	}
}
