package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/apptest"
)

// The agent's working tools: transfer with ownership, private notes, labels, reopen,
// quick replies with their variables, the shop's forbidden phrases, the staff list and
// limits, the inbox section of the settings, and the search over message text.

func online(t *testing.T, e *env, u user) {
	t.Helper()
	e.with(t).as(u).do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
}

func assigneeOf(c conv) string {
	if c.AssigneeID == nil {
		return ""
	}
	return *c.AssigneeID
}

func contractTransferAndOwnership(t *testing.T, e *env) {
	cb := newCallback(t, http.StatusOK)
	shop := e.createShop("transfer")
	other := e.createShop("transfer-other")
	ch := e.createChannel(shop, cb.URL)
	cb.setSecret(ch.Secret)
	pre := e.createUser(shop, "tr-pre", "agent", "pre_sale")
	pre2 := e.createUser(shop, "tr-pre2", "agent", "pre_sale")
	after := e.createUser(shop, "tr-after", "agent", "after_sale")
	sup := e.as(e.createUser(shop, "tr-sup", "supervisor"))
	stranger := e.createUser(other, "tr-other-agent", "agent", allSkills...)
	online(t, e, pre)
	e.say(ch, "tr-buyer", "顾客甲", "在吗？")
	c := sup.find("tr-buyer")
	if assigneeOf(c) != pre.ID {
		t.Fatalf("routed to %q, want the only online pre-sale agent %s", assigneeOf(c), pre.ID)
	}
	path := "/api/v1/conversations/" + c.ID

	t.Run("another agent may neither answer nor hand on an owned chat", func(t *testing.T) {
		a := e.with(t).as(pre2)
		got := a.fail("POST", path+"/messages", map[string]string{"type": "text", "text": "我来回答"}, http.StatusConflict)
		if got.Code != "owned_by_other" {
			t.Fatalf("code %q, want owned_by_other", got.Code)
		}
		a.fail("POST", path+"/transfer", map[string]any{"to_stage": "in_sale"}, http.StatusConflict)
		a.fail("POST", path+"/assign", map[string]any{"assignee_id": pre2.ID}, http.StatusConflict)
	})

	t.Run("bad transfers answer 400 naming the field; another shop's chat 404", func(t *testing.T) {
		a := e.with(t).as(pre)
		a.fail("POST", path+"/transfer", map[string]any{}, http.StatusBadRequest, "to_user_id")
		a.fail("POST", path+"/transfer", map[string]any{"to_user_id": pre2.ID, "to_stage": "in_sale"}, http.StatusBadRequest, "to_user_id")
		a.fail("POST", path+"/transfer", map[string]any{"to_stage": "mid_sale"}, http.StatusBadRequest, "to_stage")
		a.fail("POST", path+"/transfer", map[string]any{"to_user_id": stranger.ID}, http.StatusBadRequest, "to_user_id")
		a.fail("POST", path+"/transfer", map[string]any{"to_user_id": pre.ID}, http.StatusBadRequest, "to_user_id")
		a.fail("POST", path+"/transfer", map[string]any{"to_user_id": pre2.ID, "note": strings.Repeat("长", 2001)}, http.StatusBadRequest, "note")
		e.with(t).as(stranger).fail("POST", path+"/transfer", map[string]any{"to_stage": "pre_sale"}, http.StatusNotFound)
	})

	t.Run("transfer to an agent with a note: ownership passes, the thread shows it", func(t *testing.T) {
		a := e.with(t).as(pre)
		var got conv
		a.do("POST", path+"/transfer", map[string]any{"to_user_id": pre2.ID, "note": "买家要开发票"}, http.StatusOK, &got)
		if assigneeOf(got) != pre2.ID {
			t.Fatalf("after the transfer the chat is %q's, want %s", assigneeOf(got), pre2.ID)
		}
		evs := sup.events(c.ID)
		last := evs[len(evs)-1]
		if last.Kind != "assigned" || last.Data["by"] != "transfer" || last.Data["note"] != "买家要开发票" ||
			last.Data["from"] != pre.ID || last.Data["to"] != pre2.ID || last.ActorID == nil || *last.ActorID != pre.ID {
			t.Fatalf("the last event is %+v", last)
		}
		// The former owner may no longer answer; the new one may.
		a.fail("POST", path+"/messages", map[string]string{"type": "text", "text": "还在吗"}, http.StatusConflict)
		e.with(t).as(pre2).do("POST", path+"/messages", map[string]string{"type": "text", "text": "您好，发票可以开"}, http.StatusAccepted, nil)
	})

	t.Run("transfer to a stage queue routes to an online agent with the skill", func(t *testing.T) {
		a := e.with(t).as(pre2)
		var got conv
		a.do("POST", path+"/transfer", map[string]any{"to_stage": "after_sale", "note": "退货问题"}, http.StatusOK, &got)
		if got.Stage != "after_sale" || got.AssigneeID != nil {
			t.Fatalf("with no after-sale agent online the chat is %+v, want it waiting in the after-sale queue", got)
		}
		online(t, e, after)
		if now := sup.get(c.ID); assigneeOf(now) != after.ID {
			t.Fatalf("the after-sale agent came online and the queued chat is %q's", assigneeOf(now))
		}
		got2 := describe(sup.events(c.ID))
		if !strings.Contains(got2, "stage_changed by "+pre2.ID+" (transfer), assigned by "+pre2.ID+" (transfer), assigned by system (routing)") {
			t.Fatalf("events: %s", got2)
		}
	})

	t.Run("a stage queue transfer never routes back to the agent handing it on", func(t *testing.T) {
		e := e.with(t)
		online(t, e, pre2)
		e.say(ch, "tr-buyer-2", "顾客乙", "你好")
		c2 := sup.find("tr-buyer-2")
		owner := assigneeOf(c2)
		if owner != pre.ID && owner != pre2.ID {
			t.Fatalf("routed to %q", owner)
		}
		var ownerUser user
		for _, u := range []user{pre, pre2} {
			if u.ID == owner {
				ownerUser = u
			}
		}
		var got conv
		e.as(ownerUser).do("POST", "/api/v1/conversations/"+c2.ID+"/transfer", map[string]any{"to_stage": "pre_sale"}, http.StatusOK, &got)
		if assigneeOf(got) == owner || got.AssigneeID == nil {
			t.Fatalf("handed to the pre-sale queue by %s, the chat went to %q", owner, assigneeOf(got))
		}
	})

	t.Run("after resolve anyone may answer, and becomes the owner", func(t *testing.T) {
		e := e.with(t)
		sup.do("POST", path+"/resolve", nil, http.StatusOK, nil)
		var out struct{ ID string }
		e.as(pre).do("POST", path+"/messages", map[string]string{"type": "text", "text": "还有什么可以帮您"}, http.StatusAccepted, &out)
		if now := sup.get(c.ID); assigneeOf(now) != pre.ID {
			t.Fatalf("after answering the resolved chat it is %q's, want %s", assigneeOf(now), pre.ID)
		}
	})

	t.Run("reopen by hand", func(t *testing.T) {
		var got conv
		sup.do("POST", path+"/reopen", nil, http.StatusOK, &got)
		if got.Status != "open" {
			t.Fatalf("reopened: %+v", got)
		}
		evs := sup.events(c.ID)
		if last := evs[len(evs)-1]; last.Kind != "reopened" || last.Data["by"] != "manual" {
			t.Fatalf("last event %+v", last)
		}
	})
}

