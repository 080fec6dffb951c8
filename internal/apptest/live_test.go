package apptest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/chatbridge/chatbridge/internal/app"
)

type liveEvent struct {
	Type   string          `json:"type"`
	Data   json.RawMessage `json:"data"`
	Cursor string          `json:"cursor"`
}

type socket struct {
	t    *testing.T
	conn *websocket.Conn
	ch   chan liveEvent
}

func dial(t *testing.T, inst *Instance, c *Client, query string) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := strings.Replace(inst.URL, "http", "ws", 1) + "/api/v1/ws?token=" + c.Token + query
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	s := &socket{t: t, conn: conn, ch: make(chan liveEvent, 256)}
	go func() {
		defer close(s.ch)
		for {
			var ev liveEvent
			if err := wsjson.Read(context.Background(), conn, &ev); err != nil {
				return
			}
			s.ch <- ev
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return s
}

// next waits for the first event of the type whose data contains want.
func (s *socket) next(typ, want string) liveEvent {
	s.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-s.ch:
			if !ok {
				s.t.Fatalf("socket closed while waiting for %s with %q", typ, want)
			}
			if ev.Type == typ && strings.Contains(string(ev.Data), want) {
				return ev
			}
		case <-timeout:
			s.t.Fatalf("no %s event with %q within 10 s", typ, want)
		}
	}
}

// none checks that no event containing text arrives within a short while.
func (s *socket) none(text string) {
	s.t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case ev := <-s.ch:
			if strings.Contains(string(ev.Data), text) {
				s.t.Fatalf("unexpected event %s %s", ev.Type, ev.Data)
			}
		case <-timeout:
			return
		}
	}
}

// Two serve processes and a worker on one MySQL and Redis: a change made through either
// API instance, or by the worker, reaches the agents connected to both.
func TestEventsReachAgentsOnEveryInstance(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	a := Start(t, cfg, app.Roles{Serve: true})
	b := Start(t, cfg, app.Roles{Serve: true})
	Start(t, cfg, app.Roles{Work: true})
	callback := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer callback.Close()
	shop := a.NewShop(t, "live", callback.URL)
	other := a.NewShop(t, "live-other", callback.URL)

	agentOnA := dial(t, a, shop.Agent, "")
	supOnB := dial(t, b, shop.Supervisor, "")
	otherOnA := dial(t, a, other.Supervisor, "")

	if status, body := b.Webhook(t, shop, MessageBody("live-1", "b-1", "小林", "有货吗")); status != http.StatusOK {
		t.Fatalf("webhook: %d %s", status, body)
	}
	for _, s := range []*socket{agentOnA, supOnB} {
		ev := s.next("message.created", "有货吗")
		var msg struct{ ID, ConversationID string }
		_ = json.Unmarshal(ev.Data, &msg)
		if msg.ID == "" || ev.Cursor == "" || !strings.Contains(string(ev.Data), `"conversation_id":"`) {
			t.Fatalf("event %s %s: want string ids and a cursor", ev.Type, ev.Data)
		}
		s.next("conversation.updated", "小林")
	}

	var list struct{ Items []struct{ ID string } }
	shop.Agent.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
	a.Login(t, "live-agent", "password-1").Do("POST", "/api/v1/conversations/"+list.Items[0].ID+"/messages",
		map[string]string{"text": "有的"}, http.StatusAccepted, nil)
	for _, s := range []*socket{agentOnA, supOnB} {
		s.next("message.updated", `"status":"sent"`)
	}
	otherOnA.none("有货吗")
}

// A client that was away passes its last cursor and gets what it missed from the store.
func TestReconnectCatchesUpFromTheStore(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "catchup", "http://127.0.0.1:9/unused")
	s := dial(t, inst, shop.Supervisor, "")
	inst.Webhook(t, shop, MessageBody("c-0", "b-1", "小林", "第一条"))
	cursor := s.next("message.created", "第一条").Cursor
	s.conn.Close(websocket.StatusNormalClosure, "going away")

	for _, text := range []string{"离线一", "离线二", "离线三"} {
		inst.Webhook(t, shop, MessageBody("c-"+text, "b-1", "小林", text))
	}
	again := dial(t, inst, shop.Supervisor, "&since="+cursor)
	for _, text := range []string{"离线一", "离线二", "离线三"} {
		again.next("message.created", text)
	}
	_, body := inst.Anonymous(t).Do("GET", "/api/v1/ws", nil, http.StatusUnauthorized, nil)
	if !strings.Contains(string(body), `"code":"unauthorized"`) {
		t.Fatalf("socket without a token answered %s", body)
	}
	shop.Supervisor.Do("GET", "/api/v1/ws?since=yesterday", nil, http.StatusBadRequest, nil)
}
