package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
)

// TestWorkbenchInBrowser drives the agent's tools in headless Chromium: routing to the
// agent who comes online (a chat that waited, and new ones by skill), a quick reply
// found with "/" and filled in for the buyer, the forbidden-phrase warning that blocks
// a reply before it is sent, and a transfer with a note that shows in the thread.
func TestWorkbenchInBrowser(t *testing.T) {
	browserPath := chromium(t)
	requireBuiltWeb(t)

	inst := apptest.Start(t, apptest.Config(t), app.Roles{Serve: true, Work: true})
	plat := &platform{}
	callbacks := httptest.NewServer(plat)
	t.Cleanup(callbacks.Close)
	shop := inst.NewShop(t, "wb", callbacks.URL)
	plat.setSecret(shop.Secret)
	admin := inst.Admin(t)
	newAgent := func(username, no string, skills ...string) string {
		var u struct{ ID string }
		admin.Do("POST", "/api/v1/users", map[string]any{"shop_id": shop.ID, "username": username, "password": "password-1",
			"role": "agent", "display_name": username, "agent_no": no, "skills": skills}, http.StatusCreated, &u)
		return u.ID
	}
	preID := newAgent("wb-pre", "P1", "pre_sale")
	afterID := newAgent("wb-after", "A1", "after_sale")
	after := inst.Login(t, "wb-after", "password-1")
	shop.Supervisor.Do("POST", "/api/v1/quick-replies", map[string]any{"scope": "shop", "stage": "pre_sale", "step": "order_confirmation",
		"title": "发货时间", "text": "{buyer_name}您好，我是{agent_no}号客服，今天下单今天发货"}, http.StatusCreated, nil)
	assigneeOf := func(customerID string) string {
		var list struct {
			Items []struct {
				ID         string
				AssigneeID *string `json:"assignee_id"`
				Customer   struct{ ID string }
			}
		}
		shop.Supervisor.Do("GET", "/api/v1/conversations?limit=200", nil, http.StatusOK, &list)
		for _, c := range list.Items {
			if c.Customer.ID == customerID {
				if c.AssigneeID == nil {
					return "none"
				}
				return *c.AssigneeID
			}
		}
		return ""
	}
	convID := func(customerID string) string {
		var list struct {
			Items []struct {
				ID       string
				Customer struct{ ID string }
			}
		}
		shop.Supervisor.Do("GET", "/api/v1/conversations?limit=200&q="+customerID, nil, http.StatusOK, &list)
		for _, c := range list.Items {
			if c.Customer.ID == customerID {
				return c.ID
			}
		}
		t.Fatalf("no conversation of %s", customerID)
		return ""
	}

	// 1. A chat arrives while nobody is online: it waits in the pre-sale queue.
	webhook(t, inst, shop, apptest.MessageBody("wb-m-1", "early", "早到的买家", "有人在吗"))
	if got := assigneeOf("early"); got != "none" {
		t.Fatalf("with nobody online the chat went to %s", got)
	}

	// 2. The pre-sale agent logs in (the inbox sets them online): the waiting chat is theirs.
	b := startBrowser(t, browserPath)
	b.do("open the login page", chromedp.Navigate(inst.URL), chromedp.WaitVisible(testID("login-username")))
	b.do("log in as the pre-sale agent",
		chromedp.SendKeys(testID("login-username"), "wb-pre"),
		chromedp.SendKeys(testID("login-password"), "password-1"),
		chromedp.Click(testID("login-submit")),
	)
	b.do("see the event stream live", chromedp.WaitVisible(chromedp.CSS(`[data-testid="ws-status"][data-state="live"]`)))
	b.eval("mark the page", `window.__e2ePage = "inbox"; true`)
	apptest.Eventually(t, 10*time.Second, "the waiting chat assigned to the agent who came online", func() bool {
		return assigneeOf("early") == preID
	})
	earlyID := convID("early")
	b.waitFor("the waiting chat listed as the agent's own", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="conversation-item"]')].some(e => e.dataset.id === %s && e.querySelector('[data-testid="conversation-assignee"]').textContent.trim() === "我")`,
		js(earlyID)))

	// 3. Two agents online with different skills: each chat goes to the one whose skill it needs.
	after.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	webhook(t, inst, shop, apptest.OrderBody("WB-T1", "after-buyer", "delivered", time.Now().Add(-time.Hour)))
	webhook(t, inst, shop, apptest.MessageBody("wb-m-2", "after-buyer", "售后买家", "杯子盖子是裂的"))
	webhook(t, inst, shop, apptest.MessageBody("wb-m-3", "pre-buyer", "新买家", "这款今天能发货吗"))
	if got := assigneeOf("after-buyer"); got != afterID {
		t.Errorf("the after-sale chat went to %s, want the after-sale agent %s", got, afterID)
	}
	if got := assigneeOf("pre-buyer"); got != preID {
		t.Errorf("the pre-sale chat went to %s, want the pre-sale agent %s", got, preID)
	}
	preConv := convID("pre-buyer")
	b.waitFor("the new pre-sale chat in the agent's list", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="conversation-item"]')].some(e => e.dataset.id === %s)`, js(preConv)))

	// 4. A quick reply: "/" opens the menu, Enter inserts it filled in for this buyer.
	b.do("open the pre-sale chat", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="conversation-item"][data-id=%q]`, preConv))))
	b.waitFor("the buyer's message in the thread", `[...document.querySelectorAll('[data-testid="thread"] [data-testid="message"]')].some(e => e.textContent.includes("今天能发货吗"))`)
	const filled = "新买家您好，我是P1号客服，今天下单今天发货"
	b.waitFor("the greeting sent to the new chat", `[...document.querySelectorAll('[data-testid="message"][data-direction="out"]')].some(e => e.textContent.includes("欢迎光临"))`)
	b.do("type / and part of the title", chromedp.SendKeys(testID("composer-input"), "/发货"))
	b.waitFor("the quick-reply menu", `document.querySelectorAll('[data-testid="quick-reply-item"]').length === 1`)
	b.do("insert it with Enter", chromedp.Focus(testID("composer-input")), pressEnter())
	if v := b.value("the composer after inserting", testID("composer-input")); v != filled {
		t.Fatalf("the composer holds %q, want the filled-in quick reply %q", v, filled)
	}
	b.do("send it", chromedp.Click(testID("composer-send")))
	b.waitFor("the quick reply sent", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="message"][data-direction="out"]')].some(e => e.dataset.status === "sent" && e.textContent.includes(%s))`, js(filled)))
	if !platformGot(plat, filled) {
		t.Fatalf("the platform did not receive the quick reply %q", filled)
	}

	// 5. A forbidden phrase: the warning shows as it is typed, and sending is blocked
	// before anything leaves the browser.
	const rude = "大 点 声！听不见"
	b.eval("count the replies the page posts", `(() => {
		window.__posts = 0
		const f = window.fetch
		window.fetch = (input, init) => {
			if (String(input).endsWith('/messages') && init && init.method === 'POST') window.__posts++
			return f(input, init)
		}
		return true
	})()`)
	b.do("type a forbidden phrase", chromedp.SendKeys(testID("composer-input"), rude))
	b.waitFor("the live warning naming the phrase", `[...document.querySelectorAll('[data-testid="live-phrase"]')].some(e => e.textContent.includes("大点声,听不见!"))`)
	b.do("try to send", chromedp.Click(testID("composer-send")))
	b.waitFor("the send blocked with the phrase named", `document.querySelector('[data-testid="composer-forbidden"]') !== null`)
	if n := evaluate[int](b, "count the posted replies", `window.__posts`); n != 0 {
		t.Fatalf("the blocked reply was posted %d time(s)", n)
	}
	if platformGot(plat, "听不见") {
		t.Fatal("the blocked reply reached the platform")
	}
	var msgs struct{ Items []struct{ Text string } }
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+preConv+"/messages", nil, http.StatusOK, &msgs)
	for _, m := range msgs.Items {
		if strings.Contains(m.Text, "听不见") {
			t.Fatalf("the blocked reply was stored: %q", m.Text)
		}
	}
	b.do("choose to edit the reply", chromedp.Click(testID("composer-edit")))
	b.eval("clear the reply", `(() => { const el = document.querySelector('[data-testid="composer-input"]'); el.value = ''; el.dispatchEvent(new Event('input')); return true })()`)
	b.waitFor("the warning gone", `document.querySelector('[data-testid="composer-live-warning"]') === null && document.querySelector('[data-testid="composer-forbidden"]') === null`)

	// 6. Transfer to the after-sale agent with a note: theirs now, and the thread says so.
	b.do("open the transfer dialog", chromedp.Click(testID("action-transfer")))
	b.do("wait for the dialog", chromedp.WaitVisible(testID("transfer-dialog")))
	b.eval("choose the after-sale agent", fmt.Sprintf(
		`(() => { const s = document.querySelector('[data-testid="transfer-agent"]'); s.value = %s; s.dispatchEvent(new Event('change')); return true })()`, js(afterID)))
	b.do("write the note and transfer",
		chromedp.SendKeys(testID("transfer-note"), "买家要退货，请跟进"),
		chromedp.Click(testID("transfer-submit")),
	)
	b.waitFor("the transfer in the thread with its note", `[...document.querySelectorAll('[data-testid="system-event"]')].some(e => e.dataset.by === "transfer" && e.textContent.includes("买家要退货，请跟进"))`)
	if got := assigneeOf("pre-buyer"); got != afterID {
		t.Fatalf("after the transfer the chat is %s's, want the after-sale agent %s", got, afterID)
	}
	b.checkNoReload("the transfer")
	b.screenshot("workbench")
	if problems := plat.problems(); len(problems) > 0 {
		t.Errorf("the platform received badly signed callbacks: %v", problems)
	}
}

func platformGot(p *platform, text string) bool {
	for _, m := range p.messages() {
		if s, _ := m["text"].(string); strings.Contains(s, text) {
			return true
		}
	}
	return false
}

// pressEnter presses Enter as a person does: one keyDown carrying the text, whose default
// action (a new line) the page may prevent. kb.Encode sends the character as an event
// of its own, which no page can prevent, so it is not used here.
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
			if typ == input.DispatchKeyEventTypeKeyDown {
				p.Text = "\r"
			}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}
