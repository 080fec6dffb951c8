package apptest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/presence"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// staff adds a member of staff to a shop through the admin and logs them in.
func staff(t *testing.T, inst *Instance, shopID, username, role string, skills ...string) (*Client, string) {
	t.Helper()
	var u struct{ ID string }
	inst.Admin(t).Do("POST", "/api/v1/users", map[string]any{"shop_id": shopID, "username": username, "password": "password-1",
		"role": role, "display_name": username, "agent_no": "N" + username, "skills": skills}, http.StatusCreated, &u)
	return inst.Login(t, username, "password-1"), u.ID
}

func setStatus(t *testing.T, c *Client, status string) {
	t.Helper()
	c.Do("POST", "/api/v1/me/status", map[string]string{"status": status}, http.StatusOK, nil)
}

func assignee(t *testing.T, shop *Shop, name string) string {
	t.Helper()
	var c struct {
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, name).ID, nil, http.StatusOK, &c)
	if c.AssigneeID == nil {
		return ""
	}
	return *c.AssigneeID
}

// Two agents online with different skills: a pre-sale chat goes to the pre-sale agent,
// an after-sale chat to the after-sale agent, and a chat that arrives when nobody is
// online is assigned when one comes online.
func TestRoutingBySkillWithTwoAgents(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "skills", "http://127.0.0.1:9/unused")
	pre, preID := staff(t, inst, shop.ID, "skills-pre", "agent", "pre_sale")
	after, afterID := staff(t, inst, shop.ID, "skills-after", "agent", "after_sale")

	inst.Webhook(t, shop, MessageBody("k-1", "early", "Early", "有人在吗"))
	inst.Webhook(t, shop, OrderBody("K-O1", "early-after", "delivered", time.Now().Add(-time.Hour)))
	inst.Webhook(t, shop, MessageBody("k-2", "early-after", "EarlyAfter", "收到的杯子裂了"))
	if a, b := assignee(t, shop, "Early"), assignee(t, shop, "EarlyAfter"); a != "" || b != "" {
		t.Fatalf("with nobody online the chats went to %q and %q", a, b)
	}
	setStatus(t, pre, "online")
	if got := assignee(t, shop, "Early"); got != preID {
		t.Fatalf("the waiting pre-sale chat went to %q when the pre-sale agent %s came online", got, preID)
	}
	if got := assignee(t, shop, "EarlyAfter"); got != "" {
		t.Fatalf("the after-sale chat went to %q, a pre-sale agent", got)
	}
	setStatus(t, after, "online")
	if got := assignee(t, shop, "EarlyAfter"); got != afterID {
		t.Fatalf("the waiting after-sale chat went to %q when the after-sale agent %s came online", got, afterID)
	}

	inst.Webhook(t, shop, MessageBody("k-3", "pre-buyer", "PreBuyer", "这款有粉色吗"))
	inst.Webhook(t, shop, OrderBody("K-O2", "after-buyer", "refunding", time.Now().Add(-time.Hour)))
	inst.Webhook(t, shop, MessageBody("k-4", "after-buyer", "AfterBuyer", "退款怎么还没到"))
	if got := assignee(t, shop, "PreBuyer"); got != preID {
		t.Errorf("the pre-sale chat went to %q, want the pre-sale agent %s", got, preID)
	}
	if got := assignee(t, shop, "AfterBuyer"); got != afterID {
		t.Errorf("the after-sale chat went to %q, want the after-sale agent %s", got, afterID)
	}
	// A supervisor online is never chosen, whatever waits.
	setStatus(t, shop.Supervisor, "online")
	setStatus(t, pre, "offline")
	inst.Webhook(t, shop, MessageBody("k-5", "late", "Late", "hello"))
	if got := assignee(t, shop, "Late"); got != "" {
		t.Errorf("with only a supervisor and an after-sale agent online a pre-sale chat went to %q", got)
	}
}

