package api_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // the contract tests read the rows the app wrote

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/config"
)

const staffPassword = "staff-password-1"

// headers are extra request headers.
type headers map[string]string

// call sends one request: body is sent as is when it is []byte or string, as JSON
// otherwise. It answers the response (body already read and closed) and the body.
func call(t testing.TB, method, rawURL, token string, body any, h headers, cookies ...*http.Cookie) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return resp, raw
}

func decode(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// apiError is the body of every error answer.
type apiError struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Phrases []string `json:"phrases"`
}

// wantError checks an error answer: the status, the one shape
// {"error":{"code","message"}} with both set, and that the message names each of
// mentions.
func wantError(t testing.TB, status int, raw []byte, wantStatus int, mentions ...string) apiError {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, raw)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatalf("error body is not a JSON object: %q", raw)
	}
	if len(top) != 1 || top["error"] == nil {
		t.Fatalf("error body %s: want exactly the key \"error\"", raw)
	}
	var fields map[string]any
	if err := json.Unmarshal(top["error"], &fields); err != nil {
		t.Fatalf("error body %s: \"error\" is not an object", raw)
	}
	for _, k := range []string{"code", "message"} {
		if s, ok := fields[k].(string); !ok || s == "" {
			t.Fatalf("error body %s: %q is not a non-empty string", raw, k)
		}
	}
	var e apiError
	decode(t, top["error"], &e)
	for _, m := range mentions {
		if !strings.Contains(e.Message, m) {
			t.Fatalf("error message %q does not name %q", e.Message, m)
		}
	}
	return e
}

// user is a member of staff with a session.
type user struct {
	ID, Username, Token string
}

// api is one user's view of an instance.
type api struct {
	t    testing.TB
	base string
	tok  string
}

func (inst *env) as(u user) *api      { return &api{t: inst.t, base: inst.URL, tok: u.Token} }
func (inst *env) anon() *api          { return &api{t: inst.t, base: inst.URL} }
func (a *api) with(t testing.TB) *api { return &api{t: t, base: a.base, tok: a.tok} }

// do sends a request and checks the status (0: any); out, when set, receives the JSON.
func (a *api) do(method, path string, body any, want int, out any) (int, []byte) {
	a.t.Helper()
	resp, raw := call(a.t, method, a.base+path, a.tok, body, nil)
	if want != 0 && resp.StatusCode != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		decode(a.t, raw, out)
	}
	return resp.StatusCode, raw
}

// fail sends a request that must answer an error of that status naming mentions.
func (a *api) fail(method, path string, body any, want int, mentions ...string) apiError {
	a.t.Helper()
	resp, raw := call(a.t, method, a.base+path, a.tok, body, nil)
	return wantError(a.t, resp.StatusCode, raw, want, mentions...)
}

// env is a running instance with its configuration and an admin session.
type env struct {
	*apptest.Instance
	t     testing.TB
	cfg   config.Config
	admin *api
}

// start runs the whole app (API and workers) on a fresh MySQL database and Redis DB.
func start(t *testing.T) *env {
	t.Helper()
	cfg := apptest.Config(t)
	e := &env{Instance: apptest.Start(t, cfg, app.Roles{Serve: true, Work: true}), t: t, cfg: cfg}
	e.admin = e.as(e.login("admin", apptest.AdminPassword))
	return e
}

func (e *env) with(t testing.TB) *env {
	cp := *e
	cp.t = t
	cp.admin = e.admin.with(t)
	return &cp
}

// login logs a user in and answers their session.
func (e *env) login(username, password string) user {
	e.t.Helper()
	var out struct {
		Token string
		User  struct{ ID string }
	}
	e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, http.StatusOK, &out)
	return user{ID: out.User.ID, Username: username, Token: out.Token}
}

func (e *env) createShop(name string) string {
	e.t.Helper()
	var shop struct{ ID, Name string }
	e.admin.do("POST", "/api/v1/shops", map[string]string{"name": name}, http.StatusCreated, &shop)
	return shop.ID
}

// createUser creates a user of a shop through the admin and logs them in.
func (e *env) createUser(shopID, username, role string, skills ...string) user {
	e.t.Helper()
	u := e.addUser(shopID, username, role, skills...)
	if in := e.login(username, staffPassword); in.ID != u.ID {
		e.t.Fatalf("%s logged in as user %s, created as %s", username, in.ID, u.ID)
	} else {
		u.Token = in.Token
	}
	return u
}

// addUser creates a user of a shop through the admin, without a session.
func (e *env) addUser(shopID, username, role string, skills ...string) user {
	e.t.Helper()
	var out struct{ ID string }
	e.admin.do("POST", "/api/v1/users", map[string]any{"shop_id": shopID, "username": username, "password": staffPassword,
		"role": role, "display_name": username, "agent_no": "A1", "skills": skills}, http.StatusCreated, &out)
	return user{ID: out.ID, Username: username}
}

var allSkills = []string{"pre_sale", "in_sale", "after_sale"}

// channel is a generic channel as its creation answered it.
type channel struct {
	ID, Type, Name, Secret string
	WebhookURL             string `json:"webhook_url"`
}

func (e *env) createChannel(shopID, callbackURL string) channel {
	e.t.Helper()
	var ch channel
	e.admin.do("POST", "/api/v1/channels", map[string]any{"shop_id": shopID, "type": "generic", "name": "relay",
		"config": map[string]string{"callback_url": callbackURL}}, http.StatusCreated, &ch)
	return ch
}

