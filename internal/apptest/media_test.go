package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/media/imagetest"
)

// imageHost is the buyer's platform serving image files: each path answers as set,
// and it counts the requests per path. /slow.png waits for release.
type imageHost struct {
	mu      sync.Mutex
	hits    map[string]int
	release chan struct{}
	png     []byte
	big     []byte
}

func (h *imageHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	h.mu.Unlock()
	switch r.URL.Path {
	case "/slow.png":
		<-h.release
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(h.png)
	case "/broken.png":
		http.Error(w, "image service down", http.StatusInternalServerError)
	case "/login.html":
		w.Header().Set("Content-Type", "image/png") // a lying label: the bytes are HTML
		_, _ = io.WriteString(w, "<!doctype html><html><body>please log in</body></html>")
	case "/huge.png":
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(h.big)
	default:
		http.NotFound(w, r)
	}
}

func (h *imageHost) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

func imageBody(id, customerID, caption, url string) []byte {
	b, _ := json.Marshal(map[string]any{"event": "message", "message": map[string]any{
		"id": id, "customer": map[string]string{"id": customerID, "name": "黄女士"},
		"type": "image", "text": caption, "media": map[string]string{"url": url},
		"sent_at": time.Now().UTC().Format(time.RFC3339)}})
	return b
}

type mediaView struct {
	ID, Status, Error, URL string
	ContentType            string `json:"content_type"`
	Size                   int64
}

type messageView struct {
	ID, Type, Text, Status, Direction string
	Media                             *mediaView
}

// threadOf lists a conversation's messages as the client sees them.
func threadOf(t *testing.T, c *Client, convID string) []messageView {
	t.Helper()
	var out struct{ Items []messageView }
	c.Do("GET", "/api/v1/conversations/"+convID+"/messages", nil, http.StatusOK, &out)
	return out.Items
}

func onlyConversation(t *testing.T, c *Client) string {
	t.Helper()
	var list struct{ Items []struct{ ID string } }
	c.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d conversations, want 1", len(list.Items))
	}
	return list.Items[0].ID
}