// The limit per agent holds (the shop's default), a chat waits when everyone is full
// and is routed as soon as someone has room, and a buyer who writes again goes back to
// their previous agent when that agent has room.
func TestRoutingLimitAndPreviousAgent(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "limits", "http://127.0.0.1:9/unused")
	shop.Supervisor.Do("PUT", "/api/v1/settings/inbox", map[string]any{"default_max_open": 1, "greeting": map[string]any{"enabled": false}}, http.StatusOK, nil)
	x, xID := staff(t, inst, shop.ID, "limits-x", "agent", "pre_sale")
	y, yID := staff(t, inst, shop.ID, "limits-y", "agent", "pre_sale")
	setStatus(t, x, "online")
	setStatus(t, y, "online")

	inst.Webhook(t, shop, MessageBody("l-1", "b1", "B1", "1"))
	inst.Webhook(t, shop, MessageBody("l-2", "b2", "B2", "2"))
	inst.Webhook(t, shop, MessageBody("l-3", "b3", "B3", "3"))
	first, second := assignee(t, shop, "B1"), assignee(t, shop, "B2")
	if first == "" || second == "" || first == second {
		t.Fatalf("two chats went to %q and %q, want one each", first, second)
	}
	if got := assignee(t, shop, "B3"); got != "" {
		t.Fatalf("a third chat went to %q with both agents at their limit of 1", got)
	}
	owner := map[string]*Client{xID: x, yID: y}
	// B1's agent resolves it: they have room again and B3 comes to them.
	owner[first].Do("POST", "/api/v1/conversations/"+conversationOf(t, shop, "B1").ID+"/resolve", nil, http.StatusOK, nil)
	if got := assignee(t, shop, "B3"); got != first {
		t.Fatalf("after %s resolved a chat the waiting one went to %q", first, got)
	}
	// B1 writes again while their agent is full: the chat waits for room.
	inst.Webhook(t, shop, MessageBody("l-4", "b1", "B1", "还有一个问题"))
	if got := assignee(t, shop, "B1"); got != "" {
		t.Fatalf("B1 came back while both agents were full and went to %q", got)
	}
	// With room again (no limit now), B1 goes back to their previous agent, although
	// the other agent has fewer open chats.
	shop.Supervisor.Do("PUT", "/api/v1/settings/inbox", map[string]any{"default_max_open": 0, "greeting": map[string]any{"enabled": false}}, http.StatusOK, nil)
	owner[second].Do("POST", "/api/v1/conversations/"+conversationOf(t, shop, "B2").ID+"/resolve", nil, http.StatusOK, nil)
	if got := assignee(t, shop, "B1"); got != first {
		t.Fatalf("B1 went to %q when their previous agent %s had room", got, first)
	}
}

// An agent whose session (their WebSocket) drops is set away after the shop's grace
// period by the sweep, gets no new chats, and is online again when a session returns.
func TestPresenceGracePeriod(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "presence", "http://127.0.0.1:9/unused")
	shop.Supervisor.Do("PUT", "/api/v1/settings/inbox", map[string]any{"presence_grace_seconds": 60}, http.StatusOK, nil)
	sweeper := newSweeper(t, cfg.MySQLDSN, cfg.RedisAddr, cfg.RedisDB)
	ctx := context.Background()
	status := func() string {
		var list struct{ Items []struct{ ID, Status string } }
		shop.Supervisor.Do("GET", "/api/v1/users", nil, http.StatusOK, &list)
		for _, u := range list.Items {
			if u.ID == shop.AgentID {
				return u.Status
			}
		}
		t.Fatal("the agent is not listed")
		return ""
	}

	live := dial(t, inst, shop.Agent, "")
	live.next("ready", "{}")
	setStatus(t, shop.Agent, "online")
	if n, err := sweeper.Sweep(ctx, time.Now()); err != nil || n != 0 || status() != "online" {
		t.Fatalf("with a live session the sweep set %d away (%v); status %s", n, err, status())
	}
	if err := live.conn.CloseNow(); err != nil {
		t.Fatal(err)
	}
	dropped := time.Now()
	Eventually(t, 10*time.Second, "the session end recorded", func() bool {
		n, err := sweeper.Sweep(ctx, dropped.Add(59*time.Second))
		return err == nil && n == 0 && status() == "online" && sessionGone(t, cfg.RedisAddr, cfg.RedisDB, shop.AgentID)
	})
	if n, err := sweeper.Sweep(ctx, dropped.Add(61*time.Second)); err != nil || n != 1 {
		t.Fatalf("after the grace period the sweep set %d away (%v), want 1", n, err)
	}
	if got := status(); got != "away" {
		t.Fatalf("after the grace period the agent is %s, want away", got)
	}
	inst.Webhook(t, shop, MessageBody("p-1", "pb", "PB", "hello"))
	if got := assignee(t, shop, "PB"); got != "" {
		t.Fatalf("a chat went to %q, an agent set away", got)
	}
	// The session comes back: online again, and the waiting chat is theirs.
	dial(t, inst, shop.Agent, "").next("ready", "{}")
	// The status turns online first, then the waiting chats are routed to the agent.
	Eventually(t, 10*time.Second, "the agent online again with the waiting chat", func() bool {
		return status() == "online" && assignee(t, shop, "PB") == shop.AgentID
	})
}

// sessionGone reports whether the agent has no live socket recorded any more.
func sessionGone(t *testing.T, addr string, db int, userID string) bool {
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	defer rdb.Close()
	n, err := rdb.ZCard(context.Background(), "chatbridge:presence:sockets:"+userID).Result()
	return err == nil && n == 0
}

// newSweeper is a second process's presence tracker on the same MySQL and Redis: the
// test calls its sweep at the times it chooses.
func newSweeper(t *testing.T, dsn, addr string, redisDB int) *presence.Tracker {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{MySQLDSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: redisDB})
	t.Cleanup(func() { _ = rdb.Close() })
	log := slog.New(slog.DiscardHandler)
	ib := inbox.NewService(inbox.Deps{DB: db, Pub: realtime.NewPublisher(rdb, realtime.ChannelName(redisDB)), Outbox: noOutbox{}, Log: log})
	return presence.New(rdb, db, ib, settings.NewService(db, 0), log)
}

