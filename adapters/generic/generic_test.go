package generic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// fixedNow is the adapter's clock in these tests: 2025-11-23T08:00:00Z.
var fixedNow = time.Unix(1763884800, 0).UTC()

const testSecret = "whsec-generic-test"

var _ adapters.Adapter = (*Adapter)(nil)

func newTestAdapter(client *http.Client) *Adapter {
	a := New(client)
	a.now = func() time.Time { return fixedNow }
	return a
}

func channelFor(callbackURL string) adapters.Channel {
	cfg, _ := json.Marshal(Config{CallbackURL: callbackURL})
	return adapters.Channel{ID: 7, ShopID: 1, Type: Type, Secret: testSecret, Config: cfg}
}

func TestType(t *testing.T) {
	if got := New(nil).Type(); got != "generic" {
		t.Fatalf("Type = %q, want generic", got)
	}
	reg := adapters.NewRegistry(New(nil))
	if _, ok := reg.Lookup("generic"); !ok {
		t.Fatal("the registry does not find the generic adapter by its type")
	}
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name      string
		config    string
		wantField string // "" means valid
	}{
		{"https", `{"callback_url":"https://relay.example.com/chatbridge"}`, ""},
		{"http with port, path and query", `{"callback_url":"http://10.0.0.5:8080/hook?shop=1"}`, ""},
		{"upper-case scheme", `{"callback_url":"HTTPS://relay.example.com/"}`, ""},
		{"unknown keys are ignored", `{"callback_url":"https://relay.example.com/","comment":"x"}`, ""},
		{"missing callback_url", `{}`, "config.callback_url"},
		{"empty callback_url", `{"callback_url":""}`, "config.callback_url"},
		{"null callback_url", `{"callback_url":null}`, "config.callback_url"},
		{"relative URL", `{"callback_url":"/chatbridge/callback"}`, "config.callback_url"},
		{"host without scheme", `{"callback_url":"relay.example.com/chatbridge"}`, "config.callback_url"},
		{"ftp scheme", `{"callback_url":"ftp://relay.example.com/chatbridge"}`, "config.callback_url"},
		{"javascript scheme", `{"callback_url":"javascript:alert(1)"}`, "config.callback_url"},
		{"scheme without host", `{"callback_url":"https:///chatbridge"}`, "config.callback_url"},
		{"unparsable URL", `{"callback_url":"http://[::1"}`, "config.callback_url"},
		{"null config", `null`, "config.callback_url"},
		{"not an object: string", `"https://relay.example.com/"`, "config"},
		{"not an object: array", `[{"callback_url":"https://relay.example.com/"}]`, "config"},
		{"not an object: number", `1`, "config"},
		{"callback_url of wrong type", `{"callback_url":42}`, "config"},
		{"empty config", ``, "config"},
		{"malformed JSON", `{"callback_url":`, "config"},
	}
	a := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.ValidateConfig(json.RawMessage(tt.config))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ValidateConfig: %v, want success", err)
				}
				return
			}
			var br *adapters.BadRequestError
			if !errors.As(err, &br) {
				t.Fatalf("ValidateConfig: %T %v, want *adapters.BadRequestError", err, err)
			}
			if br.Field != tt.wantField {
				t.Fatalf("Field = %q, want %q", br.Field, tt.wantField)
			}
			if br.Reason == "" {
				t.Fatal("the error gives no reason")
			}
		})
	}
}

// signedRequest builds the webhook request a relay would send, signed at ts.
func signedRequest(secret string, ts time.Time, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/generic/7", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set(HeaderTimestamp, stamp)
	r.Header.Set(HeaderSignature, Sign(secret, stamp, body))
	return r
}

