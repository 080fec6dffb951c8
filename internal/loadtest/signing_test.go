package loadtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/generic"
)

// The webhook the load tool sends is signed exactly as the API contract says; the
// expected value is computed independently (Python's hmac over "1700000000." + body).
func TestWebhookSignatureVector(t *testing.T) {
	body := []byte(`{"event":"message"}`)
	req, err := signedWebhook(context.Background(), "http://chatbridge.test/webhooks/generic/7", "s3cret", body, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-ChatBridge-Timestamp"); got != "1700000000" {
		t.Fatalf("timestamp header %q", got)
	}
	want := "sha256=01a289e37bb2098dec8c5f6a719ada2f9d063041c89ace805ac891a6dacb6cab"
	if got := req.Header.Get("X-ChatBridge-Signature"); got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	sent, _ := io.ReadAll(req.Body)
	if string(sent) != string(body) {
		t.Fatalf("body changed on the way: %s", sent)
	}
}

// What the load tool sends passes the generic adapter's own checks and parses into the
// buyer message it meant, tag included.
func TestWebhookAcceptedByTheGenericAdapter(t *testing.T) {
	now := time.Now()
	text := appendTag("这款保温杯有粉色的吗?", tag{Run: "a1b2c3", Kind: kindMessage, Seq: 42, Due: 1500 * time.Millisecond})
	body, err := messageBody("lt-a1b2c3-42", "lb-a1b2c3-7", "小林", text, now)
	if err != nil {
		t.Fatal(err)
	}
	req, err := signedWebhook(context.Background(), "http://chatbridge.test/webhooks/generic/7", "channel-secret", body, now)
	if err != nil {
		t.Fatal(err)
	}
	ch := adapters.Channel{ID: 7, ShopID: 1, Type: generic.Type, Secret: "channel-secret", Config: json.RawMessage(`{"callback_url":"http://x.test/cb"}`)}
	events, err := generic.New(nil).ParseWebhook(context.Background(), ch, req, body)
	if err != nil {
		t.Fatalf("the generic adapter refused the load tool's webhook: %v", err)
	}
	if len(events) != 1 || events[0].Message == nil {
		t.Fatalf("events %+v", events)
	}
	m := events[0].Message
	if m.ExternalID != "lt-a1b2c3-42" || m.Customer.ID != "lb-a1b2c3-7" || m.Customer.Name != "小林" || m.Text != text {
		t.Fatalf("parsed %+v", m)
	}
	got, ok := parseTag([]byte(m.Text), "a1b2c3")
	if !ok || got.Seq != 42 || got.Kind != kindMessage || got.Due != 1500*time.Millisecond {
		t.Fatalf("tag read back as %+v, %v", got, ok)
	}
	// The same body under another secret is refused: the signature covers it.
	ch.Secret = "other"
	if _, err := generic.New(nil).ParseWebhook(context.Background(), ch, req, body); err == nil {
		t.Fatal("a webhook signed with another secret was accepted")
	}
}

func TestTags(t *testing.T) {
	tg := tag{Run: "ff00aa", Kind: kindReply, Seq: 123456, Due: 61*time.Second + 250*time.Microsecond}
	text := appendTag("亲,已经帮您改成M码了", tg)
	if got, ok := parseTag([]byte(text), "ff00aa"); !ok || got != tg {
		t.Fatalf("round trip: %+v %v, want %+v", got, ok, tg)
	}
	// Inside a JSON frame, as the WebSocket delivers it.
	frame, _ := json.Marshal(map[string]any{"type": "message.created", "data": map[string]string{"text": text}})
	if got, ok := parseTag(frame, "ff00aa"); !ok || got.Seq != 123456 {
		t.Fatalf("in a frame: %+v %v", got, ok)
	}
	for _, bad := range []string{"no tag", text[:len(text)-1], "[lt:ff00aa:m:x:1]", "[lt:ff00aa:m:1]", "[lt:ff00aa:mm:1:1]"} {
		if _, ok := parseTag([]byte(bad), "ff00aa"); ok {
			t.Errorf("parsed a tag out of %q", bad)
		}
	}
	if _, ok := parseTag([]byte(text), "000000"); ok {
		t.Fatal("another run's tag was taken")
	}
}

// The receiver checks callbacks as a platform does, records a reply once however often
// it arrives, and fails or delays on command.
func TestReceiver(t *testing.T) {
	start := time.Now()
	replies := newTracker(start, time.Second)
	r, err := startReceiver("127.0.0.1:0", "a1b2c3", 0, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.shutdown()
	r.expect([]string{"secret-0", "secret-1"}, replies)
	replies.expect(1)
	replies.settle(1, true)
	text := appendTag("亲,已经发货了", tag{Run: "a1b2c3", Kind: kindReply, Seq: 1, Due: 0})
	body, _ := json.Marshal(map[string]any{"event": "message", "message": map[string]any{"id": "901", "text": text}})

	post := func(path, secret string, body []byte) int {
		t.Helper()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
		req.Header.Set(generic.HeaderTimestamp, ts)
		req.Header.Set(generic.HeaderSignature, generic.Sign(secret, ts, body))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post("/callback/1", "secret-0", body); code != http.StatusUnauthorized {
		t.Fatalf("callback signed with channel 0's secret on channel 1: %d, want 401", code)
	}
	if code := post("/callback/9", "secret-0", body); code != http.StatusNotFound {
		t.Fatalf("unknown channel: %d", code)
	}
	if replies.counts().Seen != 0 {
		t.Fatal("a refused callback counted as received")
	}

	ctl := func(q string) int {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/control?"+q, nil))
		return rec.Code
	}
	if code := ctl("fail=1"); code != http.StatusOK {
		t.Fatalf("control: %d", code)
	}
	if code := post("/callback/1", "secret-1", body); code != http.StatusInternalServerError {
		t.Fatalf("failing receiver answered %d, want 500", code)
	}
	if replies.counts().Seen != 0 {
		t.Fatal("a callback answered 500 counted as received")
	}
	if ctl("fail=2") != http.StatusBadRequest || ctl("delay=soon") != http.StatusBadRequest {
		t.Fatal("control accepted a bad value")
	}
	ctl("fail=0&delay=1ms")
	for range 2 {
		if code := post("/callback/1", "secret-1", body); code != http.StatusOK {
			t.Fatalf("healthy receiver answered %d", code)
		}
	}
	c := replies.counts()
	if c.Expected != 1 || c.Seen != 1 || c.Missing != 0 || c.Repeats != 1 {
		t.Fatalf("reply counts %+v, want seen once and repeated once", c)
	}
	if r.repeats.Load() != 1 || r.badSignature.Load() != 1 {
		t.Fatalf("repeats %d, bad signatures %d", r.repeats.Load(), r.badSignature.Load())
	}
	if a := r.answered.Snapshot(); a["200"] != 2 || a["500"] != 1 || a["401"] != 1 || a["404"] != 1 {
		t.Fatalf("answers %v", a)
	}
}
