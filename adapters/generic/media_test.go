package generic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

var (
	_ adapters.MediaFetcher     = (*Adapter)(nil)
	_ adapters.TraitsProvider   = (*Adapter)(nil)
	_ adapters.ConnectionTester = (*Adapter)(nil)
)

// The image extension of the wire format: a caption in text, the file's URL in media.
func TestParseImageMessage(t *testing.T) {
	body := `{"event":"message","message":{"id":"m-img","customer":{"id":"b1","name":"黄女士"},"type":"image",
		"text":"盖子是裂的","sent_at":"2026-11-23T08:00:00Z",
		"media":{"url":"https://cdn.example.test/p/1.jpg?sig=abc","content_type":"image/jpeg","file_name":"IMG_0001.JPG"}}}`
	got, err := ParseBody([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []adapters.Event{{Message: &adapters.InboundMessage{
		ExternalID: "m-img", Customer: adapters.Customer{ID: "b1", Name: "黄女士"}, Type: "image", Text: "盖子是裂的",
		SentAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		Media:  &adapters.MediaRef{ID: "https://cdn.example.test/p/1.jpg?sig=abc", MimeType: "image/jpeg", FileName: "IMG_0001.JPG"},
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed\n%s\nwant\n%s", dumpEvents(got), dumpEvents(want))
	}

	// The caption is optional; a text message's media is not read.
	got, err = ParseBody([]byte(`{"event":"message","message":{"id":"m2","customer":{"id":"b1"},"type":"image","media":{"url":"http://relay.test/x.png"}}}`))
	if err != nil || got[0].Message.Media == nil || got[0].Message.Text != "" {
		t.Fatalf("image without caption: %+v, %v", got, err)
	}
	got, err = ParseBody([]byte(`{"event":"message","message":{"id":"m3","customer":{"id":"b1"},"text":"hi","media":{"url":"http://relay.test/x.png"}}}`))
	if err != nil || got[0].Message.Media != nil {
		t.Fatalf("text with media: %+v, %v", got, err)
	}
}

func TestParseImageMessageRejects(t *testing.T) {
	for name, media := range map[string]string{
		"no url":         `{}`,
		"blank url":      `{"url":"  "}`,
		"relative url":   `{"url":"/img/1.png"}`,
		"other scheme":   `{"url":"file:///etc/passwd"}`,
		"javascript":     `{"url":"javascript:alert(1)"}`,
		"over 4096 byte": `{"url":"https://cdn.example.test/` + strings.Repeat("a", 4100) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			body := `{"event":"message","message":{"id":"m","customer":{"id":"b"},"type":"image","media":` + media + `}}`
			_, err := ParseBody([]byte(body))
			var bad *adapters.BadRequestError
			if !errors.As(err, &bad) || bad.Field != "message.media.url" {
				t.Fatalf("answered %v, want a BadRequestError naming message.media.url", err)
			}
		})
	}
	_, err := ParseBody([]byte(`{"event":"message","message":{"id":"m","customer":{"id":"b"},"type":"image","media":"https://x"}}`))
	var bad *adapters.BadRequestError
	if !errors.As(err, &bad) || bad.Field != "message.media" {
		t.Fatalf("media as a string answered %v", err)
	}
}

// imageServer answers each path with a fixed status, headers and body.
func imageServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("image fetched with %s", r.Method)
		}
		switch r.URL.Path {
		case "/ok.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte("\x89PNG\r\n\x1a\nrest-of-file"))
		case "/gone":
			http.Error(w, "no such image", http.StatusNotFound)
		case "/broken":
			http.Error(w, "upstream error", http.StatusBadGateway)
		case "/busy":
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/huge":
			w.Header().Set("Content-Length", strconv.Itoa(maxMediaBytes+1))
			w.WriteHeader(http.StatusOK)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchMedia(t *testing.T) {
	srv := imageServer(t)
	a := newTestAdapter(srv.Client())
	ch := channelFor("http://127.0.0.1:9/cb")
	ctx := context.Background()

	m, err := a.FetchMedia(ctx, ch, adapters.MediaRef{ID: srv.URL + "/ok.png"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if string(body) != "\x89PNG\r\n\x1a\nrest-of-file" || m.ContentType != "image/png" || m.Size != int64(len(body)) {
		t.Fatalf("fetched %q (%s, size %d)", body, m.ContentType, m.Size)
	}

	var perm *adapters.PermanentError
	var later *adapters.RetryAfterError
	for path, check := range map[string]func(error) bool{
		"/gone": func(err error) bool { return errors.As(err, &perm) && strings.Contains(err.Error(), "404") },
		"/huge": func(err error) bool { return errors.As(err, &perm) && strings.Contains(err.Error(), "too large") },
		"/broken": func(err error) bool {
			return err != nil && !errors.As(err, &perm) && strings.Contains(err.Error(), "502")
		},
		"/busy": func(err error) bool { return errors.As(err, &later) && later.After == 7*time.Second },
	} {
		_, err := a.FetchMedia(ctx, ch, adapters.MediaRef{ID: srv.URL + path})
		if !check(err) {
			t.Errorf("%s answered %v", path, err)
		}
	}
	if _, err := a.FetchMedia(ctx, ch, adapters.MediaRef{ID: "ftp://x/y"}); !errors.As(err, &perm) {
		t.Errorf("an ftp URL answered %v, want a PermanentError", err)
	}
	unreachable := "http://127.0.0.1:1/x.png"
	if _, err := a.FetchMedia(ctx, ch, adapters.MediaRef{ID: unreachable}); err == nil || errors.As(err, &perm) {
		t.Errorf("an unreachable host answered %v, want a retryable error", err)
	}
}

func TestSendImageReply(t *testing.T) {
	srv := newCallbackServer(t, answer(http.StatusOK))
	a := newTestAdapter(srv.Client())
	reply := testReply
	reply.Type, reply.Text = "image", "实物图"
	reply.Attachment = &adapters.Attachment{ContentType: "image/jpeg", FileName: "a.jpg", Data: []byte("jpeg bytes"),
		URL: "https://cb.example.test/media/5?expires=1&sig=x"}
	if _, err := a.Send(context.Background(), channelFor(srv.URL+"/cb"), reply); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	checkSigned(t, reqs[0])
	var got struct {
		Message map[string]any `json:"message"`
	}
	if err := json.Unmarshal(reqs[0].body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"url": "https://cb.example.test/media/5?expires=1&sig=x", "content_type": "image/jpeg"}
	if got.Message["type"] != "image" || got.Message["text"] != "实物图" || !reflect.DeepEqual(got.Message["media"], want) {
		t.Fatalf("callback message %v", got.Message)
	}
	if strings.Contains(string(reqs[0].body), "jpeg bytes") {
		t.Fatal("the callback carries the file's bytes; it should carry only the URL")
	}
	// A text reply has no media key at all: the contract's shape is unchanged.
	if _, err := a.Send(context.Background(), channelFor(srv.URL+"/cb"), testReply); err != nil {
		t.Fatal(err)
	}
	if body := string(srv.requests()[1].body); strings.Contains(body, "media") {
		t.Fatalf("a text reply mentions media: %s", body)
	}
	if !a.Traits().SendsImages {
		t.Fatal("the generic channel does not say it sends images")
	}
}

func TestTestConnection(t *testing.T) {
	ok := newCallbackServer(t, answer(http.StatusNoContent))
	a := newTestAdapter(ok.Client())
	if err := a.TestConnection(context.Background(), channelFor(ok.URL+"/cb")); err != nil {
		t.Fatalf("a relay answering 204: %v", err)
	}
	reqs := ok.requests()
	checkSigned(t, reqs[0])
	if string(reqs[0].body) != `{"event":"ping"}` {
		t.Fatalf("test connection sent %s", reqs[0].body)
	}
	down := newCallbackServer(t, answer(http.StatusUnauthorized))
	err := newTestAdapter(down.Client()).TestConnection(context.Background(), channelFor(down.URL+"/cb"))
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a relay answering 401: %v", err)
	}
}