func TestParseWebhook(t *testing.T) {
	msgBody := []byte(contractMessage)
	orderBody := []byte(contractOrderWithRefund)
	badBody := []byte(`{"event":"message","message":{"id":"m1"}}`)

	tests := []struct {
		name      string
		req       func() *http.Request
		body      []byte
		wantKind  string // "message", "order", "unauthorized", "bad request"
		wantField string
	}{
		{
			name: "signed message", body: msgBody, wantKind: "message",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow, msgBody) },
		},
		{
			name: "signed order", body: orderBody, wantKind: "order",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow, orderBody) },
		},
		{
			name: "signed 299 s ago", body: msgBody, wantKind: "message",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow.Add(-299*time.Second), msgBody) },
		},
		{
			// Header names are case-insensitive.
			name: "header names in lower case", body: msgBody, wantKind: "message",
			req: func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "/webhooks/generic/7", bytes.NewReader(msgBody))
				stamp := strconv.FormatInt(fixedNow.Unix(), 10)
				r.Header.Set("x-chatbridge-timestamp", stamp)
				r.Header.Set("x-chatbridge-signature", Sign(testSecret, stamp, msgBody))
				return r
			},
		},
		{
			name: "no headers", body: msgBody, wantKind: "unauthorized",
			req: func() *http.Request {
				return httptest.NewRequest(http.MethodPost, "/webhooks/generic/7", bytes.NewReader(msgBody))
			},
		},
		{
			name: "signed with another channel's secret", body: msgBody, wantKind: "unauthorized",
			req: func() *http.Request { return signedRequest("other-channel-secret", fixedNow, msgBody) },
		},
		{
			name: "stale: signed 301 s ago", body: msgBody, wantKind: "unauthorized",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow.Add(-301*time.Second), msgBody) },
		},
		{
			name: "signature over another body", body: orderBody, wantKind: "unauthorized",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow, msgBody) },
		},
		{
			// The signature is checked first: a forger learns nothing about the parser.
			name: "unsigned and unreadable", body: []byte(`not json`), wantKind: "unauthorized",
			req: func() *http.Request { return signedRequest("other-channel-secret", fixedNow, []byte(`not json`)) },
		},
		{
			name: "signed but missing fields", body: badBody, wantKind: "bad request", wantField: "message.customer",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow, badBody) },
		},
		{
			name: "signed but malformed", body: []byte(`{"event"`), wantKind: "bad request", wantField: "",
			req: func() *http.Request { return signedRequest(testSecret, fixedNow, []byte(`{"event"`)) },
		},
	}
	a := newTestAdapter(nil)
	ch := channelFor("https://relay.example.com/cb")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := a.ParseWebhook(context.Background(), ch, tt.req(), tt.body)
			switch tt.wantKind {
			case "message", "order":
				if err != nil {
					t.Fatalf("ParseWebhook: %v", err)
				}
				want, perr := ParseBody(tt.body)
				if perr != nil {
					t.Fatalf("ParseBody: %v", perr)
				}
				if !reflect.DeepEqual(evs, want) {
					t.Fatalf("ParseWebhook = %s, want %s", dumpEvents(evs), dumpEvents(want))
				}
				if len(evs) != 1 || (tt.wantKind == "message") != (evs[0].Message != nil) {
					t.Fatalf("want one %s event, got %s", tt.wantKind, dumpEvents(evs))
				}
			case "unauthorized":
				if !errors.Is(err, adapters.ErrUnauthorized) {
					t.Fatalf("ParseWebhook: %v, want ErrUnauthorized", err)
				}
				if evs != nil {
					t.Fatalf("events with an error: %s", dumpEvents(evs))
				}
			case "bad request":
				var br *adapters.BadRequestError
				if !errors.As(err, &br) || br.Field != tt.wantField {
					t.Fatalf("ParseWebhook: %v, want a bad request on %q", err, tt.wantField)
				}
				if errors.Is(err, adapters.ErrUnauthorized) {
					t.Fatal("a bad body is not an authorization failure")
				}
			}
		})
	}
}

// received is one callback as the receiving server saw it.
type received struct {
	method, contentType, timestamp, signature string
	body                                      []byte
}

// callbackServer records the callbacks it gets and answers with respond.
type callbackServer struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	resp func(w http.ResponseWriter)
}

