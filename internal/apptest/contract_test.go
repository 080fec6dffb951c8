package apptest

import (
	"bytes"
	"database/sql"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
)

func TestGenericWebhookContract(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "hook", "http://127.0.0.1:9/unused")
	now := strconv.FormatInt(time.Now().Unix(), 10)
	good := MessageBody("h-1", "b-1", "Alice", "Is this in stock?")

	t.Run("accepted then duplicate, stored once", func(t *testing.T) {
		for i, want := range []string{`{"status":"accepted"}`, `{"status":"duplicate"}`, `{"status":"duplicate"}`} {
			status, body := inst.Webhook(t, shop, good)
			if status != http.StatusOK || string(body) != want {
				t.Fatalf("delivery %d: %d %s, want 200 %s", i+1, status, body, want)
			}
		}
		if n := countMessages(t, cfg.MySQLDSN, "h-1"); n != 1 {
			t.Fatalf("stored %d times", n)
		}
	})
	t.Run("concurrent redeliveries store one", func(t *testing.T) {
		body := MessageBody("h-burst", "b-2", "Bob", "hello")
		var wg sync.WaitGroup
		statuses := make(chan int, 30)
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _ := inst.Webhook(t, shop, body)
				statuses <- status
			}()
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != http.StatusOK {
				t.Fatalf("a concurrent delivery answered %d", s)
			}
		}
		if n := countMessages(t, cfg.MySQLDSN, "h-burst"); n != 1 {
			t.Fatalf("stored %d times", n)
		}
	})
	rejects := []struct {
		name, channel, ts, sig string
		body                   []byte
		status                 int
		mentions               string
	}{
		{"missing signature", shop.ChannelID, now, "", good, 401, "X-ChatBridge-Signature"},
		{"wrong signature", shop.ChannelID, now, generic.Sign("not-the-secret", now, good), good, 401, "signature"},
		{"stale timestamp", shop.ChannelID, strconv.FormatInt(time.Now().Add(-301*time.Second).Unix(), 10), "", good, 401, "timestamp"},
		{"malformed JSON", shop.ChannelID, now, "", []byte(`{"event":`), 400, "malformed JSON"},
		{"missing field", shop.ChannelID, now, "", []byte(`{"event":"message","message":{"customer":{"id":"b"},"text":"x"}}`), 400, "message.id"},
		{"unknown channel", "999999", now, "", good, 404, "unknown channel"},
		{"over 1 MiB", shop.ChannelID, now, "", bytes.Repeat([]byte("x"), 1<<20+1), 413, "1 MiB"},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			sig := tc.sig
			if sig == "" && tc.name != "missing signature" {
				sig = generic.Sign(shop.Secret, tc.ts, tc.body)
			}
			status, body := inst.RawWebhook(t, tc.channel, tc.body, tc.ts, sig)
			if status != tc.status || !strings.Contains(string(body), tc.mentions) || !strings.Contains(string(body), `"error":{"code":`) {
				t.Fatalf("%d %s, want %d naming %q", status, body, tc.status, tc.mentions)
			}
		})
	}
	t.Run("older order event does not overwrite", func(t *testing.T) {
		t0 := time.Now().Add(-time.Hour)
		inst.Webhook(t, shop, OrderBody("T1", "b-3", "shipped", t0.Add(time.Minute)))
		inst.Webhook(t, shop, OrderBody("T1", "b-3", "paid", t0))
		inst.Webhook(t, shop, MessageBody("h-3", "b-3", "Carol", "where is my parcel"))
		conv := conversationOf(t, shop, "Carol")
		if conv.Stage != "in_sale" || conv.Orders[0].Status != "shipped" {
			t.Fatalf("after a late event: stage %s, order %s", conv.Stage, conv.Orders[0].Status)
		}
	})
	t.Run("stage, reopen and name rules", func(t *testing.T) {
		t0 := time.Now().Add(-time.Hour)
		inst.Webhook(t, shop, MessageBody("r-1", "b-4", "Dana", "hello"))
		conv := conversationOf(t, shop, "Dana")
		if conv.Stage != "pre_sale" {
			t.Fatalf("no order: stage %s", conv.Stage)
		}
		shop.Supervisor.Do("POST", "/api/v1/conversations/"+conv.ID+"/stage", map[string]string{"stage": "after_sale"}, 200, nil)
		inst.Webhook(t, shop, MessageBody("r-2", "b-4", "Dana", "still there?"))
		if c := conversationOf(t, shop, "Dana"); c.Stage != "after_sale" {
			t.Fatalf("a message moved a manual stage: %s", c.Stage)
		}
		inst.Webhook(t, shop, OrderBody("T4", "b-4", "paid", t0)) // recipient "Alice" must not rename Dana
		if c := conversationOf(t, shop, "Dana"); c.Stage != "in_sale" || c.Customer.Name != "Dana" {
			t.Fatalf("after an order change: stage %s, name %s", c.Stage, c.Customer.Name)
		}
		inst.Webhook(t, shop, OrderBody("T4", "b-4", "delivered", t0.Add(time.Minute)))
		if c := conversationOf(t, shop, "Dana"); c.Stage != "after_sale" {
			t.Fatalf("delivered: stage %s", c.Stage)
		}
		var resolved struct{ Status string }
		shop.Supervisor.Do("POST", "/api/v1/conversations/"+conv.ID+"/resolve", nil, 200, &resolved)
		if resolved.Status != "resolved" {
			t.Fatalf("resolve answered %s", resolved.Status)
		}
		inst.Webhook(t, shop, MessageBody("r-3", "b-4", "Dana W.", "one more thing"))
		c := conversationOf(t, shop, "Dana W.")
		if c.ID != conv.ID || c.Status != "open" {
			t.Fatalf("after a new message: conversation %s %s, want %s reopened", c.ID, c.Status, conv.ID)
		}
	})
}

