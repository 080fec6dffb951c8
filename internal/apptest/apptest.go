// Package apptest starts the real ChatBridge application inside a test, on port 0,
// against the test MySQL and Redis (or the embedded default), and gives the test a
// small HTTP client that speaks its API and the generic channel's signed webhooks.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"

	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

// Tests start several apps at once; gin's mode is process-wide, so it is set once.
func init() { gin.SetMode(gin.ReleaseMode) }

// AdminPassword is the bootstrap admin's password in tests.
const AdminPassword = "admin-password-1"

// Config returns a configuration on a fresh MySQL database and a Redis database of
// the test's own, with fast retries. Start several instances on one Config to run
// separate serve and worker processes on shared storage.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.MySQLDSN = testenv.MySQLDSN(t)
	r := testenv.Redis(t)
	cfg.RedisAddr, cfg.RedisDB = r.Addr, r.DB
	return fast(t, cfg)
}

// EmbeddedConfig returns the single-machine default configuration in a temp folder.
func EmbeddedConfig(t testing.TB) config.Config {
	t.Helper()
	return fast(t, config.Default())
}

func fast(t testing.TB, cfg config.Config) config.Config {
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.SecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, tests only
	cfg.AdminPassword = AdminPassword
	cfg.OutboundMaxRetry = 3
	cfg.OutboundRetryBase = 200 * time.Millisecond
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.LogLevel = "warn"
	// No timed presence sweep: a test that needs one calls presence.Tracker.Sweep with
	// the time it chooses (an agent set online through the API alone has no session).
	cfg.PresenceSweepEvery = 0
	return cfg
}

// Instance is one running ChatBridge process (in-process).
type Instance struct {
	URL  string
	stop context.CancelFunc
	done chan error
}

// Start runs the app with the given roles until the test ends.
func Start(t testing.TB, cfg config.Config, roles app.Roles) *Instance {
	t.Helper()
	return start(t, cfg, app.Options{Roles: roles})
}

// start runs the app with the given options (their log, output and ready hook are the
// test's) until the test ends.
func start(t testing.TB, cfg config.Config, opts app.Options) *Instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	inst := &Instance{stop: cancel, done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		opts.Log, opts.Out, opts.Ready = log, io.Discard, func(addr string) { ready <- addr }
		inst.done <- app.Run(ctx, cfg, opts)
	}()
	select {
	case addr := <-ready:
		inst.URL = "http://" + addr
	case err := <-inst.done:
		cancel()
		t.Fatalf("apptest: app did not start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("apptest: app did not start within 60 s")
	}
	t.Cleanup(func() { inst.Stop(t) })
	return inst
}

// Stop shuts the instance down gracefully and checks that it stopped cleanly.
func (inst *Instance) Stop(t testing.TB) {
	if inst.stop == nil {
		return
	}
	inst.stop()
	inst.stop = nil
	select {
	case err := <-inst.done:
		if err != nil {
			t.Errorf("apptest: app stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("apptest: app did not stop within 30 s")
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Client calls the API as one user.
type Client struct {
	t     testing.TB
	base  string
	Token string
}

// Anonymous is a client with no session.
func (inst *Instance) Anonymous(t testing.TB) *Client { return &Client{t: t, base: inst.URL} }

// Login logs in and fails the test if that does not work.
func (inst *Instance) Login(t testing.TB, username, password string) *Client {
	t.Helper()
	c := inst.Anonymous(t)
	var out struct {
		Token string `json:"token"`
	}
	c.Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, http.StatusOK, &out)
	c.Token = out.Token
	return c
}

// Admin logs in as the bootstrap admin.
func (inst *Instance) Admin(t testing.TB) *Client { return inst.Login(t, "admin", AdminPassword) }

// Do sends a JSON request, checks the status (0 skips the check) and decodes the
// answer into out (when not nil). It returns the status and the raw body.
func (c *Client) Do(method, path string, body any, wantStatus int, out any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if wantStatus != 0 && resp.StatusCode != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, raw
}

// Shop is a shop set up for a test: its id, a generic channel and its staff's clients.
type Shop struct {
	ID         string
	ChannelID  string
	Secret     string
	WebhookURL string
	Supervisor *Client
	Agent      *Client
	AgentID    string
}

// NewShop creates a shop with a supervisor, an agent with every skill, and a generic
// channel calling back to callbackURL.
func (inst *Instance) NewShop(t testing.TB, name, callbackURL string) *Shop {
	t.Helper()
	admin := inst.Admin(t)
	var shop struct{ ID string }
	admin.Do("POST", "/api/v1/shops", map[string]string{"name": name}, http.StatusCreated, &shop)
	sup, agent := name+"-sup", name+"-agent"
	admin.Do("POST", "/api/v1/users", map[string]any{"shop_id": shop.ID, "username": sup, "password": "password-1",
		"role": "supervisor", "display_name": "Supervisor"}, http.StatusCreated, nil)
	var agentUser struct{ ID string }
	admin.Do("POST", "/api/v1/users", map[string]any{"shop_id": shop.ID, "username": agent, "password": "password-1",
		"role": "agent", "display_name": "Agent", "agent_no": "007", "skills": []string{"pre_sale", "in_sale", "after_sale"}},
		http.StatusCreated, &agentUser)
	var ch struct {
		ID, Secret string
		WebhookURL string `json:"webhook_url"`
	}
	admin.Do("POST", "/api/v1/channels", map[string]any{"shop_id": shop.ID, "type": "generic", "name": "relay",
		"config": map[string]string{"callback_url": callbackURL}}, http.StatusCreated, &ch)
	return &Shop{ID: shop.ID, ChannelID: ch.ID, Secret: ch.Secret, WebhookURL: ch.WebhookURL,
		Supervisor: inst.Login(t, sup, "password-1"), Agent: inst.Login(t, agent, "password-1"), AgentID: agentUser.ID}
}

// Webhook posts a body to the shop's generic channel, signed with its secret at the
// current time, and returns the status and body.
func (inst *Instance) Webhook(t testing.TB, s *Shop, body []byte) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return inst.RawWebhook(t, s.ChannelID, body, ts, generic.Sign(s.Secret, ts, body))
}

// RawWebhook posts a body with the given timestamp and signature headers.
func (inst *Instance) RawWebhook(t testing.TB, channelID string, body []byte, ts, sig string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", inst.URL+"/webhooks/generic/"+channelID, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if ts != "" {
		req.Header.Set(generic.HeaderTimestamp, ts)
	}
	if sig != "" {
		req.Header.Set(generic.HeaderSignature, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webhook: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// MessageBody is a generic-channel message event.
func MessageBody(id, customerID, name, text string) []byte {
	b, _ := json.Marshal(map[string]any{"event": "message", "message": map[string]any{
		"id": id, "customer": map[string]string{"id": customerID, "name": name},
		"type": "text", "text": text, "sent_at": time.Now().UTC().Format(time.RFC3339)}})
	return b
}

// OrderBody is a generic-channel order event.
func OrderBody(id, customerID, status string, updatedAt time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"event": "order", "order": map[string]any{
		"id": id, "customer_id": customerID, "status": status, "total": "129.00", "currency": "CNY",
		"items":      []map[string]any{{"sku": "A-1", "title": "Mug", "quantity": 1}},
		"address":    map[string]string{"name": "Alice", "phone": "13800000000", "region": "Zhejiang Hangzhou", "detail": "Wensan Rd 99"},
		"tracking":   map[string]string{"carrier": "SF", "number": "SF123"},
		"updated_at": updatedAt.UTC().Format(time.RFC3339Nano)}})
	return b
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