type noOutbox struct{}

func (noOutbox) EnqueueSend(context.Context, uint64) error { return nil }

// A session whose process died (no goodbye) stops counting once its heartbeats are stale.
func TestPresenceStaleSession(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "stale", "http://127.0.0.1:9/unused")
	sweeper := newSweeper(t, cfg.MySQLDSN, cfg.RedisAddr, cfg.RedisDB)
	ctx := context.Background()
	setStatus(t, shop.Agent, "online")
	var me struct{ ID string }
	shop.Agent.Do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	u, err := sweeperUser(cfg.MySQLDSN, me.ID)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := sweeper.Connected(ctx, u, "dead-process-socket", t0); err != nil {
		t.Fatal(err)
	}
	// Within the grace period after its last beat, nothing happens; the socket counts
	// as live for three heartbeats, then the grace period runs from its last beat.
	if n, _ := sweeper.Sweep(ctx, t0.Add(30*time.Second)); n != 0 {
		t.Fatalf("a session beating 30 s ago was swept (%d)", n)
	}
	if n, _ := sweeper.Sweep(ctx, t0.Add(100*time.Second)); n != 0 {
		t.Fatalf("a session gone 100 s ago, under the 120 s grace period, was swept (%d)", n)
	}
	if n, _ := sweeper.Sweep(ctx, t0.Add(121*time.Second)); n != 1 {
		t.Fatalf("a session gone 121 s ago was not swept (%d)", n)
	}
}

func sweeperUser(dsn, id string) (*models.User, error) {
	db, err := store.Open(context.Background(), store.Options{MySQLDSN: dsn})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var n uint64
	for _, c := range id {
		n = n*10 + uint64(c-'0')
	}
	return db.User(context.Background(), n)
}

// The shop's greeting is sent once per conversation, through the outbound path, from
// the first assigned agent, naming the shop and the agent's number; a later transfer
// or reopen sends none, and a shop that turned it off sends none.
func TestGreetingOnce(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	rec := &callbackRecorder{t: t}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	shop := inst.NewShop(t, "greet", srv.URL)
	rec.secret = shop.Secret
	other, otherID := staff(t, inst, shop.ID, "greet-other", "agent", "pre_sale", "in_sale", "after_sale")
	setStatus(t, shop.Agent, "online")
	greetings := func() []string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var out []string
		for _, ev := range rec.events {
			if m, ok := ev["message"].(map[string]any); ok {
				if text, _ := m["text"].(string); strings.Contains(text, "欢迎光临") {
					out = append(out, text)
				}
			}
		}
		return out
	}

	inst.Webhook(t, shop, MessageBody("g-1", "gb", "GB", "在吗"))
	c := conversationOf(t, shop, "GB")
	Eventually(t, 10*time.Second, "the greeting at the platform", func() bool { return len(greetings()) == 1 })
	if got := greetings()[0]; !strings.Contains(got, "greet") || !strings.Contains(got, "007号客服") {
		t.Fatalf("the greeting %q does not name the shop and the agent's number", got)
	}
	var msgs struct {
		Items []struct {
			Direction, Status, Sender, Text string
		}
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+c.ID+"/messages", nil, http.StatusOK, &msgs)
	if len(msgs.Items) != 2 || msgs.Items[1].Direction != "out" || !strings.Contains(msgs.Items[1].Sender, "007") {
		t.Fatalf("the thread %+v, want the buyer's message and the agent's greeting", msgs.Items)
	}
	shop.Agent.Do("POST", "/api/v1/conversations/"+c.ID+"/transfer", map[string]any{"to_user_id": otherID}, http.StatusOK, nil)
	other.Do("POST", "/api/v1/conversations/"+c.ID+"/resolve", nil, http.StatusOK, nil)
	inst.Webhook(t, shop, MessageBody("g-2", "gb", "GB", "我又来了"))
	shop.Supervisor.Do("POST", "/api/v1/conversations/"+c.ID+"/assign", map[string]any{"assignee_id": shop.AgentID}, http.StatusOK, nil)
	shop.Supervisor.Do("PUT", "/api/v1/settings/inbox", map[string]any{"greeting": map[string]any{"enabled": false}}, http.StatusOK, nil)
	inst.Webhook(t, shop, MessageBody("g-3", "gb2", "GB2", "hi"))
	if got := assignee(t, shop, "GB2"); got != shop.AgentID {
		t.Fatalf("the second buyer went to %q", got)
	}
	// Deliveries are asynchronous: wait for the pending queue to drain, then count.
	Eventually(t, 10*time.Second, "no pending replies", func() bool {
		for _, name := range []string{"GB", "GB2"} {
			shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, name).ID+"/messages", nil, http.StatusOK, &msgs)
			for _, m := range msgs.Items {
				if m.Status == "pending" {
					return false
				}
			}
		}
		return true
	})
	if got := greetings(); len(got) != 1 {
		t.Fatalf("the platform got %d greetings, want exactly 1: %q", len(got), got)
	}
}
