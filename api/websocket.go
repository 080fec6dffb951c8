package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"

	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/presence"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/view"
)

// wsEvent is what a client receives.
type wsEvent struct {
	Type   string          `json:"type"`
	Data   json.RawMessage `json:"data"`
	Cursor string          `json:"cursor"`
}

// catchUpLimit bounds what a reconnecting client is replayed per kind.
const catchUpLimit = 2000

// replayMargin widens a replay backwards: a change stamped just before the cursor may
// have committed (and been published) just after it. Clients apply events by id, so
// the few replayed twice do no harm; the ones this catches would otherwise be lost.
const replayMargin = 5 * time.Second

// websocket streams the shop's events. With ?since=<cursor> it first replays from the
// store what changed after that cursor, so a reconnecting client misses nothing that
// Redis pub/sub dropped while it was away. Admins name the shop with ?shop_id=.
func (s *Server) websocket(c *gin.Context) {
	shopID, ok := s.shopParam(c, c.Query("shop_id"))
	if !ok {
		return
	}
	var since time.Time
	if v := c.Query("since"); v != "" {
		t, err := realtime.ParseCursor(v)
		if err != nil {
			invalid(c, "since", "must be a cursor from an earlier event")
			return
		}
		since = t
	}
	// Subscribe before the handshake completes (and so before replaying): the client
	// counts itself live once the socket opens, so an event published from then on
	// must reach it, and nothing may fall between the replay and live events.
	u := currentUser(c)
	sub := s.Hub.Subscribe(shopID, realtime.Viewer{UserID: u.ID, Role: string(u.Role)})
	defer s.Hub.Unsubscribe(sub)
	conn, err := websocket.Accept(c.Writer, c.Request, nil)
	if err != nil {
		return // Accept has answered the client
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(context.WithoutCancel(c.Request.Context()))
	if !since.IsZero() {
		if err := s.replay(ctx, conn, shopID, since); err != nil {
			requestLog(c).Warn("websocket replay", "err", err)
			conn.Close(websocket.StatusInternalError, "replay failed")
			return
		}
	}
	// A first cursor right away: a client that drops before any event arrives still
	// reconnects with a since that covers everything from now on.
	if err := write(ctx, conn, wsEvent{Type: "ready", Data: json.RawMessage("{}"), Cursor: realtime.FormatCursor(time.Now())}); err != nil {
		return
	}
	// The socket is the user's session: presence counts it live while it beats.
	// Coming back online (and taking the chats that waited) must finish even if the
	// socket drops at once, so it does not hang on the socket's context.
	socketID := newSocketID()
	connCtx, cancelConn := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	err = s.Presence.Connected(connCtx, u, socketID, time.Now().UTC())
	cancelConn()
	if err != nil {
		requestLog(c).Warn("record session", "err", err)
	}
	defer func() {
		if err := s.Presence.Disconnected(context.WithoutCancel(ctx), u.ID, socketID, time.Now().UTC()); err != nil {
			requestLog(c).Warn("record session end", "err", err)
		}
	}()
	beat := time.NewTicker(presence.HeartbeatEvery)
	defer beat.Stop()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			if err := s.Presence.Heartbeat(ctx, u.ID, socketID, time.Now().UTC()); err != nil {
				requestLog(c).Warn("session heartbeat", "err", err)
			}
		case <-sub.Dropped():
			conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect with since")
			return
		case ev := <-sub.Events():
			if err := write(ctx, conn, wsEvent{Type: ev.Type, Data: ev.Data, Cursor: ev.Cursor}); err != nil {
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

func newSocketID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func write(ctx context.Context, conn *websocket.Conn, ev wsEvent) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(wctx, conn, ev)
}

func (s *Server) replay(ctx context.Context, conn *websocket.Conn, shopID uint64, since time.Time) error {
	since = since.Add(-replayMargin)
	f := store.ConversationFilter{ShopID: shopID, UpdatedAt: since, Limit: 200}
	rows, _, err := s.DB.ListConversations(ctx, f)
	if err != nil {
		return err
	}
	for i := range rows {
		if err := writeView(ctx, conn, realtime.ConversationUpdated, rows[i].UpdatedAt, view.NewConversation(&rows[i])); err != nil {
			return err
		}
	}
	msgs, err := s.DB.MessagesUpdatedSince(ctx, shopID, since, catchUpLimit)
	if err != nil {
		return err
	}
	for i := range msgs {
		typ := realtime.MessageUpdated
		if msgs[i].CreatedAt.After(since) {
			typ = realtime.MessageCreated
		}
		if err := writeView(ctx, conn, typ, msgs[i].UpdatedAt, view.NewMessage(&msgs[i])); err != nil {
			return err
		}
	}
	return nil
}

func writeView(ctx context.Context, conn *websocket.Conn, typ string, at time.Time, data any) error {
	ev, err := realtime.NewEvent(0, typ, at, data)
	if err != nil {
		return err
	}
	return write(ctx, conn, wsEvent{Type: ev.Type, Data: ev.Data, Cursor: ev.Cursor})
}