func contractNotesAndLabels(t *testing.T, e *env) {
	cb := newCallback(t, http.StatusOK)
	shop := e.createShop("notes")
	ch := e.createChannel(shop, cb.URL)
	cb.setSecret(ch.Secret)
	agent := e.createUser(shop, "notes-agent", "agent", allSkills...)
	sup := e.as(e.createUser(shop, "notes-sup", "supervisor"))
	otherSup := e.as(e.createUser(e.createShop("notes-other"), "notes-other-sup", "supervisor"))
	e.say(ch, "n-buyer", "Nora", "hello")
	e.say(ch, "n-buyer-2", "Nils", "hi")
	c := sup.find("n-buyer")
	path := "/api/v1/conversations/" + c.ID

	t.Run("a private note is on the thread and never sent", func(t *testing.T) {
		var ev convEvent
		e.with(t).as(agent).do("POST", path+"/notes", map[string]string{"text": "买家是老客户，优先处理"}, http.StatusCreated, &ev)
		if ev.Kind != "note" || ev.Data["text"] != "买家是老客户，优先处理" || ev.ActorID == nil || *ev.ActorID != agent.ID {
			t.Fatalf("note answered %+v", ev)
		}
		if evs := sup.events(c.ID); evs[len(evs)-1].Kind != "note" {
			t.Fatalf("events %s", describe(evs))
		}
		for _, m := range sup.messages(c.ID, "") {
			if strings.Contains(m.Text, "老客户") {
				t.Fatalf("the note became a message: %+v", m)
			}
		}
		got, _, _ := cb.received()
		for _, o := range got {
			if strings.Contains(o.Message.Text, "老客户") {
				t.Fatal("the note reached the platform")
			}
		}
		sup.fail("POST", path+"/notes", map[string]string{"text": "  "}, http.StatusBadRequest, "text")
		otherSup.fail("POST", path+"/notes", map[string]string{"text": "x"}, http.StatusNotFound)
	})

	t.Run("labels are shown, filtered on and counted", func(t *testing.T) {
		var got conv
		sup.do("PUT", path+"/labels", map[string]any{"labels": []string{"VIP", " 催发货 ", "vip"}}, http.StatusOK, &got)
		var raw struct{ Labels []string }
		sup.do("GET", path, nil, http.StatusOK, &raw)
		if !slices.Equal(raw.Labels, []string{"VIP", "催发货"}) {
			t.Fatalf("labels %q", raw.Labels)
		}
		if l := sup.list("label=VIP&limit=200").Items; len(l) != 1 || l[0].ID != c.ID {
			t.Fatalf("label=VIP lists %v", ids(l))
		}
		if l := sup.list("label=" + url.QueryEscape("催发货") + "&q=Nora").Items; len(l) != 1 {
			t.Fatalf("label and q together list %v", ids(l))
		}
		if l := sup.list("label=none-such").Items; len(l) != 0 {
			t.Fatalf("an unused label lists %v", ids(l))
		}
		var counts struct {
			Items []struct {
				Label string
				Count int
			}
		}
		sup.do("GET", "/api/v1/labels", nil, http.StatusOK, &counts)
		if len(counts.Items) != 2 || counts.Items[0].Count != 1 {
			t.Fatalf("label counts %+v", counts.Items)
		}
		otherSup.do("GET", "/api/v1/labels", nil, http.StatusOK, &counts)
		if len(counts.Items) != 0 {
			t.Fatalf("another shop counts %+v", counts.Items)
		}
		sup.do("PUT", path+"/labels", map[string]any{"labels": []string{}}, http.StatusOK, nil)
		if l := sup.list("label=VIP").Items; len(l) != 0 {
			t.Fatalf("after removing the labels label=VIP lists %v", ids(l))
		}
		sup.fail("PUT", path+"/labels", map[string]any{"labels": []string{strings.Repeat("x", 33)}}, http.StatusBadRequest, "labels")
		sup.fail("PUT", path+"/labels", map[string]any{"labels": []string{"a,b"}}, http.StatusBadRequest, "labels")
		sup.fail("PUT", path+"/labels", map[string]any{}, http.StatusBadRequest, "labels")
		otherSup.fail("PUT", path+"/labels", map[string]any{"labels": []string{"x"}}, http.StatusNotFound)
	})

	t.Run("search finds Chinese text by its characters and words in other scripts", func(t *testing.T) {
		e := e.with(t)
		e.say(ch, "n-buyer-3", "Otto", "这款保温杯有粉色的吗")
		e.say(ch, "n-buyer-4", "Pia", "Do you have the Tangerine flavour?")
		c3, c4 := sup.find("n-buyer-3"), sup.find("n-buyer-4")
		for q, want := range map[string]string{"保温杯": c3.ID, "粉色": c3.ID, "tangerine": c4.ID, "TANGERINE flavour": c4.ID, "Ott": c3.ID} {
			l := sup.list("q=" + url.QueryEscape(q)).Items
			if len(l) != 1 || l[0].ID != want {
				t.Errorf("q=%s lists %v, want %s", q, ids(l), want)
			}
		}
		if l := sup.list("q=" + url.QueryEscape("保温壶")).Items; len(l) != 0 {
			t.Errorf("q=保温壶 lists %v", ids(l))
		}
		sup.fail("GET", "/api/v1/conversations?q="+strings.Repeat("x", 201), nil, http.StatusBadRequest, "q")
	})

	t.Run("inbox summary counts the open chats per stage", func(t *testing.T) {
		var sum struct {
			Stages map[string]struct{ Open, Unassigned, Mine, Unread int }
		}
		sup.do("GET", "/api/v1/inbox/summary", nil, http.StatusOK, &sum)
		if p := sum.Stages["pre_sale"]; p.Open < 4 || p.Unassigned != p.Open || p.Unread < 4 {
			t.Fatalf("summary %+v", sum.Stages)
		}
		if _, ok := sum.Stages["after_sale"]; !ok {
			t.Fatalf("summary lacks after_sale: %+v", sum.Stages)
		}
	})
}

