package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
)

// TestParcelTimelineInBrowser opens a chat whose order's parcel 快递100 reported as a
// problem: the order card beside the chat shows the parcel's timeline, newest line
// first, with the problem highlighted; the supervisor's logistics page shows the
// connected account and its push URL, never its key.
func TestParcelTimelineInBrowser(t *testing.T) {
	browserPath := chromium(t)
	requireBuiltWeb(t)

	clock := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
	inst := apptest.StartClock(t, apptest.Config(t), app.Roles{Serve: true, Work: true}, clock)
	shop := inst.NewShop(t, "e2e", "http://127.0.0.1:9/unused")
	k100 := kuaidi100test.Start(t, "CUSTOMER1", "KEY-SECRET-1")
	shop.Supervisor.Do("POST", "/api/v1/logistics/providers", map[string]any{"provider": "kuaidi100",
		"config": map[string]string{"customer": "CUSTOMER1", "key": "KEY-SECRET-1", "api_base_url": k100.URL}}, http.StatusCreated, nil)

	webhook(t, inst, shop, apptest.MessageBody("e2e-m-1", "buyer-1", "小林", "我的快递怎么还没到"))
	order, _ := json.Marshal(map[string]any{"event": "order", "order": map[string]any{
		"id": "T3003", "customer_id": "buyer-1", "status": "shipped", "total": "59.00", "currency": "CNY",
		"items":    []map[string]any{{"sku": "C-1", "title": "保温杯", "quantity": 1}},
		"tracking": map[string]string{"carrier": "中通", "number": "ZT7788"}, "updated_at": clock.Now().Format(time.RFC3339)}})
	webhook(t, inst, shop, order)
	apptest.Eventually(t, 20*time.Second, "the parcel to be subscribed", func() bool {
		_, ok := k100.Subscription("ZT7788")
		return ok
	})
	t0 := clock.Now()
	k100.SetTrack("ZT7788", "zhongtong", "2",
		kuaidi100test.Item{At: t0.Add(time.Hour), Context: "【杭州市】中通快递 已揽收", Status: "揽收"},
		kuaidi100test.Item{At: t0.Add(5 * time.Hour), Context: "【北京市】收件地址不详，转疑难件", Status: "疑难"})
	if status, body, err := k100.Push("ZT7788", "polling"); err != nil || status != http.StatusOK {
		t.Fatalf("push answered %d %s %v", status, body, err)
	}

	b := startBrowser(t, browserPath)
	b.do("log in as the agent",
		chromedp.Navigate(inst.URL),
		chromedp.WaitVisible(testID("login-username")),
		chromedp.SendKeys(testID("login-username"), agentUsername),
		chromedp.SendKeys(testID("login-password"), agentPassword),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("stage-tab-in_sale")),
		chromedp.Click(testID("stage-tab-in_sale")),
		chromedp.WaitVisible(testID("conversation-item")),
		chromedp.Click(testID("conversation-item")),
	)
	b.waitFor("the parcel timeline beside the chat", `document.querySelectorAll('[data-testid="parcel-event"]').length === 2`)
	if got := b.text("the parcel's exception", testID("parcel-exception")); got != "疑难件" {
		t.Errorf("the exception shows %q, want 疑难件", got)
	}
	first := b.text("the newest line", testID("parcel-event"))
	if !strings.Contains(first, "转疑难件") {
		t.Errorf("the newest line shows %q", first)
	}
	if trouble := evaluate[bool](b, "the newest line's highlight",
		`document.querySelector('[data-testid="parcel-event"]').classList.contains('parcel__event--trouble')`); !trouble {
		t.Error("the problem line is not highlighted")
	}

	// The supervisor's logistics page.
	b.do("log out", chromedp.Click(testID("logout")), chromedp.WaitVisible(testID("login-username")))
	b.do("log in as the supervisor",
		chromedp.SendKeys(testID("login-username"), "e2e-sup"),
		chromedp.SendKeys(testID("login-password"), agentPassword),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav-logistics-settings")),
		chromedp.Click(testID("nav-logistics-settings")),
		chromedp.WaitVisible(testID("ls-kuaidi100-callback")),
	)
	if got := b.text("the push URL", testID("ls-kuaidi100-callback")); !strings.Contains(got, inst.URL+"/webhooks/logistics/kuaidi100/") {
		t.Errorf("the push URL shows %q", got)
	}
	if html := evaluate[string](b, "the page", `document.body.innerHTML`); strings.Contains(html, "KEY-SECRET-1") {
		t.Error("the page shows the 快递100 key")
	}
	if stuck := b.value("the stuck threshold", testID("ls-stuck")); stuck != "48" {
		t.Errorf("the stuck threshold shows %q, want 48", stuck)
	}
}