func newCallbackServer(t *testing.T, respond func(w http.ResponseWriter)) *callbackServer {
	t.Helper()
	s := &callbackServer{resp: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("callback server: read body: %v", err)
		}
		s.mu.Lock()
		s.got = append(s.got, received{
			method: r.Method, contentType: r.Header.Get("Content-Type"),
			timestamp: r.Header.Get(HeaderTimestamp), signature: r.Header.Get(HeaderSignature), body: body,
		})
		s.mu.Unlock()
		s.resp(w)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *callbackServer) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func answer(status int, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"status":"answer `+strconv.Itoa(status)+`"}`)
	}
}

// checkSigned verifies a callback the way a receiver would: same secret, same scheme.
func checkSigned(t *testing.T, r received) {
	t.Helper()
	if r.method != http.MethodPost {
		t.Errorf("method = %s, want POST", r.method)
	}
	if r.contentType != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", r.contentType)
	}
	if want := strconv.FormatInt(fixedNow.Unix(), 10); r.timestamp != want {
		t.Errorf("%s = %q, want %q", HeaderTimestamp, r.timestamp, want)
	}
	if err := Verify(testSecret, r.timestamp, r.signature, r.body, fixedNow); err != nil {
		t.Errorf("the receiver cannot verify the callback: %v", err)
	}
}

var testReply = adapters.OutboundMessage{
	ID:             "cb-msg-42",
	ConversationID: "conv-9",
	CustomerID:     "buyer-1",
	Type:           "text",
	Text:           "Yes, ships today. 今天发货 📦",
	CreatedAt:      time.Date(2025, 11, 23, 7, 59, 30, 123456789, time.FixedZone("CST", 8*3600)),
}

func TestSendDeliversSignedMessage(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())

	res, err := a.Send(context.Background(), channelFor(srv.URL+"/cb"), testReply)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.RemoteID != testReply.ID {
		t.Fatalf("RemoteID = %q, want the message id %q", res.RemoteID, testReply.ID)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("the callback got %d requests, want 1", len(reqs))
	}
	checkSigned(t, reqs[0])

	var got map[string]any
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatalf("callback body %q: %v", reqs[0].body, err)
	}
	want := map[string]any{
		"event": "message",
		"message": map[string]any{
			"id":              "cb-msg-42",
			"conversation_id": "conv-9",
			"customer":        map[string]any{"id": "buyer-1"},
			"type":            "text",
			"text":            "Yes, ships today. 今天发货 📦",
			// CreatedAt in UTC, RFC 3339, whole seconds.
			"sent_at": "2025-11-22T23:59:30Z",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("callback body\n got %v\nwant %v", got, want)
	}
	sentAt := got["message"].(map[string]any)["sent_at"].(string)
	if _, err := time.Parse(time.RFC3339, sentAt); err != nil {
		t.Fatalf("sent_at %q is not RFC 3339: %v", sentAt, err)
	}
}

func TestSendWithoutCreatedAtUsesClock(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusNoContent))
	a := newTestAdapter(srv.Client())
	msg := testReply
	msg.CreatedAt = time.Time{}
	if _, err := a.Send(context.Background(), channelFor(srv.URL), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var got struct {
		Message struct {
			SentAt string `json:"sent_at"`
		} `json:"message"`
	}
	if err := json.Unmarshal(srv.requests()[0].body, &got); err != nil {
		t.Fatal(err)
	}
	if want := fixedNow.Format(time.RFC3339); got.Message.SentAt != want {
		t.Fatalf("sent_at = %q, want the clock's %q", got.Message.SentAt, want)
	}
}

func TestSendAnswers(t *testing.T) {
	tests := []struct {
		name      string
		respond   func(w http.ResponseWriter)
		wantOK    bool
		wantHint  bool          // a *RetryAfterError ...
		wantRetry time.Duration // ... with this delay
		wantInErr string
	}{
		{name: "200", respond: answer(http.StatusOK), wantOK: true},
		{name: "201", respond: answer(http.StatusCreated), wantOK: true},
		{name: "202", respond: answer(http.StatusAccepted), wantOK: true},
		{name: "204", respond: answer(http.StatusNoContent), wantOK: true},
		{name: "500", respond: answer(http.StatusInternalServerError), wantInErr: "answered 500"},
		{name: "502", respond: answer(http.StatusBadGateway), wantInErr: "answered 502"},
		// The contract: anything but a 2xx is retried with backoff.
		{name: "400", respond: answer(http.StatusBadRequest), wantInErr: "answered 400"},
		{name: "404", respond: answer(http.StatusNotFound), wantInErr: "answered 404"},
		{name: "302 without Location", respond: answer(http.StatusFound), wantInErr: "answered 302"},
		{name: "429 with Retry-After: 7", respond: answer(http.StatusTooManyRequests, "Retry-After", "7"), wantHint: true, wantRetry: 7 * time.Second},
		{name: "503 with Retry-After: 120", respond: answer(http.StatusServiceUnavailable, "Retry-After", "120"), wantHint: true, wantRetry: 2 * time.Minute},
		{name: "429 with Retry-After: 0", respond: answer(http.StatusTooManyRequests, "Retry-After", "0"), wantHint: true, wantRetry: 0},
		{name: "429 without Retry-After", respond: answer(http.StatusTooManyRequests), wantInErr: "answered 429"},
		{name: "429 with negative Retry-After", respond: answer(http.StatusTooManyRequests, "Retry-After", "-5"), wantInErr: "answered 429"},
		{name: "429 with an HTTP-date Retry-After", respond: answer(http.StatusTooManyRequests, "Retry-After", "Sun, 23 Nov 2025 08:01:00 GMT"), wantInErr: "answered 429"},
		{name: "429 with an overflowing Retry-After", respond: answer(http.StatusTooManyRequests, "Retry-After", "9223372037"), wantInErr: "answered 429"},
		{name: "500 with Retry-After is no hint", respond: answer(http.StatusInternalServerError, "Retry-After", "7"), wantInErr: "answered 500"},
		{
			name: "error body is quoted, bounded",
			respond: func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, "  database down"+strings.Repeat(".", 4096))
			},
			wantInErr: "answered 500: database down",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCallbackServer(t, tt.respond)
			a := newTestAdapter(srv.Client())
			res, err := a.Send(context.Background(), channelFor(srv.URL), testReply)
			if got := len(srv.requests()); got != 1 {
				t.Fatalf("the callback got %d requests, want 1", got)
			}
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if res.RemoteID != testReply.ID {
					t.Fatalf("RemoteID = %q, want %q", res.RemoteID, testReply.ID)
				}
				return
			}
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if res != (adapters.SendResult{}) {
				t.Errorf("a failed Send answered %+v", res)
			}
			var perm *adapters.PermanentError
			if errors.As(err, &perm) {
				t.Fatalf("Send: %v is permanent, want it retried", err)
			}
			var ra *adapters.RetryAfterError
			if tt.wantHint {
				if !errors.As(err, &ra) {
					t.Fatalf("Send: %T %v, want *adapters.RetryAfterError", err, err)
				}
				if ra.After != tt.wantRetry {
					t.Fatalf("After = %s, want %s", ra.After, tt.wantRetry)
				}
				return
			}
			if errors.As(err, &ra) {
				t.Fatalf("Send: %v carries a retry hint (%s), want a plain retryable error", err, ra.After)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("Send: %q, want it to contain %q", err, tt.wantInErr)
			}
			if len(err.Error()) > 1024 {
				t.Fatalf("the error is %d bytes long; the answer must be cut", len(err.Error()))
			}
		})
	}
}

func TestSendBadConfigIsPermanent(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())
	tests := []struct {
		name   string
		config string
	}{
		{"no callback_url", `{}`},
		{"relative callback_url", `{"callback_url":"/cb"}`},
		{"ftp callback_url", `{"callback_url":"ftp://example.com/cb"}`},
		{"config not an object", `"x"`},
		{"no config at all", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := channelFor(srv.URL)
			ch.Config = json.RawMessage(tt.config)
			_, err := a.Send(context.Background(), ch, testReply)
			var perm *adapters.PermanentError
			if !errors.As(err, &perm) {
				t.Fatalf("Send: %T %v, want *adapters.PermanentError", err, err)
			}
			var br *adapters.BadRequestError
			if !errors.As(err, &br) || !strings.HasPrefix(br.Field, "config") {
				t.Fatalf("Send: %v does not say what is wrong with the config", err)
			}
		})
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("a bad config still sent %d requests", n)
	}
}

func TestSendUnreachableIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	url := srv.URL
	client := srv.Client()
	srv.Close()

	a := newTestAdapter(client)
	_, err := a.Send(context.Background(), channelFor(url), testReply)
	if err == nil {
		t.Fatal("Send to a closed server succeeded")
	}
	var perm *adapters.PermanentError
	var ra *adapters.RetryAfterError
	if errors.As(err, &perm) || errors.As(err, &ra) {
		t.Fatalf("Send: %T %v, want a plain retryable error", err, err)
	}
	if !strings.Contains(err.Error(), url) {
		t.Fatalf("Send: %q does not name the callback URL", err)
	}
}

func TestSendHonoursContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	a := newTestAdapter(srv.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := a.Send(ctx, channelFor(srv.URL), testReply)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send: %v, want context.DeadlineExceeded", err)
	}
	var perm *adapters.PermanentError
	if errors.As(err, &perm) {
		t.Fatal("a timeout is not permanent")
	}
}

// The receiver deduplicates on the message id: every retry of one reply must carry it,
// and the event itself must not change between tries.
func TestSendRepeatedIsIdempotentForReceiver(t *testing.T) {
	fail := true
	var mu sync.Mutex
	srv := newCallbackServer(t, func(w http.ResponseWriter) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			fail = false
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	a := newTestAdapter(srv.Client())
	ch := channelFor(srv.URL)

	if _, err := a.Send(context.Background(), ch, testReply); err == nil {
		t.Fatal("the first try should fail with 502")
	}
	// The retry happens a minute later.
	later := fixedNow.Add(time.Minute)
	a.now = func() time.Time { return later }
	res, err := a.Send(context.Background(), ch, testReply)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if res.RemoteID != testReply.ID {
		t.Fatalf("RemoteID = %q, want %q", res.RemoteID, testReply.ID)
	}

	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("the callback got %d requests, want 2", len(reqs))
	}
	type msgID struct {
		Message struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	for i, r := range reqs {
		var m msgID
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Message.ID != testReply.ID {
			t.Fatalf("delivery %d carries message id %q, want %q", i, m.Message.ID, testReply.ID)
		}
	}
	if !bytes.Equal(reqs[0].body, reqs[1].body) {
		t.Fatalf("the retry changed the event:\n%s\n%s", reqs[0].body, reqs[1].body)
	}
	// Each try is signed afresh, so a retry after minutes is not refused as stale.
	if reqs[0].timestamp == reqs[1].timestamp {
		t.Fatal("the retry reused the first try's timestamp")
	}
	if err := Verify(testSecret, reqs[1].timestamp, reqs[1].signature, reqs[1].body, later); err != nil {
		t.Fatalf("the retry does not verify: %v", err)
	}
}

func TestPostOrderNote(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())
	event := map[string]any{
		"event":      "order_note",
		"order_note": map[string]any{"order_id": "T1001", "flag": "red", "note": "改地址：杭州西湖区 <b>&"},
	}
	if err := a.Post(context.Background(), channelFor(srv.URL+"/notes"), event); err != nil {
		t.Fatalf("Post: %v", err)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("the callback got %d requests, want 1", len(reqs))
	}
	checkSigned(t, reqs[0])
	want, _ := json.Marshal(event)
	if !bytes.Equal(reqs[0].body, want) {
		t.Fatalf("body = %s, want it as is: %s", reqs[0].body, want)
	}
	var got map[string]any
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, event) {
		t.Fatalf("the receiver reads %v, want %v", got, event)
	}
}

func TestPostUnencodableEventIsPermanent(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())
	err := a.Post(context.Background(), channelFor(srv.URL), map[string]any{"event": make(chan int)})
	var perm *adapters.PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("Post: %T %v, want *adapters.PermanentError", err, err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("an unencodable event still sent %d requests", n)
	}
}

// New(nil) must give a working adapter, not one that panics on its first Send.
func TestNewNilClient(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := New(nil)
	if a.client == nil || a.client.Timeout != DefaultTimeout {
		t.Fatalf("client = %+v, want one with a %s timeout", a.client, DefaultTimeout)
	}
	if _, err := a.Send(context.Background(), channelFor(srv.URL), testReply); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// One Adapter serves many channels at once.
func TestSendConcurrent(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := testReply
			msg.ID = "m-" + strconv.Itoa(i)
			if res, err := a.Send(context.Background(), channelFor(srv.URL), msg); err != nil || res.RemoteID != msg.ID {
				t.Errorf("Send %s: %+v, %v", msg.ID, res, err)
			}
		}()
	}
	wg.Wait()
	reqs := srv.requests()
	if len(reqs) != 16 {
		t.Fatalf("got %d requests, want 16", len(reqs))
	}
	for _, r := range reqs {
		checkSigned(t, r)
	}
}

// BenchmarkParseWebhook measures what every inbound delivery costs: signature and
// timestamp check, then parsing of a typical message body.
//
//	go test -run='^$' -bench=BenchmarkParseWebhook -benchmem ./adapters/generic/
func BenchmarkParseWebhook(b *testing.B) {
	a := newTestAdapter(nil)
	ch := channelFor("https://relay.example.com/cb")
	body := []byte(contractMessage)
	req := signedRequest(testSecret, fixedNow, body)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		evs, err := a.ParseWebhook(ctx, ch, req, body)
		if err != nil || len(evs) != 1 {
			b.Fatalf("ParseWebhook: %v, %d events", err, len(evs))
		}
	}
}