func contractQuickReplies(t *testing.T, e *env) {
	shop := e.createShop("qr")
	ch := e.createChannel(shop, "http://127.0.0.1:9/unused")
	agent := e.createUser(shop, "qr-agent", "agent", allSkills...)
	agent2 := e.as(e.createUser(shop, "qr-agent2", "agent", allSkills...))
	sup := e.as(e.createUser(shop, "qr-sup", "supervisor"))
	otherSup := e.as(e.createUser(e.createShop("qr-other"), "qr-other-sup", "supervisor"))
	a := e.as(agent)

	var shopReply, mine struct{ ID, Scope, Stage, Step, Title, Text string }
	sup.do("POST", "/api/v1/quick-replies", map[string]any{"scope": "shop", "stage": "in_sale", "step": "", "title": "发货通知",
		"text": "{buyer_name}您好，您的订单{order_id}已由{carrier}发出，单号{tracking_no}，{agent_no}号客服为您服务"}, http.StatusCreated, &shopReply)
	if shopReply.Scope != "shop" || shopReply.Stage != "in_sale" || shopReply.ID == "" {
		t.Fatalf("created %+v", shopReply)
	}
	sup.do("POST", "/api/v1/quick-replies", map[string]any{"scope": "shop", "stage": "pre_sale", "step": "favorite", "title": "收藏",
		"text": "亲，收藏{shop}可以第一时间收到上新哦"}, http.StatusCreated, nil)
	a.do("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "我的问候", "text": "您好，我是{agent_name}"}, http.StatusCreated, &mine)

	t.Run("roles, validation and tenancy", func(t *testing.T) {
		a := a.with(t)
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "shop", "title": "x", "text": "y"}, http.StatusForbidden)
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "team", "title": "x", "text": "y"}, http.StatusBadRequest, "scope")
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "", "text": "y"}, http.StatusBadRequest, "title")
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "x", "text": "订单{odrer_id}"}, http.StatusBadRequest, "text", "odrer_id")
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "x", "text": "y", "stage": "mid"}, http.StatusBadRequest, "stage")
		a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "x", "text": "y", "step": "dance"}, http.StatusBadRequest, "step")
		bad := a.fail("POST", "/api/v1/quick-replies", map[string]any{"scope": "personal", "title": "x", "text": "这是规定，我有什么办法"}, http.StatusUnprocessableEntity)
		if bad.Code != "forbidden_phrase" {
			t.Fatalf("a quick reply with a forbidden phrase answered %+v", bad)
		}
		var list struct{ Items []struct{ ID, Scope string } }
		agent2.do("GET", "/api/v1/quick-replies", nil, http.StatusOK, &list)
		for _, it := range list.Items {
			if it.ID == mine.ID {
				t.Fatal("another agent lists my personal quick reply")
			}
		}
		agent2.fail("PUT", "/api/v1/quick-replies/"+mine.ID, map[string]any{"scope": "personal", "title": "x", "text": "y"}, http.StatusNotFound)
		agent2.fail("DELETE", "/api/v1/quick-replies/"+mine.ID, nil, http.StatusNotFound)
		a.fail("PUT", "/api/v1/quick-replies/"+shopReply.ID, map[string]any{"scope": "shop", "title": "x", "text": "y"}, http.StatusForbidden)
		otherSup.fail("PUT", "/api/v1/quick-replies/"+shopReply.ID, map[string]any{"scope": "shop", "title": "x", "text": "y"}, http.StatusNotFound)
		otherSup.fail("DELETE", "/api/v1/quick-replies/"+shopReply.ID, nil, http.StatusNotFound)
		otherSup.do("GET", "/api/v1/quick-replies", nil, http.StatusOK, &list)
		if len(list.Items) != 0 {
			t.Fatalf("another shop lists %+v", list.Items)
		}
		var changed struct{ Title string }
		a.do("PUT", "/api/v1/quick-replies/"+mine.ID, map[string]any{"scope": "personal", "title": "问候", "text": "您好，我是{agent_name}"}, http.StatusOK, &changed)
		if changed.Title != "问候" {
			t.Fatalf("updated %+v", changed)
		}
	})

	t.Run("variables are filled from the buyer, their latest order and the agent", func(t *testing.T) {
		e := e.with(t)
		e.deliver(ch, apptest.OrderBody("QR-1001", "qr-buyer", "shipped", time.Now().Add(-time.Hour)))
		e.say(ch, "qr-buyer", "王小明", "到哪了")
		c := sup.find("qr-buyer")
		var out struct {
			Items []struct {
				ID, Title, Rendered string
				Missing             []string
			}
		}
		a.do("GET", "/api/v1/conversations/"+c.ID+"/quick-replies", nil, http.StatusOK, &out)
		byTitle := map[string]string{}
		for _, it := range out.Items {
			byTitle[it.Title] = it.Rendered
		}
		if got := byTitle["发货通知"]; got != "王小明您好，您的订单QR-1001已由SF发出，单号SF123，A1号客服为您服务" {
			t.Fatalf("rendered %q", got)
		}
		if got := byTitle["问候"]; got != "您好，我是qr-agent" {
			t.Fatalf("personal rendered %q", got)
		}
		if _, ok := byTitle["收藏"]; ok {
			t.Fatal("a pre-sale quick reply is offered in an in-sale chat")
		}
		otherSup.fail("GET", "/api/v1/conversations/"+c.ID+"/quick-replies", nil, http.StatusNotFound)
		a.do("DELETE", "/api/v1/quick-replies/"+mine.ID, nil, http.StatusNoContent, nil)
	})
}

