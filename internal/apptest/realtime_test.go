package apptest

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/realtime"
)

// rtReplayMargin is how far behind ?since= a reconnect replays (api/websocket.go): changes
// stamped just before the cursor may have been published after it, so they are sent again.
const rtReplayMargin = 5 * time.Second

// rtEvent is one event as a client reads it, with the raw frame for shape checks.
type rtEvent struct {
	Type   string          `json:"type"`
	Data   json.RawMessage `json:"data"`
	Cursor string          `json:"cursor"`
	raw    json.RawMessage
}

// rtMessage and rtConversation are the fields of event data the tests look at.
type rtMessage struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	Direction      string `json:"direction"`
	Text           string `json:"text"`
	Status         string `json:"status"`
	UpdatedAt      string `json:"updated_at"`
}

type rtConversation struct {
	ID        string `json:"id"`
	ShopID    string `json:"shop_id"`
	ChannelID string `json:"channel_id"`
	Customer  struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"customer"`
	LastMessagePreview string `json:"last_message_preview"`
}

// rtSocket is a connected client that keeps every event it reads, in order.
type rtSocket struct {
	t      *testing.T
	name   string
	conn   *websocket.Conn
	mu     sync.Mutex
	seen   []rtEvent
	arrive chan struct{} // signalled on each event and when the reader stops
	closed bool
}

func rtWSURL(inst *Instance, query string) string {
	return "ws" + strings.TrimPrefix(inst.URL, "http") + "/api/v1/ws" + query
}

// rtDial connects a socket with the client's token plus the extra query and starts
// reading its events.
func rtDial(t *testing.T, name string, inst *Instance, c *Client, extra string) *rtSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, rtWSURL(inst, "?token="+c.Token+extra), nil)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	conn.SetReadLimit(1 << 20)
	s := &rtSocket{t: t, name: name, conn: conn, arrive: make(chan struct{}, 1)}
	go s.read()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return s
}

func (s *rtSocket) read() {
	defer func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.signal()
	}()
	for {
		var raw json.RawMessage
		if err := wsjson.Read(context.Background(), s.conn, &raw); err != nil {
			return
		}
		var ev rtEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			s.t.Errorf("%s: undecodable event %s: %v", s.name, raw, err)
			return
		}
		ev.raw = raw
		s.mu.Lock()
		s.seen = append(s.seen, ev)
		s.mu.Unlock()
		s.signal()
	}
}

func (s *rtSocket) signal() {
	select {
	case s.arrive <- struct{}{}:
	default:
	}
}

// events is a copy of what the socket has read so far.
func (s *rtSocket) events() []rtEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// waitFor returns the index and event of the first event (from index from on) that
// matches, waiting up to 10 s.
func (s *rtSocket) waitFor(from int, what string, match func(rtEvent) bool) (int, rtEvent) {
	s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		for i := from; i < len(s.seen); i++ {
			if match(s.seen[i]) {
				ev := s.seen[i]
				s.mu.Unlock()
				return i, ev
			}
		}
		from = max(from, len(s.seen))
		closed := s.closed
		s.mu.Unlock()
		if closed {
			s.t.Fatalf("%s: socket closed while waiting for %s; read %s", s.name, what, rtDump(s.events()))
		}
		select {
		case <-s.arrive:
		case <-deadline:
			s.t.Fatalf("%s: no %s within 10 s; read %s", s.name, what, rtDump(s.events()))
		}
	}
}

func rtDump(evs []rtEvent) string {
	var b strings.Builder
	for _, ev := range evs {
		b.WriteString("\n  ")
		b.Write(ev.raw)
	}
	return b.String()
}

// rtMessageEvent matches an event of the type whose message data satisfies match.
func rtMessageEvent(typ string, match func(rtMessage) bool) func(rtEvent) bool {
	return func(ev rtEvent) bool {
		if ev.Type != typ {
			return false
		}
		var m rtMessage
		return json.Unmarshal(ev.Data, &m) == nil && match(m)
	}
}

func rtText(text string) func(rtMessage) bool {
	return func(m rtMessage) bool { return m.Text == text }
}

// rtCheckShape checks the frame is exactly {"type","data","cursor"} with a readable
// cursor, and that every id in data is a JSON string holding a number.
func rtCheckShape(t *testing.T, ev rtEvent, idFields ...string) {
	t.Helper()
	var frame map[string]json.RawMessage
	if err := json.Unmarshal(ev.raw, &frame); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(frame))
	for k := range frame {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"cursor", "data", "type"}) {
		t.Errorf("event frame has fields %v, want cursor, data, type: %s", keys, ev.raw)
	}
	if _, err := realtime.ParseCursor(ev.Cursor); err != nil {
		t.Errorf("event cursor %q: %v", ev.Cursor, err)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatalf("event data is not an object: %s", ev.raw)
	}
	for _, f := range idFields {
		var s string
		if err := json.Unmarshal(data[f], &s); err != nil {
			t.Errorf("%s event: %s is %s, want a string id", ev.Type, f, data[f])
			continue
		}
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			t.Errorf("%s event: %s = %q is not a numeric id", ev.Type, f, s)
		}
	}
}

// rtCallback is a platform double that records the message ids it was sent.
type rtCallback struct {
	mu  sync.Mutex
	ids []string
}

func (c *rtCallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body struct {
		Message struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	_ = json.Unmarshal(raw, &body)
	c.mu.Lock()
	c.ids = append(c.ids, body.Message.ID)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *rtCallback) received(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.ids, id)
}

func rtWebhook(t *testing.T, inst *Instance, shop *Shop, id, buyer, name, text string) {
	t.Helper()
	if status, body := inst.Webhook(t, shop, MessageBody(id, buyer, name, text)); status != http.StatusOK {
		t.Fatalf("webhook %s: %d %s", id, status, body)
	}
}

// Two serve processes and one worker share MySQL and Redis. A webhook taken by one API
// instance, and a reply taken by the other and delivered by the worker, reach the
// agent and the supervisor whichever instance their socket is on; another shop's
// events reach neither.
func TestRealtimeEventsCrossServeInstancesAndWorker(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	a := Start(t, cfg, app.Roles{Serve: true})
	b := Start(t, cfg, app.Roles{Serve: true})
	Start(t, cfg, app.Roles{Work: true})
	platform := &rtCallback{}
	callback := httptest.NewServer(platform)
	defer callback.Close()
	shopA := a.NewShop(t, "rt-shop-a", callback.URL)
	shopB := a.NewShop(t, "rt-shop-b", callback.URL)

	agentOnA := rtDial(t, "shop A agent on instance A", a, shopA.Agent, "")
	supOnB := rtDial(t, "shop A supervisor on instance B", b, shopA.Supervisor, "")
	otherOnA := rtDial(t, "shop B supervisor on instance A", a, shopB.Supervisor, "")
	sockets := []*rtSocket{agentOnA, supOnB}

	rtWebhook(t, b, shopA, "rt-a-1", "buyer-a", "Alice", "Is the blue mug in stock?")
	var convID string
	for _, s := range sockets {
		_, ev := s.waitFor(0, "message.created of the buyer's message",
			rtMessageEvent(realtime.MessageCreated, rtText("Is the blue mug in stock?")))
		rtCheckShape(t, ev, "id", "conversation_id")
		var m rtMessage
		_ = json.Unmarshal(ev.Data, &m)
		if m.Direction != "in" {
			t.Errorf("%s: buyer message has direction %q", s.name, m.Direction)
		}
		_, ev = s.waitFor(0, "conversation.updated of the buyer's conversation", func(ev rtEvent) bool {
			var c rtConversation
			return ev.Type == realtime.ConversationUpdated && json.Unmarshal(ev.Data, &c) == nil && c.ID == m.ConversationID
		})
		rtCheckShape(t, ev, "id", "shop_id", "channel_id")
		var c rtConversation
		_ = json.Unmarshal(ev.Data, &c)
		if c.ShopID != shopA.ID || c.ChannelID != shopA.ChannelID || c.Customer.ID != "buyer-a" || c.Customer.Name != "Alice" {
			t.Errorf("%s: conversation.updated %s does not describe shop %s's buyer", s.name, ev.Data, shopA.ID)
		}
		convID = m.ConversationID
	}

	// Shop B's chat goes in before shop A's reply: events travel one pub/sub channel in
	// order, so by the time shop A's sockets see the reply they have seen all they ever
	// would of shop B's chat.
	rtWebhook(t, a, shopB, "rt-b-1", "buyer-b", "Bob", "Shop B private question")
	otherOnA.waitFor(0, "shop B's own message", rtMessageEvent(realtime.MessageCreated, rtText("Shop B private question")))

	var reply struct{ ID, Status string }
	shopA.Agent.Do("POST", "/api/v1/conversations/"+convID+"/messages",
		map[string]string{"type": "text", "text": "Yes, it ships today."}, http.StatusAccepted, &reply)
	if reply.Status != "pending" {
		t.Fatalf("reply answered status %q, want pending", reply.Status)
	}
	for _, s := range sockets {
		_, ev := s.waitFor(0, "message.updated with status sent for the reply",
			rtMessageEvent(realtime.MessageUpdated, func(m rtMessage) bool { return m.ID == reply.ID && m.Status == "sent" }))
		rtCheckShape(t, ev, "id", "conversation_id")
	}
	if !platform.received(reply.ID) {
		t.Errorf("the reply %s was marked sent but the platform never received it", reply.ID)
	}

	var shopBConv string
	for _, ev := range otherOnA.events() {
		var m rtMessage
		if ev.Type == realtime.MessageCreated && json.Unmarshal(ev.Data, &m) == nil && m.Text == "Shop B private question" {
			shopBConv = m.ConversationID
		}
		if strings.Contains(string(ev.Data), "blue mug") || strings.Contains(string(ev.Data), "ships today") {
			t.Errorf("shop B's socket got shop A's event %s", ev.raw)
		}
	}
	for _, s := range sockets {
		for _, ev := range s.events() {
			var c rtConversation
			_ = json.Unmarshal(ev.Data, &c)
			var m rtMessage
			_ = json.Unmarshal(ev.Data, &m)
			if c.ShopID == shopB.ID || m.ConversationID != "" && m.ConversationID == shopBConv ||
				strings.Contains(string(ev.Data), "Shop B") ||
				strings.Contains(string(ev.Data), "buyer-b") {
				t.Errorf("%s got shop B's event %s", s.name, ev.raw)
			}
		}
	}
}

// A client away for a while reconnects with the cursor of the last event it saw and
// gets what it missed, from the store, before anything live.
func TestRealtimeReconnectReplaysMissedMessages(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true})
	shop := inst.NewShop(t, "rt-catchup", "http://127.0.0.1:9/unused")

	first := rtDial(t, "first connection", inst, shop.Supervisor, "")
	rtWebhook(t, inst, shop, "rt-old", "buyer-1", "Carol", "an old message")
	first.waitFor(0, "the old message", rtMessageEvent(realtime.MessageCreated, rtText("an old message")))
	// The old message dates from an hour ago: well outside what a reconnect replays.
	db, err := sql.Open("mysql", cfg.MySQLDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE messages SET created_at = created_at - INTERVAL 1 HOUR,
		updated_at = updated_at - INTERVAL 1 HOUR WHERE external_id = 'rt-old'`); err != nil {
		t.Fatal(err)
	}

	rtWebhook(t, inst, shop, "rt-seen", "buyer-1", "Carol", "the last message seen")
	_, seen := first.waitFor(0, "the last message seen", rtMessageEvent(realtime.MessageCreated, rtText("the last message seen")))
	cursor, err := realtime.ParseCursor(seen.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.conn.Close(websocket.StatusNormalClosure, "going away"); err != nil {
		t.Fatal(err)
	}

	missed := []string{"missed one", "missed two", "missed three"}
	for i, text := range missed {
		rtWebhook(t, inst, shop, "rt-missed-"+strconv.Itoa(i), "buyer-1", "Carol", text)
	}
	again := rtDial(t, "reconnected", inst, shop.Supervisor, "&since="+seen.Cursor)
	// A live message right away: whether it reaches the socket live or through the
	// replay, it must come after the three missed ones.
	rtWebhook(t, inst, shop, "rt-live", "buyer-1", "Carol", "a live message")
	liveAt, _ := again.waitFor(0, "the live message", rtMessageEvent(realtime.MessageCreated, rtText("a live message")))

	evs := again.events()[:liveAt]
	last := -1
	for _, text := range missed {
		var found []int
		for i, ev := range evs {
			if rtMessageEvent(realtime.MessageCreated, rtText(text))(ev) {
				found = append(found, i)
			}
		}
		if len(found) != 1 {
			t.Fatalf("missed message %q replayed %d times before the live one; read %s", text, len(found), rtDump(evs))
		}
		if found[0] < last {
			t.Errorf("missed message %q replayed out of order; read %s", text, rtDump(evs))
		}
		last = found[0]
		rtCheckShape(t, evs[found[0]], "id", "conversation_id")
	}
	resent := 0 // within the replay margin: clients apply events by id, so harmless
	for _, ev := range again.events() {
		var m rtMessage
		if json.Unmarshal(ev.Data, &m) != nil || m.Text == "" {
			continue
		}
		if m.Text == "the last message seen" {
			resent++
		}
		if m.Text == "an old message" {
			t.Errorf("a message from before the cursor was replayed: %s", ev.raw)
		}
		at, err := time.Parse(time.RFC3339Nano, m.UpdatedAt)
		if err != nil {
			t.Fatalf("message updated_at %q: %v", m.UpdatedAt, err)
		}
		if at.Before(cursor.Add(-rtReplayMargin)) {
			t.Errorf("replayed a message changed %s before the cursor: %s", cursor.Sub(at), ev.raw)
		}
	}
	t.Logf("%d events before the live one; the message at the cursor was sent again %d times", liveAt, resent)
}

