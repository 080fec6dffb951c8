// Package telegramtest is a fake Telegram Bot API for tests: an httptest server
// speaking sendMessage, sendPhoto, getFile, file downloads, setWebhook and getMe,
// and a builder of webhook deliveries.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/telegram"
)

// Token is the bot token the fake accepts.
const Token = "123456789:AAHfakeBotTokenForTests_0123456789"

// Sent is a message the fake bot API accepted.
type Sent struct {
	ChatID, Text, Caption string
	Photo                 []byte
}

// Webhook is what setWebhook was told.
type Webhook struct {
	URL            string   `json:"url"`
	SecretToken    string   `json:"secret_token"`
	AllowedUpdates []string `json:"allowed_updates"`
}

// Fake is the fake Bot API.
type Fake struct {
	*httptest.Server

	mu       sync.Mutex
	sent     []Sent
	files    map[string][]byte
	webhook  *Webhook
	fail     int
	throttle time.Duration
	reject   bool
	nextID   int64
}

// New starts a fake Bot API until the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{files: map[string][]byte{}, nextID: 1000}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Config is a channel config pointing at the fake.
func (f *Fake) Config() telegram.Config {
	return telegram.Config{BotToken: Token, APIBaseURL: f.URL}
}

// File stores a file getFile and the download serve under fileID.
func (f *Fake) File(fileID string, data []byte) { f.mu.Lock(); f.files[fileID] = data; f.mu.Unlock() }

// SentMessages lists the accepted sends.
func (f *Fake) SentMessages() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// RegisteredWebhook is the last setWebhook, or nil.
func (f *Fake) RegisteredWebhook() *Webhook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.webhook
}

// Sent implements adaptertest.FakeAPI; the Bot API has no idempotency key.
func (f *Fake) Sent() []adaptertest.SentReply {
	var out []adaptertest.SentReply
	for _, s := range f.SentMessages() {
		out = append(out, adaptertest.SentReply{BuyerID: s.ChatID, Text: s.Text})
	}
	return out
}

// FailNext makes the next n sends answer 502 as Telegram does when briefly unwell.
func (f *Fake) FailNext(n int) { f.mu.Lock(); f.fail = n; f.mu.Unlock() }

// ThrottleNext makes the next send answer 429 with parameters.retry_after.
func (f *Fake) ThrottleNext(after time.Duration) { f.mu.Lock(); f.throttle = after; f.mu.Unlock() }

// RejectNext makes the next send answer 403: the buyer blocked the bot.
func (f *Fake) RejectNext() bool { f.mu.Lock(); f.reject = true; f.mu.Unlock(); return true }

func reply(w http.ResponseWriter, status int, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func failure(w http.ResponseWriter, code int, desc string) {
	reply(w, code, map[string]any{"ok": false, "error_code": code, "description": desc})
}

// params reads a method's parameters from JSON, a form or a multipart form.
func params(r *http.Request) (map[string]string, []byte) {
	out := map[string]string{}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		var raw map[string]any
		_ = json.NewDecoder(r.Body).Decode(&raw)
		for k, v := range raw {
			switch x := v.(type) {
			case string:
				out[k] = x
			default:
				b, _ := json.Marshal(x)
				out[k] = string(b)
			}
		}
		return out, nil
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return out, nil
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		var data []byte
		if file, _, err := r.FormFile("photo"); err == nil {
			data, _ = io.ReadAll(file)
			file.Close()
		}
		return out, data
	}
	_ = r.ParseForm()
	for k, v := range r.Form {
		out[k] = v[0]
	}
	return out, nil
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+Token+"/"); ok {
		data, found := f.files[strings.TrimPrefix(rest, "photos/")]
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(data)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot"+Token+"/")
	if !ok {
		failure(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	p, photo := params(r)
	switch rest {
	case "getMe":
		reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"id": 123456789, "is_bot": true, "first_name": "Shop", "username": "shop_bot"}})
	case "setWebhook":
		var wh Webhook
		wh.URL, wh.SecretToken = p["url"], p["secret_token"]
		_ = json.Unmarshal([]byte(p["allowed_updates"]), &wh.AllowedUpdates)
		f.webhook = &wh
		reply(w, 200, map[string]any{"ok": true, "result": true, "description": "Webhook was set"})
	case "getFile":
		if _, ok := f.files[p["file_id"]]; !ok {
			failure(w, 400, "Bad Request: invalid file_id")
			return
		}
		reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"file_id": p["file_id"], "file_path": "photos/" + p["file_id"]}})
	case "sendMessage", "sendPhoto":
		f.send(w, rest, p, photo)
	default:
		failure(w, 404, "Not Found: method not found")
	}
}

func (f *Fake) send(w http.ResponseWriter, method string, p map[string]string, photo []byte) {
	switch {
	case f.throttle > 0:
		secs := int(f.throttle / time.Second)
		f.throttle = 0
		reply(w, 429, map[string]any{"ok": false, "error_code": 429,
			"description": "Too Many Requests: retry after " + strconv.Itoa(secs), "parameters": map[string]any{"retry_after": secs}})
		return
	case f.reject:
		f.reject = false
		failure(w, 403, "Forbidden: bot was blocked by the user")
		return
	case f.fail > 0:
		f.fail--
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
		return
	case p["chat_id"] == "":
		failure(w, 400, "Bad Request: chat_id is empty")
		return
	case method == "sendMessage" && p["text"] == "":
		failure(w, 400, "Bad Request: message text is empty")
		return
	case method == "sendPhoto" && len(photo) == 0:
		failure(w, 400, "Bad Request: there is no photo in the request")
		return
	}
	f.nextID++
	f.sent = append(f.sent, Sent{ChatID: p["chat_id"], Text: p["text"], Caption: p["caption"], Photo: photo})
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	reply(w, 200, map[string]any{"ok": true, "result": map[string]any{"message_id": f.nextID,
		"chat": map[string]any{"id": chatID, "type": "private"}, "date": time.Now().Unix(), "text": p["text"]}})
}

// Update is a private-chat text message update as Telegram POSTs it.
func Update(updateID, chatID, messageID int64, first, last, text string, date time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": messageID, "date": date.Unix(), "text": text,
		"from": map[string]any{"id": chatID, "is_bot": false, "first_name": first, "last_name": last, "language_code": "zh-hans"},
		"chat": map[string]any{"id": chatID, "type": "private", "first_name": first, "last_name": last}}})
	return b
}

// Delivery builds Telegram's POST of body to target with the secret-token header.
func Delivery(target, secret string, body []byte) *http.Request {
	var req *http.Request
	if strings.HasPrefix(target, "http") {
		req, _ = http.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	} else {
		req = httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(telegram.HeaderSecret, secret)
	}
	return req
}

// ChatID renders a chat id as ChatBridge names the buyer.
func ChatID(id int64) string { return fmt.Sprint(id) }