func contractForbiddenPhrases(t *testing.T, e *env) {
	shop := e.createShop("phrases")
	ch := e.createChannel(shop, "http://127.0.0.1:9/unused")
	agent := e.createUser(shop, "ph-agent", "agent", allSkills...)
	sup := e.as(e.createUser(shop, "ph-sup", "supervisor"))
	otherSup := e.as(e.createUser(e.createShop("phrases-other"), "ph-other-sup", "supervisor"))
	e.say(ch, "ph-buyer", "Fay", "?")
	c := sup.find("ph-buyer")
	reply := func(t *testing.T, text string) (int, apiError) {
		resp, raw := call(t, "POST", e.URL+"/api/v1/conversations/"+c.ID+"/messages", agent.Token, map[string]any{"type": "text", "text": text}, nil)
		if resp.StatusCode == http.StatusAccepted {
			return resp.StatusCode, apiError{}
		}
		return resp.StatusCode, wantError(t, resp.StatusCode, raw, http.StatusUnprocessableEntity)
	}
	type phrase struct {
		ID, Phrase string
		Standard   bool
	}
	list := func(a *api) []phrase {
		var out struct{ Items []phrase }
		a.do("GET", "/api/v1/forbidden-phrases", nil, http.StatusOK, &out)
		return out.Items
	}

	std := list(sup)
	if len(std) != 7 || !std[0].Standard || std[2].Phrase != "大点声,听不见!" {
		t.Fatalf("a new shop's list %+v, want the 7 standard phrases", std)
	}
	var added phrase
	sup.do("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": "爱买不买"}, http.StatusCreated, &added)
	if added.Standard || added.ID == "" {
		t.Fatalf("added %+v", added)
	}
	if status, got := reply(t, "爱 买 不 买！"); status != http.StatusUnprocessableEntity || !slices.Contains(got.Phrases, "爱买不买") {
		t.Fatalf("a reply with the shop's own phrase answered %d %+v", status, got)
	}
	if got := otherSup.with(t); len(list(got)) != 7 {
		t.Fatal("another shop's list changed")
	}
	sup.fail("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": "爱买，不买"}, http.StatusConflict)
	sup.fail("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": "？！"}, http.StatusBadRequest, "phrase")
	sup.fail("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": strings.Repeat("长", 101)}, http.StatusBadRequest, "phrase")
	e.as(agent).fail("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": "x"}, http.StatusForbidden)
	e.as(agent).fail("DELETE", "/api/v1/forbidden-phrases/"+added.ID, nil, http.StatusForbidden)
	otherSup.fail("DELETE", "/api/v1/forbidden-phrases/"+added.ID, nil, http.StatusNotFound)

	// A standard phrase the supervisor takes off stops being refused; the list stays so.
	sup.do("DELETE", "/api/v1/forbidden-phrases/"+std[2].ID, nil, http.StatusNoContent, nil)
	if status, _ := reply(t, "大点声，听不见"); status != http.StatusAccepted {
		t.Fatalf("a phrase taken off the list still answered %d", status)
	}
	if n := len(list(sup)); n != 7 {
		t.Fatalf("the list has %d phrases, want 7 (6 standard and the shop's own)", n)
	}
}

