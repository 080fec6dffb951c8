// Package whatsapptest is a fake WhatsApp Cloud API for tests: an httptest server
// speaking the Graph API's messages, media upload, media URL and download endpoints
// with bearer tokens, and a builder of signed webhook notifications.
package whatsapptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/whatsapp"
)

// The credentials the fake accepts.
const (
	PhoneNumberID = "106540352242922"
	AccessToken   = "EAAGtestaccesstoken"
	AppSecret     = "appsecret"
	VerifyToken   = "verify-me-please"
	Version       = "v21.0"
)

// Sent is a message the fake accepted.
type Sent struct {
	To, Type, Text, MediaID, Caption, CallbackData string
}

// Fake is the fake Graph API.
type Fake struct {
	*httptest.Server

	mu       sync.Mutex
	sent     []Sent
	media    map[string][]byte
	fail     int
	throttle bool
	reject   bool
	expired  bool
}

// New starts a fake Graph API until the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{media: map[string][]byte{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Config is a channel config pointing at the fake.
func (f *Fake) Config() whatsapp.Config {
	return whatsapp.Config{PhoneNumberID: PhoneNumberID, AccessToken: AccessToken, AppSecret: AppSecret,
		VerifyToken: VerifyToken, APIVersion: Version, APIBaseURL: f.URL}
}

// Media stores a file the media endpoints serve under id.
func (f *Fake) Media(id string, data []byte) { f.mu.Lock(); f.media[id] = data; f.mu.Unlock() }

// SentMessages lists the accepted sends.
func (f *Fake) SentMessages() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// Sent implements adaptertest.FakeAPI: the key is biz_opaque_callback_data.
func (f *Fake) Sent() []adaptertest.SentReply {
	var out []adaptertest.SentReply
	for _, s := range f.SentMessages() {
		out = append(out, adaptertest.SentReply{Key: s.CallbackData, BuyerID: s.To, Text: s.Text})
	}
	return out
}

// FailNext makes the next n sends answer 500 with code 131000 (something went wrong).
func (f *Fake) FailNext(n int) { f.mu.Lock(); f.fail = n; f.mu.Unlock() }

// ThrottleNext makes the next send answer 130429 (rate limit hit); Meta gives no wait.
func (f *Fake) ThrottleNext(time.Duration) { f.mu.Lock(); f.throttle = true; f.mu.Unlock() }

// RejectNext makes the next send answer 131047: the 24-hour window has closed.
func (f *Fake) RejectNext() bool { f.mu.Lock(); f.reject = true; f.mu.Unlock(); return true }

// ExpireToken makes every call answer 190 (the access token expired).
func (f *Fake) ExpireToken() { f.mu.Lock(); f.expired = true; f.mu.Unlock() }

func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": "OAuthException", "code": code, "error_data": map[string]any{"messaging_product": "whatsapp", "details": msg},
		"fbtrace_id": "AbCdEf"}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+AccessToken || f.expired {
		graphError(w, http.StatusUnauthorized, 190, "Error validating access token: Session has expired")
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/download/"); ok {
		data, found := f.media[id]
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/"+Version+"/")
	if !ok {
		graphError(w, http.StatusBadRequest, 2500, "Unknown path components")
		return
	}
	switch {
	case path == PhoneNumberID+"/messages" && r.Method == http.MethodPost:
		f.send(w, r)
	case path == PhoneNumberID+"/media" && r.Method == http.MethodPost:
		f.upload(w, r)
	case path == PhoneNumberID && r.Method == http.MethodGet:
		writeJSON(w, map[string]any{"display_phone_number": "15550783881", "verified_name": "Shop", "id": PhoneNumberID})
	case r.Method == http.MethodGet:
		if _, found := f.media[path]; !found {
			graphError(w, http.StatusBadRequest, 100, "Unsupported get request")
			return
		}
		writeJSON(w, map[string]any{"messaging_product": "whatsapp", "url": f.URL + "/download/" + path,
			"mime_type": "image/jpeg", "sha256": "x", "file_size": len(f.media[path]), "id": path})
	default:
		graphError(w, http.StatusBadRequest, 100, "Unsupported post request")
	}
}

func (f *Fake) send(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Product      string `json:"messaging_product"`
		To           string `json:"to"`
		Type         string `json:"type"`
		CallbackData string `json:"biz_opaque_callback_data"`
		Text         struct {
			Body string `json:"body"`
		} `json:"text"`
		Image struct {
			ID      string `json:"id"`
			Caption string `json:"caption"`
		} `json:"image"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Product != "whatsapp" || req.To == "" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	switch {
	case f.throttle:
		f.throttle = false
		graphError(w, http.StatusBadRequest, 130429, "Rate limit hit")
		return
	case f.reject:
		f.reject = false
		graphError(w, http.StatusBadRequest, 131047, "Re-engagement message")
		return
	case f.fail > 0:
		f.fail--
		graphError(w, http.StatusInternalServerError, 131000, "Something went wrong")
		return
	case req.Type == "image" && f.media[req.Image.ID] == nil:
		graphError(w, http.StatusBadRequest, 131053, "Media upload error")
		return
	}
	f.sent = append(f.sent, Sent{To: req.To, Type: req.Type, Text: req.Text.Body, MediaID: req.Image.ID,
		Caption: req.Image.Caption, CallbackData: req.CallbackData})
	writeJSON(w, map[string]any{"messaging_product": "whatsapp", "contacts": []map[string]any{{"input": req.To, "wa_id": req.To}},
		"messages": []map[string]any{{"id": fmt.Sprintf("wamid.OUT%d", len(f.sent))}}})
}

func (f *Fake) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(10 << 20); err != nil || r.FormValue("messaging_product") != "whatsapp" {
		graphError(w, http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		graphError(w, http.StatusBadRequest, 100, "file is required")
		return
	}
	defer file.Close()
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, file)
	id := fmt.Sprintf("%d", 900000+len(f.media))
	f.media[id] = buf.Bytes()
	writeJSON(w, map[string]any{"id": id})
}

// Message is one entry of value.messages.
type Message = map[string]any

// TextMessage is a buyer's text as the webhook carries it.
func TextMessage(wamid, from, text string, at time.Time) Message {
	return Message{"from": from, "id": wamid, "timestamp": fmt.Sprint(at.Unix()), "type": "text", "text": map[string]any{"body": text}}
}

// Notification is a webhook body: one entry, one change to the fake's number with the
// given contacts (wa_id → profile name) and messages.
func Notification(contacts map[string]string, msgs ...Message) []byte {
	var cs []map[string]any
	for id, name := range contacts {
		cs = append(cs, map[string]any{"profile": map[string]any{"name": name}, "wa_id": id})
	}
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []map[string]any{{
		"id": "WABA-1", "changes": []map[string]any{{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": PhoneNumberID},
			"contacts":          cs, "messages": msgs}}}}}})
	return b
}

// Delivery builds Meta's POST of body to target, signed with secret.
func Delivery(target, secret string, body []byte) *http.Request {
	var req *http.Request
	if strings.HasPrefix(target, "http") {
		req, _ = http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	} else {
		req = httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.HeaderSignature, whatsapp.Sign(secret, body))
	return req
}
