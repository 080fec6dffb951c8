package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/whatsapp"
	"github.com/chatbridge/chatbridge/adapters/whatsapp/whatsapptest"
)

func channel(t *testing.T, cfg whatsapp.Config) adapters.Channel {
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return adapters.Channel{ID: 11, ShopID: 1, Type: whatsapp.Type, Secret: "unused-by-meta", Config: raw}
}

// The published vectors of X-Hub-Signature-256 (PROTOCOLS.md §4).
func TestSignatureVectors(t *testing.T) {
	if got := whatsapp.Sign("secret", []byte("test")); got != "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914" {
		t.Errorf("Sign(secret, test) = %s", got)
	}
	if got := whatsapp.Sign("appsecret", []byte(`{"id":1,"topic":"orders/updated"}`)); got != "sha256=88cadbb9a0277c25b890ea3e172e79bb9bb1b50bd59e268e536e399524c4b110" {
		t.Errorf("Sign(appsecret, ...) = %s", got)
	}
}

var at = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// delivery n: odd ones one text; even ones a batch of two entries — an image with a
// caption and a delivery status — whose messages come in order.
func delivery(n int) ([]byte, []adapters.Event) {
	from := fmt.Sprintf("8613800000%03d", n)
	wamid := fmt.Sprintf("wamid.HBgN%03d", n)
	if n%2 == 1 {
		return whatsapptest.Notification(map[string]string{from: "Ana"}, whatsapptest.TextMessage(wamid, from, fmt.Sprintf("Hola %d", n), at)),
			[]adapters.Event{{Message: &adapters.InboundMessage{ExternalID: wamid, Customer: adapters.Customer{ID: from, Name: "Ana"},
				Type: "text", Text: fmt.Sprintf("Hola %d", n), SentAt: at}}}
	}
	body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[`+
		`{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"%[1]s"},`+
		`"statuses":[{"id":"wamid.OUT1","status":"delivered","timestamp":"1763884800","recipient_id":"%[2]s"}]}}]},`+
		`{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"%[1]s"},`+
		`"contacts":[{"profile":{"name":"Bruno \u00e9"},"wa_id":"%[2]s"}],`+
		`"messages":[{"from":"%[2]s","id":"%[3]s","timestamp":"%[4]d","type":"image","image":{"caption":"Esta cor?","mime_type":"image/jpeg","sha256":"abc","id":"media-%[5]d"}},`+
		`{"from":"%[2]s","id":"%[3]s.r","timestamp":"%[4]d","type":"reaction","reaction":{"message_id":"wamid.OUT1","emoji":"👍"}}]}}]}]}`,
		whatsapptest.PhoneNumberID, from, wamid, at.Unix(), n)
	return []byte(body), []adapters.Event{{Message: &adapters.InboundMessage{ExternalID: wamid, Customer: adapters.Customer{ID: from, Name: "Bruno é"},
		Type: "image", Text: "Esta cor?", SentAt: at, Media: &adapters.MediaRef{ID: fmt.Sprintf("media-%d", n), MimeType: "image/jpeg"}}}}
}

func TestConformance(t *testing.T) {
	fake := whatsapptest.New(t)
	adaptertest.Run(t, adaptertest.Platform{
		Adapter: whatsapp.New(adapters.Deps{HTTP: fake.Client()}),
		Channel: channel(t, fake.Config()),
		Deliver: func(t *testing.T, n int) (*http.Request, []adapters.Event) {
			body, want := delivery(n)
			return whatsapptest.Delivery("/webhooks/whatsapp/11", whatsapptest.AppSecret, body), want
		},
		Forge: func(t *testing.T, n int) *http.Request {
			body, _ := delivery(n)
			return whatsapptest.Delivery("/webhooks/whatsapp/11", "another-app-secret", body)
		},
		NoFreshness:  "Meta signs no time; a replayed notification carries the same wamid, stored once",
		API:          fake,
		ThrottleWait: whatsapp.ThrottleWait,
	})
}

func TestVerifyURL(t *testing.T) {
	a := whatsapp.New(adapters.Deps{})
	ch := channel(t, whatsapptest.New(t).Config())
	check := func(mode, token string) (adapters.Reply, error) {
		q := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {"1158201444"}}
		return a.VerifyURL(context.Background(), ch, httptest.NewRequest(http.MethodGet, "/webhooks/whatsapp/11?"+q.Encode(), nil))
	}
	if r, err := check("subscribe", whatsapptest.VerifyToken); err != nil || string(r.Body) != "1158201444" {
		t.Fatalf("a genuine check answers %q, %v", r.Body, err)
	}
	for _, bad := range [][2]string{{"subscribe", "wrong"}, {"unsubscribe", whatsapptest.VerifyToken}, {"", ""}} {
		if _, err := check(bad[0], bad[1]); !errors.Is(err, adapters.ErrUnauthorized) {
			t.Errorf("mode %q token %q answers %v", bad[0], bad[1], err)
		}
	}
}

func TestParseNotification(t *testing.T) {
	for name, tc := range map[string]struct {
		body, field string
		want        int
	}{
		"another number's message": {strings.ReplaceAll(string(whatsapptest.Notification(nil, whatsapptest.TextMessage("w1", "1", "hi", at))), whatsapptest.PhoneNumberID, "999"), "", 0},
		"unknown type":             {string(whatsapptest.Notification(nil, whatsapptest.Message{"from": "1", "id": "w2", "type": "order", "order": map[string]any{}})), "", 1},
		"not whatsapp":             {`{"object":"page","entry":[]}`, "object", 0},
		"no wamid":                 {string(whatsapptest.Notification(nil, whatsapptest.Message{"from": "1", "type": "text"})), "messages[].id", 0},
		"bad timestamp":            {string(whatsapptest.Notification(nil, whatsapptest.Message{"from": "1", "id": "w", "type": "text", "timestamp": "soon"})), "messages[].timestamp", 0},
		"not json":                 {`{`, "body", 0},
	} {
		evs, err := whatsapp.ParseNotification([]byte(tc.body), whatsapptest.PhoneNumberID)
		var bad *adapters.BadRequestError
		switch {
		case tc.field != "" && (!errors.As(err, &bad) || bad.Field != tc.field):
			t.Errorf("%s: %v, want a BadRequestError on %s", name, err, tc.field)
		case tc.field == "" && (err != nil || len(evs) != tc.want):
			t.Errorf("%s: %+v, %v; want %d events", name, evs, err, tc.want)
		}
	}
}

func TestSendErrorsAndImages(t *testing.T) {
	fake := whatsapptest.New(t)
	a := whatsapp.New(adapters.Deps{HTTP: fake.Client()})
	ch := channel(t, fake.Config())
	msg := adapters.OutboundMessage{ID: "77", CustomerID: "8613800000001", Type: "text", Text: "Sí"}
	var perm *adapters.PermanentError
	fake.RejectNext()
	if _, err := a.Send(context.Background(), ch, msg); !errors.As(err, &perm) || !strings.Contains(err.Error(), "template") {
		t.Errorf("outside the window: %v", err)
	}
	jpeg := []byte("\xff\xd8 jpeg")
	res, err := a.Send(context.Background(), ch, adapters.OutboundMessage{ID: "78", CustomerID: "8613800000001", Type: "image", Text: "foto",
		Attachment: &adapters.Attachment{ContentType: "image/jpeg", FileName: "a.jpg", Data: jpeg}})
	if err != nil || res.RemoteID == "" {
		t.Fatalf("image: %+v, %v", res, err)
	}
	s := fake.SentMessages()[0]
	if s.Type != "image" || s.Caption != "foto" || s.CallbackData != "78" {
		t.Fatalf("sent %+v", s)
	}
	m, err := a.FetchMedia(context.Background(), ch, adapters.MediaRef{ID: s.MediaID})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if string(got) != string(jpeg) || m.ContentType != "image/jpeg" {
		t.Fatalf("fetched %q %s", got, m.ContentType)
	}
	if err := a.TestConnection(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	fake.ExpireToken()
	if _, err := a.Send(context.Background(), ch, msg); !errors.As(err, &perm) || !strings.Contains(err.Error(), "access_token") {
		t.Errorf("an expired token: %v", err)
	}
}

func TestValidateConfig(t *testing.T) {
	a := whatsapp.New(adapters.Deps{})
	good := `{"phone_number_id":"1","access_token":"t","app_secret":"s","verify_token":"v"}`
	if err := a.ValidateConfig(json.RawMessage(good)); err != nil {
		t.Fatal(err)
	}
	for field, cfg := range map[string]string{
		"config.app_secret":      `{"phone_number_id":"1","access_token":"t","verify_token":"v"}`,
		"config.phone_number_id": `{"phone_number_id":"1/../x","access_token":"t","app_secret":"s","verify_token":"v"}`,
		"config.api_version":     `{"phone_number_id":"1","access_token":"t","app_secret":"s","verify_token":"v","api_version":"21"}`,
	} {
		var bad *adapters.BadRequestError
		if err := a.ValidateConfig(json.RawMessage(cfg)); !errors.As(err, &bad) || bad.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	var tp adapters.TraitsProvider = a
	if tr := tp.Traits(); tr.ReplyWindow != 24*time.Hour || !tr.SendsImages {
		t.Errorf("traits %+v", tr)
	}
	var _ adapters.URLVerifier = a
	var _ adapters.MediaFetcher = a
	var _ adapters.ConfigDescriber = a
	var _ adapters.ConnectionTester = a
}
