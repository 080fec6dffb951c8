package apptest

import (
	"net/http"
	"testing"
	"time"

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