type convDetail struct {
	ID, Stage, Status string
	Customer          struct{ ID, Name string }
	Orders            []struct{ ID, Status string }
}

func conversationOf(t *testing.T, shop *Shop, name string) convDetail {
	t.Helper()
	var list struct {
		Items []struct {
			ID       string
			Customer struct{ Name string }
		}
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations?limit=200", nil, http.StatusOK, &list)
	for _, it := range list.Items {
		if it.Customer.Name == name {
			var c convDetail
			shop.Supervisor.Do("GET", "/api/v1/conversations/"+it.ID, nil, http.StatusOK, &c)
			return c
		}
	}
	t.Fatalf("no conversation of %s", name)
	return convDetail{}
}

func countMessages(t *testing.T, dsn, externalID string) int {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM messages WHERE external_id = ?", externalID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAuthAndTenancy(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	a := inst.NewShop(t, "tenant-a", "http://127.0.0.1:9/unused")
	b := inst.NewShop(t, "tenant-b", "http://127.0.0.1:9/unused")
	inst.Webhook(t, b, MessageBody("t-1", "b-1", "Bea", "hi"))
	convB := conversationOf(t, b, "Bea")

	t.Run("login answers token, user and an HttpOnly cookie that authenticates", func(t *testing.T) {
		resp, err := http.Post(inst.URL+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"username":"tenant-a-agent","password":"password-1"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`"token":"`, `"username":"tenant-a-agent"`, `"role":"agent"`, `"shop_id":"`} {
			if !strings.Contains(string(body), want) {
				t.Fatalf("login answered %s, missing %s", body, want)
			}
		}
		cookie := resp.Cookies()[0]
		if !cookie.HttpOnly || cookie.Value == "" {
			t.Fatalf("cookie %+v", cookie)
		}
		req, _ := http.NewRequest("GET", inst.URL+"/api/v1/me", nil)
		req.AddCookie(cookie)
		me, err := http.DefaultClient.Do(req)
		if err != nil || me.StatusCode != http.StatusOK {
			t.Fatalf("cookie alone: %v %v", me.StatusCode, err)
		}
		me.Body.Close()
	})
	t.Run("wrong credentials 401, then rate limited", func(t *testing.T) {
		anon := inst.Anonymous(t)
		anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "x"}, 401, nil)
		for range 5 {
			anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "tenant-b-sup", "password": "wrong"}, 401, nil)
		}
		anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "tenant-b-sup", "password": "password-1"}, 429, nil)
	})
	t.Run("another shop's conversation answers 404", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", ""}, {"GET", "/messages"}, {"POST", "/messages"}, {"POST", "/assign"}, {"POST", "/stage"}, {"POST", "/resolve"},
		} {
			a.Supervisor.Do(c.method, "/api/v1/conversations/"+convB.ID+c.path, map[string]string{"text": "x", "stage": "in_sale"}, 404, nil)
		}
		var list struct{ Items []any }
		a.Supervisor.Do("GET", "/api/v1/conversations", nil, 200, &list)
		if len(list.Items) != 0 {
			t.Fatalf("shop A lists %d conversations of shop B", len(list.Items))
		}
	})
	t.Run("roles", func(t *testing.T) {
		a.Agent.Do("POST", "/api/v1/shops", map[string]string{"name": "x"}, 403, nil)
		a.Agent.Do("POST", "/api/v1/users", map[string]string{"username": "x"}, 403, nil)
		_, body := a.Supervisor.Do("POST", "/api/v1/users", map[string]any{"username": "a-new", "password": "password-2",
			"role": "agent", "skills": []string{"pre_sale"}}, 201, nil)
		if strings.Contains(strings.ToLower(string(body)), "password") {
			t.Fatalf("user answer shows a password: %s", body)
		}
		a.Supervisor.Do("POST", "/api/v1/users", map[string]any{"shop_id": b.ID, "username": "intruder", "password": "password-2", "role": "agent"}, 404, nil)
		a.Supervisor.Do("POST", "/api/v1/users", map[string]any{"username": "a-new", "password": "password-2", "role": "agent"}, 409, nil)
	})
	t.Run("a token survives a restart until logout", func(t *testing.T) {
		token := a.Agent.Token
		inst.Stop(t)
		again := Start(t, cfg, app.Roles{Serve: true, Work: true})
		c := again.Anonymous(t)
		c.Token = token
		c.Do("GET", "/api/v1/me", nil, 200, nil)
		c.Do("POST", "/api/v1/auth/logout", nil, 204, nil)
		c.Do("GET", "/api/v1/me", nil, 401, nil)
		_, metrics := again.Anonymous(t).Do("GET", "/metrics", nil, 200, nil)
		for _, name := range []string{"chatbridge_http_request_duration_seconds", "chatbridge_websocket_connections"} {
			if !strings.Contains(string(metrics), name) {
				t.Errorf("/metrics lacks %s", name)
			}
		}
		_, ready := again.Anonymous(t).Do("GET", "/readyz", nil, 200, nil)
		if string(ready) != `{"database":"ok","redis":"ok"}` {
			t.Errorf("/readyz: %s", ready)
		}
	})
}

