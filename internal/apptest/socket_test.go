package apptest

// WebSocket helpers shared by the tests of this package.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
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