// The socket needs a session, and a supervisor cannot listen to another shop.
func TestRealtimeSocketRefusesStrangers(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true})
	shop := inst.NewShop(t, "rt-auth-a", "http://127.0.0.1:9/unused")
	other := inst.NewShop(t, "rt-auth-b", "http://127.0.0.1:9/unused")

	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "?token=not-a-session", http.StatusUnauthorized},
		{"supervisor naming another shop", "?token=" + shop.Supervisor.Token + "&shop_id=" + other.ID, http.StatusNotFound},
		{"agent naming another shop", "?token=" + shop.Agent.Token + "&shop_id=" + other.ID, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, rtWSURL(inst, tc.query), nil)
			if err == nil {
				_ = conn.CloseNow()
				t.Fatalf("the socket opened, want %d", tc.want)
			}
			if resp == nil || resp.StatusCode != tc.want {
				t.Fatalf("dial answered %v (%v), want %d", resp, err, tc.want)
			}
		})
	}

	// The same supervisor naming their own shop is let in.
	ok := rtDial(t, "own shop", inst, shop.Supervisor, "&shop_id="+shop.ID)
	rtWebhook(t, inst, shop, "rt-auth-1", "buyer-1", "Dan", "hello")
	ok.waitFor(0, "the shop's own message", rtMessageEvent(realtime.MessageCreated, rtText("hello")))
}
