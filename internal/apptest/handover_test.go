package apptest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/internal/app"
)

// An agent ending a shift writes a handover note: they go offline, their open chats go
// to the online agents with each chat's stage skill or, with nobody there, wait in the
// stage queue for the next shift; each chat carries its point of attention; the next
// shift reads the notes.
func TestHandoverReroutesOpenChats(t *testing.T) {
	t.Parallel()
	inst := StartWith(t, Config(t), app.Options{Roles: app.Roles{Serve: true, Work: true}})
	shop := inst.NewShop(t, "handover", "http://127.0.0.1:9/unused")
	admin := inst.Admin(t)
	newAgent := func(name string, skills ...string) (*Client, string) {
		var u struct{ ID string }
		admin.Do("POST", "/api/v1/users", map[string]any{"shop_id": shop.ID, "username": name, "password": "password-1",
			"role": "agent", "display_name": name, "skills": skills}, http.StatusCreated, &u)
		return inst.Login(t, name, "password-1"), u.ID
	}
	presale, presaleID := newAgent("handover-presale", "pre_sale")
	aftersale, aftersaleID := newAgent("handover-aftersale", "after_sale")
	status := func(c *Client, s string) {
		c.Do("POST", "/api/v1/me/status", map[string]string{"status": s}, http.StatusOK, nil)
	}

	// The leaving agent holds two pre-sale chats and one after-sale chat.
	status(shop.Agent, "online")
	inst.Webhook(t, shop, MessageBody("h-1", "buyer-1", "Pre One", "有货吗"))
	inst.Webhook(t, shop, MessageBody("h-2", "buyer-2", "Pre Two", "能便宜点吗"))
	inst.Webhook(t, shop, OrderBody("H-T1", "buyer-3", "delivered", time.Now()))
	inst.Webhook(t, shop, MessageBody("h-3", "buyer-3", "After", "收到的是坏的"))
	one, two, after := conversationOf(t, shop, "Pre One"), conversationOf(t, shop, "Pre Two"), conversationOf(t, shop, "After")
	for _, c := range []convDetail{one, two, after} {
		var got struct {
			AssigneeID *string `json:"assignee_id"`
		}
		shop.Supervisor.Do("GET", "/api/v1/conversations/"+c.ID, nil, http.StatusOK, &got)
		if got.AssigneeID == nil || *got.AssigneeID != shop.AgentID {
			t.Fatalf("chat %s is with %v before the handover, want the leaving agent", c.ID, got.AssigneeID)
		}
	}
	// A resolved chat stays where it is.
	inst.Webhook(t, shop, MessageBody("h-4", "buyer-4", "Done", "好的谢谢"))
	done := conversationOf(t, shop, "Done")
	shop.Agent.Do("POST", "/api/v1/conversations/"+done.ID+"/resolve", nil, http.StatusOK, nil)
	status(presale, "online") // the next shift's pre-sale agent is already in

	var h struct {
		ID, Note string
		UserID   string `json:"user_id"`
		Items    []struct {
			ConversationID string  `json:"conversation_id"`
			Note           string  `json:"note"`
			ToUserID       *string `json:"to_user_id"`
		}
	}
	shop.Agent.Do("POST", "/api/v1/handovers", map[string]any{
		"note":  "今天活动价到 24 点；售后的坏件已登记",
		"items": []map[string]string{{"conversation_id": after.ID, "note": "已答应补发，等仓库确认"}},
	}, http.StatusCreated, &h)
	if h.UserID != shop.AgentID || len(h.Items) != 3 {
		t.Fatalf("handover %+v, want the agent's three open chats", h)
	}
	went := map[string]*string{}
	notes := map[string]string{}
	for _, it := range h.Items {
		went[it.ConversationID], notes[it.ConversationID] = it.ToUserID, it.Note
	}
	for _, c := range []convDetail{one, two} {
		if went[c.ID] == nil || *went[c.ID] != presaleID {
			t.Errorf("pre-sale chat %s went to %v, want the online pre-sale agent %s", c.ID, went[c.ID], presaleID)
		}
	}
	if went[after.ID] != nil || notes[after.ID] != "已答应补发，等仓库确认" {
		t.Errorf("after-sale chat: to %v note %q; want it waiting (nobody after-sale online) with its note", went[after.ID], notes[after.ID])
	}
	var me struct{ Status string }
	shop.Agent.Do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	if me.Status != "offline" {
		t.Fatalf("after the handover the agent is %s", me.Status)
	}
	var d struct {
		Status     string
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+done.ID, nil, http.StatusOK, &d)
	if d.Status != "resolved" || d.AssigneeID == nil || *d.AssigneeID != shop.AgentID {
		t.Fatalf("the resolved chat changed: %+v", d)
	}
	evs := eventsOfKind(eventsOf(t, shop.Supervisor, after.ID), "handover")
	if len(evs) != 1 || evs[0].Data["note"] != "已答应补发，等仓库确认" || evs[0].Data["from"] != shop.AgentID || evs[0].Data["to"] != nil {
		t.Fatalf("the after-sale chat's handover event: %+v", evs)
	}

	// The after-sale agent of the next shift comes online and picks the waiting chat up.
	status(aftersale, "online")
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+after.ID, nil, http.StatusOK, &d)
	if d.AssigneeID == nil || *d.AssigneeID != aftersaleID {
		t.Fatalf("the waiting after-sale chat went to %v, want %s", d.AssigneeID, aftersaleID)
	}
	// And reads the notes.
	var list struct {
		Items []struct {
			ID, Note string
			UserName string `json:"user_name"`
		}
	}
	aftersale.Do("GET", "/api/v1/handovers", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != h.ID || list.Items[0].Note != "今天活动价到 24 点；售后的坏件已登记" || list.Items[0].UserName != "Agent" {
		t.Fatalf("the next shift reads %+v", list.Items)
	}
}