func contractStaffAndInboxSettings(t *testing.T, e *env) {
	shop := e.createShop("staff")
	agent := e.createUser(shop, "staff-agent", "agent", "pre_sale")
	sup := e.as(e.createUser(shop, "staff-sup", "supervisor"))
	otherSup := e.as(e.createUser(e.createShop("staff-other"), "staff-other-sup", "supervisor"))

	var list struct {
		Items []struct {
			ID, Username, Role, Status string
			Skills                     []string
			MaxOpen                    int `json:"max_open"`
		}
	}
	e.as(agent).do("GET", "/api/v1/users", nil, http.StatusOK, &list)
	if len(list.Items) != 2 {
		t.Fatalf("staff %+v", list.Items)
	}
	var u struct {
		Skills  []string
		MaxOpen int    `json:"max_open"`
		AgentNo string `json:"agent_no"`
	}
	sup.do("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"skills": []string{"pre_sale", "after_sale"}, "max_open": 5, "agent_no": "8号"}, http.StatusOK, &u)
	if !slices.Equal(u.Skills, []string{"pre_sale", "after_sale"}) || u.MaxOpen != 5 || u.AgentNo != "8号" {
		t.Fatalf("updated %+v", u)
	}
	sup.fail("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"skills": []string{"mid_sale"}}, http.StatusBadRequest, "skills")
	sup.fail("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"max_open": -1}, http.StatusBadRequest, "max_open")
	e.as(agent).fail("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"max_open": 50}, http.StatusForbidden)
	otherSup.fail("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"max_open": 50}, http.StatusNotFound)
	otherSup.do("GET", "/api/v1/users", nil, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Fatalf("another shop lists %+v", list.Items)
	}

	var set struct {
		Inbox struct {
			Greeting struct {
				Enabled  bool
				Template string
			}
			DefaultMaxOpen       int `json:"default_max_open"`
			PresenceGraceSeconds int `json:"presence_grace_seconds"`
		}
	}
	sup.do("GET", "/api/v1/settings", nil, http.StatusOK, &set)
	if !set.Inbox.Greeting.Enabled || !strings.Contains(set.Inbox.Greeting.Template, "{agent_no}") || set.Inbox.PresenceGraceSeconds != 120 {
		t.Fatalf("default inbox settings %+v", set.Inbox)
	}
	sup.do("PUT", "/api/v1/settings/inbox", map[string]any{"greeting": map[string]any{"enabled": false, "template": "欢迎光临{shop}"},
		"default_max_open": 8, "presence_grace_seconds": 60}, http.StatusOK, &set)
	if set.Inbox.Greeting.Enabled || set.Inbox.DefaultMaxOpen != 8 || set.Inbox.PresenceGraceSeconds != 60 {
		t.Fatalf("saved inbox settings %+v", set.Inbox)
	}
	sup.fail("PUT", "/api/v1/settings/inbox", map[string]any{"greeting": map[string]any{"template": "您好{nickname}"}}, http.StatusBadRequest, "inbox.greeting.template", "nickname")
	sup.fail("PUT", "/api/v1/settings/inbox", map[string]any{"presence_grace_seconds": 5}, http.StatusBadRequest, "inbox.presence_grace_seconds")
	sup.fail("PUT", "/api/v1/settings/inbox", map[string]any{"default_max_open": -2}, http.StatusBadRequest, "inbox.default_max_open")
	e.as(agent).fail("PUT", "/api/v1/settings/inbox", map[string]any{}, http.StatusForbidden)
}