// post delivers a signed body to a generic channel and answers status and body.
func (e *env) post(ch channel, body []byte) (int, []byte) {
	e.t.Helper()
	return e.Webhook(e.t, &apptest.Shop{ChannelID: ch.ID, Secret: ch.Secret}, body)
}

// deliver posts a body that must be accepted.
func (e *env) deliver(ch channel, body []byte) {
	e.t.Helper()
	status, raw := e.post(ch, body)
	if status != http.StatusOK || string(raw) != `{"status":"accepted"}` {
		e.t.Fatalf("webhook answered %d %s, want 200 accepted", status, raw)
	}
}

var msgSeq struct {
	sync.Mutex
	n int
}

// say delivers a buyer's text message with a fresh message id.
func (e *env) say(ch channel, buyer, name, text string) {
	e.t.Helper()
	msgSeq.Lock()
	msgSeq.n++
	id := "m-" + strconv.Itoa(msgSeq.n)
	msgSeq.Unlock()
	e.deliver(ch, apptest.MessageBody(id, buyer, name, text))
}

// order delivers an order event.
func (e *env) order(ch channel, id, buyer, status string, updated time.Time) {
	e.t.Helper()
	e.deliver(ch, apptest.OrderBody(id, buyer, status, updated))
}

// conv is a conversation as the API shows it.
type conv struct {
	ID                 string
	ShopID             string `json:"shop_id"`
	ChannelID          string `json:"channel_id"`
	Customer           struct{ ID, Name string }
	Stage              string
	Status             string
	AssigneeID         *string `json:"assignee_id"`
	LastMessageAt      string  `json:"last_message_at"`
	LastMessagePreview string  `json:"last_message_preview"`
	UnreadCount        int     `json:"unread_count"`
	Orders             []order
}

type order struct {
	ID         string
	ExternalID string `json:"external_id"`
	Status     string
	Total      string
	Address    struct{ Name, Phone, Region, Detail string }
	Tracking   struct{ Carrier, Number string }
	Note       string
	Flag       string
}

type page struct {
	Items      []conv
	NextCursor *string `json:"next_cursor"`
}

// list answers one page of the inbox as that user sees it.
func (a *api) list(query string) page {
	a.t.Helper()
	var p page
	a.do("GET", "/api/v1/conversations?"+query, nil, http.StatusOK, &p)
	return p
}

// find answers the conversation of a buyer (by platform id) in the user's inbox.
func (a *api) find(buyer string) conv {
	a.t.Helper()
	p := a.list("limit=200&q=" + url.QueryEscape(buyer))
	var found []conv
	for _, c := range p.Items {
		if c.Customer.ID == buyer {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		a.t.Fatalf("buyer %s has %d conversations in the inbox, want 1", buyer, len(found))
	}
	return a.get(found[0].ID)
}

func (a *api) get(id string) conv {
	a.t.Helper()
	var c conv
	a.do("GET", "/api/v1/conversations/"+id, nil, http.StatusOK, &c)
	return c
}

type message struct {
	ID, Direction, Type, Text, Status, Sender string
	CreatedAt                                 string `json:"created_at"`
}

func (a *api) messages(convID, query string) []message {
	a.t.Helper()
	var out struct{ Items []message }
	a.do("GET", "/api/v1/conversations/"+convID+"/messages?"+query, nil, http.StatusOK, &out)
	return out.Items
}

func ids(cs []conv) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func containsID(cs []conv, id string) bool { return slices.Contains(ids(cs), id) }

// callback is a platform double for the generic channel's outbound side: it verifies
// every delivery's signature with the channel secret and answers the given status.
type callback struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	status   int
	got      []outbound
	attempts map[string]int
	bad      []string
}

type outbound struct {
	Event   string
	Message struct {
		ID             string
		ConversationID string `json:"conversation_id"`
		Customer       struct{ ID string }
		Type, Text     string
		SentAt         string `json:"sent_at"`
	}
}

func newCallback(t testing.TB, status int) *callback {
	cb := &callback{status: status, attempts: map[string]int{}}
	cb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cb.mu.Lock()
		defer cb.mu.Unlock()
		err := generic.Verify(cb.secret, r.Header.Get(generic.HeaderTimestamp), r.Header.Get(generic.HeaderSignature), body, time.Now())
		if err != nil {
			cb.bad = append(cb.bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev outbound
		if err := json.Unmarshal(body, &ev); err != nil {
			cb.bad = append(cb.bad, "undecodable: "+string(body))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		cb.attempts[ev.Message.ID]++
		cb.got = append(cb.got, ev)
		w.WriteHeader(cb.status)
	}))
	t.Cleanup(cb.Close)
	return cb
}

func (cb *callback) setSecret(s string) {
	cb.mu.Lock()
	cb.secret = s
	cb.mu.Unlock()
}

// received answers every delivery whose signature checked out, the attempts per
// message id, and what was refused (bad signatures).
func (cb *callback) received() ([]outbound, map[string]int, []string) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	att := make(map[string]int, len(cb.attempts))
	for k, v := range cb.attempts {
		att[k] = v
	}
	return slices.Clone(cb.got), att, slices.Clone(cb.bad)
}

// openDB opens the instance's database for assertions on the stored rows.
func openDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
