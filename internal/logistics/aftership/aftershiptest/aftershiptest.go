// Package aftershiptest is an AfterShip for tests: an httptest server that speaks the
// tracking API (as-api-key, the meta/data envelope, 4003 for a tracking that exists)
// and delivers webhooks signed with aftership-hmac-sha256.
package aftershiptest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
)

// Checkpoint is one line of a tracking's history.
type Checkpoint struct {
	At      time.Time
	Message string
	City    string
	Tag     string
	Subtag  string
}

// Server is a fake AfterShip.
type Server struct {
	*httptest.Server
	APIKey string

	mu        sync.Mutex
	trackings map[string]*tracking // by id
	calls     map[string]int
	failNext  int
}

type tracking struct {
	id, number, slug, tag, subtag string
	checkpoints                   []Checkpoint
}

// Start runs a fake AfterShip accepting apiKey until the test ends.
func Start(t testing.TB, apiKey string) *Server {
	s := &Server{APIKey: apiKey, trackings: map[string]*tracking{}, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tracking/{version}/trackings", s.create)
	mux.HandleFunc("GET /tracking/{version}/trackings", s.list)
	mux.HandleFunc("GET /tracking/{version}/trackings/{id}", s.get)
	s.Server = httptest.NewServer(s.auth(mux))
	t.Cleanup(s.Close)
	return s
}

// FailNext makes the next n calls answer HTTP 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Calls counts the calls of a method ("POST", "GET").
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Set gives a number's tracking its status and history (creating it when the shop has
// not yet); the next reads and webhooks carry them.
func (s *Server) Set(number, tag, subtag string, cps ...Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byNumber(number)
	if t == nil {
		t = &tracking{id: newID(), number: number}
		s.trackings[t.id] = t
	}
	t.tag, t.subtag, t.checkpoints = tag, subtag, slices.Clone(cps)
}

// ID answers the id of a number's tracking, if it exists.
func (s *Server) ID(number string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.byNumber(number); t != nil {
		return t.id, true
	}
	return "", false
}

func (s *Server) byNumber(number string) *tracking {
	for _, t := range s.trackings {
		if t.number == number {
			return t
		}
	}
	return nil
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func write(w http.ResponseWriter, status, code int, typ, message string, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"meta": map[string]any{"code": code, "message": message, "type": typ}, "data": data})
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.Method]++
		fail := s.failNext > 0
		if fail {
			s.failNext--
		}
		s.mu.Unlock()
		switch {
		case fail:
			write(w, http.StatusServiceUnavailable, 503, "InternalError", "Service Unavailable", map[string]any{})
		case r.Header.Get("as-api-key") != s.APIKey:
			write(w, http.StatusUnauthorized, 401, "Unauthorized", "Invalid API key.", map[string]any{})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		TrackingNumber string `json:"tracking_number"`
		Slug           string `json:"slug"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		write(w, http.StatusBadRequest, 4001, "BadRequest", "Invalid JSON data.", map[string]any{})
		return
	}
	if req.TrackingNumber == "" {
		write(w, http.StatusBadRequest, 4007, "BadRequest", "`tracking_number` is required.", map[string]any{})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byNumber(req.TrackingNumber)
	if t != nil && t.slug != "" {
		write(w, http.StatusBadRequest, 4003, "BadRequest", "Tracking already exists.", map[string]any{})
		return
	}
	if t == nil {
		t = &tracking{id: newID(), number: req.TrackingNumber, tag: "Pending"}
		s.trackings[t.id] = t
	}
	t.slug = req.Slug
	if t.slug == "" {
		t.slug = "detected-courier"
	}
	write(w, http.StatusCreated, 201, "Created", "", render(t))
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.trackings[r.PathValue("id")]
	if !ok || t.slug == "" {
		write(w, http.StatusNotFound, 4004, "NotFound", "Tracking does not exist.", map[string]any{})
		return
	}
	write(w, http.StatusOK, 200, "OK", "", render(t))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []map[string]any{}
	for _, t := range s.trackings {
		if t.slug != "" && t.number == r.URL.Query().Get("tracking_numbers") {
			items = append(items, render(t))
		}
	}
	write(w, http.StatusOK, 200, "OK", "", map[string]any{
		"pagination": map[string]any{"total": len(items), "has_next_page": false}, "trackings": items})
}

// render is a tracking in AfterShip's shape, checkpoints oldest first.
func render(t *tracking) map[string]any {
	cps := make([]map[string]any, 0, len(t.checkpoints))
	for _, cp := range t.checkpoints {
		cps = append(cps, map[string]any{"checkpoint_time": cp.At.Format(time.RFC3339), "message": cp.Message,
			"city": cp.City, "location": nil, "tag": cp.Tag, "subtag": cp.Subtag, "slug": t.slug,
			"created_at": cp.At.UTC().Format(time.RFC3339)})
	}
	return map[string]any{"id": t.id, "tracking_number": t.number, "slug": t.slug, "tag": t.tag, "subtag": t.subtag,
		"active": true, "checkpoints": cps, "title": t.number}
}

// Webhook delivers a number's tracking to a webhook URL as a tracking_update signed
// with secret, and answers the status and body.
func (s *Server) Webhook(webhookURL, secret, number string) (int, []byte, error) {
	s.mu.Lock()
	t := s.byNumber(number)
	var msg map[string]any
	if t != nil {
		msg = render(t)
	}
	s.mu.Unlock()
	if t == nil {
		return 0, nil, fmt.Errorf("aftershiptest: no tracking %s", number)
	}
	body, err := json.Marshal(map[string]any{"event": "tracking_update", "event_id": newID(), "ts": time.Now().Unix(),
		"is_tracking_first_tag": false, "msg": msg})
	if err != nil {
		return 0, nil, err
	}
	return Post(webhookURL, body, aftership.Sign(secret, body))
}

// Post delivers a webhook body with a signature header.
func Post(webhookURL string, body []byte, signature string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(aftership.HeaderSignature, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}