// get fetches a path with the client's token (none for Anonymous) and answers the status,
// headers and body.
func (c *Client) get(path string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// A buyer's photo arrives through the generic channel: the message is listed at once with
// its image pending, the worker fetches it, and the shop's staff (only them) get the bytes.
// Failures end visible: a URL answering 500 after its retries, an HTML page or an oversized
// file at once; the message itself is never lost.
func TestBuyerImageThroughTheGenericChannel(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	cfg.MediaMaxBytes = 64 << 10
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	host := &imageHost{hits: map[string]int{}, release: make(chan struct{}), png: imagetest.PNG(160, 120),
		big: append(imagetest.PNG(8, 8), make([]byte, 80<<10)...)}
	images := httptest.NewServer(host)
	defer images.Close()
	defer close(host.release) // never leave the handler waiting, whatever fails
	shop := inst.NewShop(t, "photos", "http://127.0.0.1:9/unused")
	live := dial(t, inst, shop.Agent, "")

	status, body := inst.Webhook(t, shop, imageBody("img-1", "buyer-1", "盖子是裂的", images.URL+"/slow.png"))
	if status != http.StatusOK || string(body) != `{"status":"accepted"}` {
		t.Fatalf("webhook: %d %s", status, body)
	}
	conv := onlyConversation(t, shop.Agent)
	thread := threadOf(t, shop.Agent, conv)
	if len(thread) != 1 || thread[0].Type != "image" || thread[0].Text != "盖子是裂的" || thread[0].Media == nil || thread[0].Media.Status != "pending" {
		t.Fatalf("the message is listed as %+v, want the image message with its file pending", thread)
	}
	var row struct {
		Preview string `json:"last_message_preview"`
	}
	shop.Agent.Do("GET", "/api/v1/conversations/"+conv, nil, http.StatusOK, &row)
	if row.Preview != "[image] 盖子是裂的" {
		t.Fatalf("preview %q", row.Preview)
	}
	mediaID := thread[0].Media.ID
	if code, _, _ := shop.Agent.get("/api/v1/media/" + mediaID); code != http.StatusConflict {
		t.Fatalf("GET of a file still being fetched: %d, want 409", code)
	}

	host.release <- struct{}{} // let the fetch through
	live.next("message.updated", `"status":"ready"`)
	thread = threadOf(t, shop.Agent, conv)
	if m := thread[0].Media; m.Status != "ready" || m.ContentType != "image/png" || m.Size != int64(len(host.png)) || m.URL != "/api/v1/media/"+mediaID {
		t.Fatalf("after the fetch the file is %+v", m)
	}
	code, h, got := shop.Agent.get(thread[0].Media.URL)
	if code != http.StatusOK || !bytes.Equal(got, host.png) {
		t.Fatalf("GET %s: %d, %d bytes", thread[0].Media.URL, code, len(got))
	}
	if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") {
		t.Fatalf("served with headers %v", h)
	}
	other := inst.NewShop(t, "photos-other", "http://127.0.0.1:9/unused")
	if code, _, _ := other.Supervisor.get(thread[0].Media.URL); code != http.StatusNotFound {
		t.Fatalf("another shop's supervisor gets %d, want 404", code)
	}
	if code, _, _ := inst.Anonymous(t).get(thread[0].Media.URL); code != http.StatusUnauthorized {
		t.Fatalf("without a login: %d, want 401", code)
	}
	if code, _, _ := inst.Admin(t).get(thread[0].Media.URL); code != http.StatusOK {
		t.Fatalf("the admin gets %d", code)
	}
	if n := host.count("/slow.png"); n != 1 {
		t.Fatalf("the image was fetched %d times, want once", n)
	}

	// Failures: each message is stored at once and its file ends failed, visibly.
	cases := []struct{ id, path, mention string }{
		{"img-broken", "/broken.png", "500"},
		{"img-html", "/login.html", "text/html"},
		{"img-huge", "/huge.png", "limit"},
	}
	for i, tc := range cases {
		if status, body := inst.Webhook(t, shop, imageBody(tc.id, fmt.Sprintf("buyer-f%d", i), "", images.URL+tc.path)); status != http.StatusOK {
			t.Fatalf("webhook %s: %d %s", tc.id, status, body)
		}
	}
	var list struct{ Items []struct{ ID string } }
	shop.Agent.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
	if len(list.Items) != 4 {
		t.Fatalf("%d conversations, want the first and one per failing image", len(list.Items))
	}
	failed := map[string]*mediaView{}
	Eventually(t, 40*time.Second, "every failing image to end failed", func() bool {
		clear(failed)
		for _, c := range list.Items {
			for _, m := range threadOf(t, shop.Agent, c.ID) {
				if m.Media != nil && m.Media.Status == "failed" {
					failed[m.Media.ID] = m.Media
				}
			}
		}
		return len(failed) == len(cases)
	})
	for _, tc := range cases {
		found := false
		for _, m := range failed {
			found = found || strings.Contains(m.Error, tc.mention)
		}
		if !found {
			t.Errorf("no failed image says %q: %+v", tc.mention, failed)
		}
	}
	// The 500 was retried (1 + outbound_max_retry attempts); refused files were not.
	if n := host.count("/broken.png"); n != 1+cfg.OutboundMaxRetry {
		t.Errorf("the failing URL was asked %d times, want %d", n, 1+cfg.OutboundMaxRetry)
	}
	if n := host.count("/login.html") + host.count("/huge.png"); n != 2 {
		t.Errorf("refused files were fetched %d times, want once each", n)
	}
}

