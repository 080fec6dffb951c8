package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
)

// TestReportsPageInBrowser drives the supervisor's reports page in headless Chromium on
// figures made through the real app on a frozen clock: agent 007 answers buyers in 12 s
// and 50 s, agent 008 in 20 s. The page shows the team's KPIs and each agent's figures
// exactly, draws a trend per agent, exports the CSV, switches language and range.
func TestReportsPageInBrowser(t *testing.T) {
	browserPath := chromium(t)
	requireBuiltWeb(t)

	clock := apptest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) // 09:00 in Shanghai
	inst := apptest.StartWith(t, apptest.Config(t), app.Options{Roles: app.Roles{Serve: true, Work: true}, Now: clock.Now})
	platform := &platform{}
	callbacks := httptest.NewServer(platform)
	t.Cleanup(callbacks.Close)
	shop := inst.NewShop(t, "e2e-reports", callbacks.URL)
	platform.setSecret(shop.Secret)
	admin := inst.Admin(t)
	var bea struct{ ID string }
	admin.Do("POST", "/api/v1/users", map[string]any{"shop_id": shop.ID, "username": "e2e-reports-bea", "password": "password-1",
		"role": "agent", "display_name": "Bea", "agent_no": "008", "skills": []string{"pre_sale", "in_sale", "after_sale"}},
		http.StatusCreated, &bea)
	beaClient := inst.Login(t, "e2e-reports-bea", "password-1")

	convOf := func(buyer string) string {
		t.Helper()
		var list struct {
			Items []struct {
				ID       string
				Customer struct{ ID string }
			}
		}
		shop.Supervisor.Do("GET", "/api/v1/conversations?limit=200", nil, http.StatusOK, &list)
		for _, c := range list.Items {
			if c.Customer.ID == buyer {
				return c.ID
			}
		}
		t.Fatalf("no conversation of %s", buyer)
		return ""
	}
	reply := func(c *apptest.Client, buyer, text string) {
		t.Helper()
		c.Do("POST", "/api/v1/conversations/"+convOf(buyer)+"/messages", map[string]string{"text": text}, http.StatusAccepted, nil)
	}
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	webhook(t, inst, shop, apptest.MessageBody("r-1", "rb-1", "一号", "在吗"))
	clock.Advance(12 * time.Second)
	reply(shop.Agent, "rb-1", "在的，请讲")
	webhook(t, inst, shop, apptest.MessageBody("r-2", "rb-2", "二号", "有赠品吗"))
	clock.Advance(50 * time.Second)
	reply(shop.Agent, "rb-2", "下单送杯套")
	shop.Agent.Do("POST", "/api/v1/conversations/"+convOf("rb-1")+"/resolve", nil, http.StatusOK, nil)
	beaClient.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	webhook(t, inst, shop, apptest.MessageBody("r-3", "rb-3", "三号", "几天到"))
	clock.Advance(20 * time.Second)
	reply(beaClient, "rb-3", "一般两天")

	b := startBrowser(t, browserPath)
	b.do("open the login page", chromedp.Navigate(inst.URL), chromedp.WaitVisible(testID("login-username")))
	b.do("log in as the supervisor",
		chromedp.SendKeys(testID("login-username"), "e2e-reports-sup"),
		chromedp.SendKeys(testID("login-password"), "password-1"),
		chromedp.Click(testID("login-submit")),
	)
	b.do("open the reports page from the navigation", chromedp.WaitVisible(testID("nav-reports")), chromedp.Click(testID("nav-reports")))
	b.waitFor("the report of the shop's last seven days",
		`document.querySelector('[data-testid="report-range"]')?.dataset.from === "2026-11-17" && document.querySelector('[data-testid="report-range"]')?.dataset.to === "2026-11-23"`)

	// The team: three chats, all answered; first responses 12, 20 and 50 s; two of three
	// within the 30 s target; one resolved.
	kpi := func(key string) string {
		return strings.TrimSpace(evaluate[string](b, "read KPI "+key,
			fmt.Sprintf(`document.querySelector('[data-kpi=%q] .kpi__value')?.textContent ?? ""`, key)))
	}
	for key, want := range map[string]string{"chats": "3", "reply_rate": "100%", "median": "20 秒", "p90": "50 秒",
		"within_target": "66.7%", "resolved": "1", "rating": "—", "overrides": "0"} {
		if got := kpi(key); got != want {
			t.Errorf("KPI %s shows %q, want %q", key, got, want)
		}
	}
	// Each agent: 007 answered in 12 and 50 s (median 31, p90 50, one of two in time),
	// 008 in 20 s.
	cells := func(agentID string) []string {
		raw := evaluate[[]string](b, "read the row of agent "+agentID, fmt.Sprintf(
			`[...(document.querySelector('[data-testid="report-agents"] tr[data-agent=%q]')?.children ?? [])].map(c => c.textContent.trim())`, agentID))
		return raw
	}
	if got, want := strings.Join(cells(shop.AgentID), "|"), "Agent 007|2|2|100%|31|50|50%|1|0|—|—|0|—|—|0"; got != want {
		t.Errorf("agent 007's totals:\n got %s\nwant %s", got, want)
	}
	if got, want := strings.Join(cells(bea.ID), "|"), "Bea 008|1|1|100%|20|20|100%|0|0|—|—|0|—|—|0"; got != want {
		t.Errorf("agent 008's totals:\n got %s\nwant %s", got, want)
	}
	if n := evaluate[int](b, "count the daily rows", `document.querySelectorAll('[data-testid="report-rows"] tbody tr[data-date="2026-11-23"]').length`); n != 2 {
		t.Errorf("%d daily rows for 2026-11-23, want one per agent", n)
	}

	// The trend: the team and both agents, each with a point on the one day with figures.
	series := evaluate[[]string](b, "list the chart's series",
		`[...document.querySelectorAll('[data-testid="report-chart"] g[data-series]')].filter(g => g.querySelector('circle')).map(g => g.dataset.series)`)
	if got := strings.Join(series, ","); got != "team,"+shop.AgentID+","+bea.ID && got != "team,"+bea.ID+","+shop.AgentID {
		t.Errorf("the chart draws %v, want the team and both agents", series)
	}
	b.do("chart the reply rate", chromedp.SetValue(testID("report-metric"), "reply_rate"))
	b.eval("notify the select", `document.querySelector('[data-testid="report-metric"]').dispatchEvent(new Event('change')); true`)
	b.waitFor("the reply-rate trend at 100%", `[...document.querySelectorAll('[data-testid="report-chart"] g[data-series="team"] circle title')].some(t => t.textContent.includes("100%"))`)

	b.screenshot("reports-week")

	// The CSV the export link gives: UTF-8 with BOM, Chinese headers, the agents' rows.
	href := b.attribute("the export link", testID("report-export"), "href")
	if !strings.Contains(href, "/api/v1/reports/agents.csv?") || !strings.Contains(href, "lang=zh-CN") {
		t.Fatalf("the export link is %q", href)
	}
	csv, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		// TextDecoder drops a BOM, so its bytes are checked first.
		fmt.Sprintf(`fetch(%s, {credentials: "same-origin"}).then(r => r.arrayBuffer()).then(b => {
			const u = new Uint8Array(b)
			return (u[0] === 0xEF && u[1] === 0xBB && u[2] === 0xBF ? "BOM:" : "") + new TextDecoder().decode(u)
		})`, js(href)), chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("download the CSV", err)
	}
	if !strings.HasPrefix(csv, "BOM:日期,客服ID,客服,") || !strings.Contains(csv, "2026-11-23,"+shop.AgentID+",Agent 007,2,2,2,1.0000,31.000,50.000") {
		t.Errorf("the CSV reads:\n%s", csv)
	}

	// English, then a range without chats.
	b.do("switch to English", chromedp.SetValue(testID("lang-switch"), "en"))
	b.eval("notify the language switch", `document.querySelector('[data-testid="lang-switch"]').dispatchEvent(new Event('change')); true`)
	b.waitFor("English labels", `document.querySelector('[data-kpi="reply_rate"] .kpi__label')?.textContent.trim() === "Reply rate"`)
	if got := kpi("median"); got != "20 s" {
		t.Errorf("in English the median shows %q, want \"20 s\"", got)
	}
	b.eval("choose November 1–2", `(() => {
		for (const [id, v] of [["report-from", "2026-11-01"], ["report-to", "2026-11-02"]]) {
			const el = document.querySelector('[data-testid="' + id + '"]')
			el.value = v
			el.dispatchEvent(new Event('input'))
		}
		return true
	})()`)
	b.do("show the range", chromedp.Click(testID("report-apply")))
	b.waitFor("the empty range", `document.querySelector('[data-testid="report-range"]')?.dataset.from === "2026-11-01" && !!document.querySelector('[data-testid="report-empty"]')`)
	if got := kpi("chats"); got != "0" {
		t.Errorf("an empty range shows %q chats", got)
	}
	b.screenshot("reports")
	if problems := platform.problems(); len(problems) > 0 {
		t.Errorf("the platform received badly signed callbacks: %v", problems)
	}
}