// New chats go to an online agent with the stage's skill, never to a supervisor; with
// nobody online they wait unassigned and are picked up when an agent comes online.
func TestAutoAssignment(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "route", "http://127.0.0.1:9/unused")
	shop.Supervisor.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, 200, nil)
	inst.Webhook(t, shop, MessageBody("a-1", "b-1", "Early", "anyone?"))
	var early struct {
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Early").ID, nil, 200, &early)
	if early.AssigneeID != nil {
		t.Fatalf("assigned to %s with no agent online", *early.AssigneeID)
	}
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, 200, nil)
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Early").ID, nil, 200, &early)
	if early.AssigneeID == nil || *early.AssigneeID != shop.AgentID {
		t.Fatalf("waiting chat not picked up by the agent coming online: %v", early.AssigneeID)
	}
	inst.Webhook(t, shop, MessageBody("a-2", "b-2", "Later", "hello"))
	var later struct {
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Later").ID, nil, 200, &later)
	if later.AssigneeID == nil || *later.AssigneeID != shop.AgentID {
		t.Fatalf("new chat assigned to %v, want the online agent %s", later.AssigneeID, shop.AgentID)
	}
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "asleep"}, 400, nil)
}

func TestNotifyTargets(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
	a := inst.NewShop(t, "notify-a", "http://127.0.0.1:9/unused")
	b := inst.NewShop(t, "notify-b", "http://127.0.0.1:9/unused")
	robot := "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-123"
	var created struct {
		ID, Type string
		Audience []string
	}
	a.Supervisor.Do("POST", "/api/v1/notify-targets", map[string]any{"type": "wecom_robot",
		"config": map[string]string{"webhook_url": robot}, "audience": []string{"packer"}}, 201, &created)
	if created.ID == "" || created.Type != "wecom_robot" || len(created.Audience) != 1 {
		t.Fatalf("created %+v", created)
	}
	_, body := a.Supervisor.Do("POST", "/api/v1/notify-targets", map[string]any{"type": "dingtalk_robot",
		"config": map[string]string{"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x"}, "audience": []string{"packer"}}, 400, nil)
	if !strings.Contains(string(body), "config.secret") {
		t.Fatalf("DingTalk robot without its secret answered %s", body)
	}
	a.Supervisor.Do("POST", "/api/v1/notify-targets", map[string]any{"type": "fax", "config": map[string]string{"webhook_url": robot},
		"audience": []string{"packer"}}, 400, nil)
	a.Supervisor.Do("POST", "/api/v1/notify-targets", map[string]any{"shop_id": b.ID, "type": "wecom_robot",
		"config": map[string]string{"webhook_url": robot}, "audience": []string{"packer"}}, 404, nil)
	a.Agent.Do("POST", "/api/v1/notify-targets", map[string]any{"type": "wecom_robot"}, 403, nil)

	db, err := sql.Open("mysql", cfg.MySQLDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sealed []byte
	if err := db.QueryRow("SELECT config_enc FROM notify_targets WHERE id = ?", created.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("robot-key-123")) {
		t.Fatal("the robot's key is stored in the clear")
	}
}