// upload posts a file as the web's attach button does.
func upload(t *testing.T, c *Client, name string, data []byte) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	req, err := http.NewRequest("POST", c.base+"/api/v1/media", &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// An agent uploads an image and sends it: the relay receives a signed callback whose
// media URL serves the bytes without a login; the link cannot be bent to another file.
func TestAgentSendsAnImage(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	cfg.MediaMaxBytes = 64 << 10
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	rec := &callbackRecorder{t: t}
	relay := httptest.NewServer(rec)
	defer relay.Close()
	shop := inst.NewShop(t, "sender", relay.URL)
	rec.secret = shop.Secret
	inst.Webhook(t, shop, MessageBody("m-1", "buyer-1", "Alice", "有实物图吗"))
	conv := onlyConversation(t, shop.Agent)

	jpg := imagetest.JPEG(200, 150)
	status, raw := upload(t, shop.Agent, "实物图.jpg", jpg)
	var up mediaView
	if err := json.Unmarshal(raw, &up); err != nil || status != http.StatusCreated || up.Status != "ready" || up.ContentType != "image/jpeg" || up.Size != int64(len(jpg)) {
		t.Fatalf("upload: %d %s", status, raw)
	}
	if status, raw := upload(t, shop.Agent, "notes.png", []byte("just some text, not a picture")); status != http.StatusUnsupportedMediaType {
		t.Fatalf("upload of text: %d %s", status, raw)
	}
	if status, raw := upload(t, shop.Agent, "big.png", append(imagetest.PNG(4, 4), make([]byte, 70<<10)...)); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload over the limit: %d %s", status, raw)
	}
	other := inst.NewShop(t, "sender-other", relay.URL)
	other.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "image", "media_id": up.ID}, http.StatusNotFound, nil)
	otherUpload := func() string {
		_, raw := upload(t, other.Agent, "x.png", imagetest.PNG(10, 10))
		var m mediaView
		_ = json.Unmarshal(raw, &m)
		return m.ID
	}()
	_, body := shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "image", "media_id": otherUpload}, http.StatusBadRequest, nil)
	if !strings.Contains(string(body), `"field":"media_id"`) {
		t.Fatalf("another shop's file as media_id: %s", body)
	}
	shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]string{"type": "image"}, http.StatusBadRequest, nil)

	var reply struct{ ID, Status string }
	shop.Agent.Do("POST", "/api/v1/conversations/"+conv+"/messages",
		map[string]string{"type": "image", "media_id": up.ID, "text": "这是实物图"}, http.StatusAccepted, &reply)
	Eventually(t, 15*time.Second, "the image reply at the relay", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.events) == 1
	})
	rec.mu.Lock()
	msg := rec.events[0]["message"].(map[string]any)
	rec.mu.Unlock()
	md, _ := msg["media"].(map[string]any)
	if msg["id"] != reply.ID || msg["type"] != "image" || msg["text"] != "这是实物图" || md["content_type"] != "image/jpeg" {
		t.Fatalf("the relay received %v", msg)
	}
	link, _ := md["url"].(string)
	if !strings.HasPrefix(link, inst.URL+"/media/"+up.ID+"?") {
		t.Fatalf("media url %q, want a signed link under %s/media/%s", link, inst.URL, up.ID)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, jpg) || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the signed link answers %d, %d bytes, %s", resp.StatusCode, len(got), resp.Header.Get("Content-Type"))
	}
	forged := strings.Replace(link, "/media/"+up.ID+"?", "/media/"+otherUpload+"?", 1)
	if code, _, _ := inst.Anonymous(t).get(strings.TrimPrefix(forged, inst.URL)); code != http.StatusForbidden {
		t.Fatalf("the signature opened another file: %d", code)
	}
	thread := threadOf(t, shop.Agent, conv)
	last := thread[len(thread)-1]
	Eventually(t, 10*time.Second, "the image reply marked sent", func() bool {
		thread = threadOf(t, shop.Agent, conv)
		last = thread[len(thread)-1]
		return last.Status == "sent"
	})
	if last.Type != "image" || last.Media == nil || last.Media.ID != up.ID {
		t.Fatalf("the thread shows %+v", last)
	}
}