// A handover's offline holds. The WebSocket is the agent's session, and a session that
// comes back brings back online an agent the presence sweep had set away; an agent who
// ended their shift stays offline whatever their sessions do, and gets no chat until
// they choose to be online again.
func TestHandoverOfflineHoldsWhenTheSessionReturns(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "handover-presence", "http://127.0.0.1:9/unused")
	shop.Supervisor.Do("PUT", "/api/v1/settings/inbox", map[string]any{"presence_grace_seconds": 60}, http.StatusOK, nil)
	sweeper := newSweeper(t, cfg.MySQLDSN, cfg.RedisAddr, cfg.RedisDB)
	ctx := context.Background()
	status := func() string {
		var me struct{ Status string }
		shop.Agent.Do("GET", "/api/v1/me", nil, http.StatusOK, &me)
		return me.Status
	}
	sockets := func() int64 {
		rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, DB: cfg.RedisDB})
		defer rdb.Close()
		n, err := rdb.ZCard(ctx, "chatbridge:presence:sockets:"+shop.AgentID).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// The agent works with the inbox open and has a chat; their session drops and the
	// sweep sets them away.
	live := dial(t, inst, shop.Agent, "")
	live.next("ready", "{}")
	setStatus(t, shop.Agent, "online")
	inst.Webhook(t, shop, MessageBody("ho-1", "ho-buyer-1", "Held", "在吗"))
	if got := assignee(t, shop, "Held"); got != shop.AgentID {
		t.Fatalf("the chat went to %q, want the online agent", got)
	}
	Eventually(t, 10*time.Second, "the session recorded", func() bool { return sockets() == 1 })
	if err := live.conn.CloseNow(); err != nil {
		t.Fatal(err)
	}
	dropped := time.Now()
	Eventually(t, 10*time.Second, "the session end recorded", func() bool { return sockets() == 0 })
	if n, err := sweeper.Sweep(ctx, dropped.Add(61*time.Second)); err != nil || n != 1 || status() != "away" {
		t.Fatalf("the sweep set %d away (%v); the agent is %s, want away", n, err, status())
	}

	// They end their shift: offline, and the chat waits for the next shift.
	shop.Agent.Do("POST", "/api/v1/handovers", map[string]any{"note": "交班"}, http.StatusCreated, nil)
	if got := status(); got != "offline" {
		t.Fatalf("after the handover the agent is %s", got)
	}
	if got := assignee(t, shop, "Held"); got != "" {
		t.Fatalf("after the handover the chat is with %q, want it waiting", got)
	}

	// Their session comes back (the inbox opened again) and goes: the socket's arrival,
	// which would bring back an agent the sweep set away, is done once its end is
	// recorded, and the agent is still offline.
	back := dial(t, inst, shop.Agent, "")
	back.next("ready", "{}")
	Eventually(t, 10*time.Second, "the returning session recorded", func() bool { return sockets() == 1 })
	if err := back.conn.CloseNow(); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 10*time.Second, "the returning session's end recorded", func() bool { return sockets() == 0 })
	if got := status(); got != "offline" {
		t.Fatalf("a returning session set the agent who handed over %s, want offline", got)
	}
	if n, err := sweeper.Sweep(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 || status() != "offline" {
		t.Fatalf("a later sweep set %d away (%v); the agent is %s, want offline", n, err, status())
	}
	inst.Webhook(t, shop, MessageBody("ho-2", "ho-buyer-2", "Later", "有人吗"))
	if got := assignee(t, shop, "Later"); got != "" {
		t.Fatalf("a new chat went to %q while the agent who handed over is offline", got)
	}

	// Choosing to be online starts their next shift: the waiting chats are theirs.
	setStatus(t, shop.Agent, "online")
	if a, b := assignee(t, shop, "Held"), assignee(t, shop, "Later"); a != shop.AgentID || b != shop.AgentID {
		t.Fatalf("online again, the waiting chats went to %q and %q, want the agent", a, b)
	}
}
