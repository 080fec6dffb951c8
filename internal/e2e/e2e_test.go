package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/web"
)

const (
	// The agent NewShop creates for the shop "e2e".
	agentUsername = "e2e-agent"
	agentPassword = "password-1"

	// scenarioTimeout bounds the whole scenario in the browser.
	scenarioTimeout = 60 * time.Second
	// pollEvery is how often a condition in the page is checked again.
	pollEvery = 50 * time.Millisecond
)

// TestInboxInBrowser drives the real web inbox in headless Chromium: an agent logs in,
// a buyer's chat arrives live, the agent replies and the reply reaches the platform;
// a buyer name carrying markup stays text; an after-sale buyer lands under the
// after-sale tab.
func TestInboxInBrowser(t *testing.T) {
	browserPath := chromium(t)
	requireBuiltWeb(t)

	inst := apptest.Start(t, apptest.Config(t), app.Roles{Serve: true, Work: true})
	platform := &platform{}
	callbacks := httptest.NewServer(platform)
	t.Cleanup(callbacks.Close)
	shop := inst.NewShop(t, "e2e", callbacks.URL)
	platform.setSecret(shop.Secret)

	b := startBrowser(t, browserPath)
	start := time.Now()

	// 1. Log in through the form; the event stream goes live.
	b.do("open the login page",
		chromedp.Navigate(inst.URL),
		chromedp.WaitVisible(testID("login-username")),
	)
	b.do("log in as "+agentUsername,
		chromedp.SendKeys(testID("login-username"), agentUsername),
		chromedp.SendKeys(testID("login-password"), agentPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.do("see the event stream live",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ws-status"][data-state="live"]`)),
	)
	if user := b.text("the logged-in user", testID("current-user")); !strings.Contains(user, "Agent") {
		t.Errorf("the header shows %q as the user, want the agent's display name", user)
	}
	// Everything from here on must happen without a page load: a reload would lose this.
	b.eval("mark the page", `window.__e2ePage = "inbox"; true`)

	// 2. A buyer writes. The name tries to run script when rendered as HTML.
	const (
		evilName  = `<img src=x onerror="window.__xss=1">小林`
		buyerText = "这款保温杯有粉色的吗?"
		replyText = "有的哦，今天下单今天发"
	)
	webhook(t, inst, shop, apptest.MessageBody("e2e-m-1", "buyer-1", evilName, buyerText))
	b.waitFor("the buyer's conversation to appear in the list", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="conversation-item"]')].some(e => e.textContent.includes(%s))`,
		js(buyerText)))
	b.checkNoReload("a chat arrived")

	// 3. Open it and read the buyer's message.
	b.do("open the conversation", chromedp.Click(testID("conversation-item")))
	b.waitFor("the buyer's message in the thread", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="thread"] [data-testid="message"][data-direction="in"]')].some(e => e.textContent.includes(%s))`,
		js(buyerText)))

	// The name is shown as text, and no markup from it reached the DOM.
	for _, id := range []string{"conversation-item", "conversation-title"} {
		if got := b.text("the buyer's name", testID(id)); !strings.Contains(got, evilName) {
			t.Errorf("%s shows %q, want the buyer's name %q in it as text", id, got, evilName)
		}
	}
	// The inbox itself has no <img> elements, so any image came from the name.
	if n := evaluate[int](b, "count images in the page", `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("the buyer's name became %d <img> element(s) in the page", n)
	}

	// 4. Reply; the reply is sent and reaches the platform.
	b.do("type and send the reply",
		chromedp.SendKeys(testID("composer-input"), replyText),
		chromedp.Click(testID("composer-send")),
	)
	b.waitFor("the reply to show as sent", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="thread"] [data-testid="message"][data-direction="out"]')].some(e => e.dataset.status === "sent" && e.textContent.includes(%s))`,
		js(replyText)))
	if v := b.value("the composer after sending", testID("composer-input")); v != "" {
		t.Errorf("the composer still holds %q after sending", v)
	}
	conversationID := b.attribute("the open conversation", testID("conversation-item"), "data-id")
	replies := platform.messages()
	var delivered []map[string]any
	for _, m := range replies {
		if m["text"] == replyText {
			delivered = append(delivered, m)
		}
	}
	if len(delivered) == 0 {
		t.Fatalf("the reply shows as sent, but the platform received no message with its text; it received %v", replies)
	}
	for _, m := range delivered {
		customer, _ := m["customer"].(map[string]any)
		if m["conversation_id"] != conversationID || customer["id"] != "buyer-1" || m["type"] != "text" {
			t.Errorf("the platform received %v, want a text message of conversation %s to buyer-1", m, conversationID)
		}
	}

	// 5. The markup in the name never ran. Checked after the round trip, so an image
	// that failed to load would have had time to fire its onerror.
	if xss := evaluate[bool](b, "check window.__xss", `typeof window.__xss !== "undefined"`); xss {
		t.Error("the buyer's name ran script in the inbox (window.__xss is set)")
	}

	// 6. Another buyer with a delivered order writes: the chat is after-sale.
	webhook(t, inst, shop, apptest.OrderBody("E2E-T9", "buyer-2", "delivered", time.Now()))
	webhook(t, inst, shop, apptest.MessageBody("e2e-m-2", "buyer-2", "黄女士", "收到的杯子盖子是裂的"))
	b.do("open the after-sale tab", chromedp.Click(testID("stage-tab-after_sale")))
	b.waitFor("the after-sale buyer under the after-sale tab", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="conversation-item"]')].some(e => e.dataset.stage === "after_sale" && e.textContent.includes(%s))`,
		js("黄女士")))
	afterSale := b.text("the after-sale list", testID("conversation-list"))
	if strings.Contains(afterSale, buyerText) || strings.Contains(afterSale, "小林") {
		t.Errorf("the after-sale tab also lists the pre-sale buyer: %q", afterSale)
	}
	if tab := b.attribute("the after-sale tab", testID("stage-tab-after_sale"), "aria-selected"); tab != "true" {
		t.Errorf("the after-sale tab has aria-selected=%q, want true", tab)
	}
	b.checkNoReload("the after-sale chat arrived")

	b.screenshot("inbox")
	if problems := platform.problems(); len(problems) > 0 {
		t.Errorf("the platform received badly signed callbacks: %v", problems)
	}
	t.Logf("scenario in the browser took %s", time.Since(start).Round(time.Millisecond))
}

// ---- environment -------------------------------------------------------------------

// chromium finds the browser: CHATBRIDGE_CHROMIUM, else Debian's. Outside CI a machine
// without it skips the test; in CI its absence fails.
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHATBRIDGE_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Chromium at %s (%v): install Debian's chromium package or set CHATBRIDGE_CHROMIUM", path, err)
		}
		t.Skipf("skipping the browser test: no Chromium at %s (install Debian's chromium package or set CHATBRIDGE_CHROMIUM)", path)
	}
	return path
}

// requireBuiltWeb fails unless the web app was built into web/dist before this test
// binary was compiled (the app serves the embedded copy).
func requireBuiltWeb(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(web.Dist(), "index.html"); err != nil {
		t.Fatal("the web app is not built (no web/dist/index.html): run make web first")
	}
}

// webhook posts a signed event to the shop's generic channel and requires it accepted.
func webhook(t *testing.T, inst *apptest.Instance, shop *apptest.Shop, body []byte) {
	t.Helper()
	if status, answer := inst.Webhook(t, shop, body); status != http.StatusOK {
		t.Fatalf("webhook: status %d: %s", status, answer)
	}
}

// platform plays the shop's system behind the generic channel: it verifies each
// callback's signature and keeps the events. It answers 401 to a bad signature, and
// the test reports those at its end (a handler must not fail a test that may be over).
type platform struct {
	mu     sync.Mutex
	secret string
	events []map[string]any
	bad    []string
}

func (p *platform) setSecret(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secret = s
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.bad = append(p.bad, fmt.Sprintf("read body: %v", err))
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if err := generic.Verify(p.secret, r.Header.Get(generic.HeaderTimestamp), r.Header.Get(generic.HeaderSignature), body, time.Now()); err != nil {
		p.bad = append(p.bad, fmt.Sprintf("%s %s: %v", r.Method, r.URL.Path, err))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		p.bad = append(p.bad, fmt.Sprintf("decode %s: %v", body, err))
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	p.events = append(p.events, ev)
	w.WriteHeader(http.StatusOK)
}

// messages returns the message of every "message" event received.
func (p *platform) messages() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, ev := range p.events {
		if m, ok := ev["message"].(map[string]any); ok && ev["event"] == "message" {
			out = append(out, m)
		}
	}
	return out
}

func (p *platform) problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bad...)
}

// ---- browser -----------------------------------------------------------------------

// browser is one tab of a headless Chromium of the test's own.
type browser struct {
	t   *testing.T
	tab context.Context // the tab, without a deadline (for diagnostics after a timeout)
	ctx context.Context // the tab, with the scenario's deadline

	mu      sync.Mutex
	console []string
}

// startBrowser starts Chromium with a fresh profile and opens a tab. Everything is
// stopped, and the profile removed, when the test ends.
func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	// Start the browser on a context without a deadline: the browser lives as long as
	// the context of the first call.
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	ctx, cancelScenario := context.WithTimeout(tab, scenarioTimeout)
	b := &browser{t: t, tab: tab, ctx: ctx}

	// Keep what the page writes to its console, for the log of a failing test.
	consoleDone := make(chan struct{})
	messages := chromedp.Console(tab)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m.String())
			b.mu.Unlock()
		}
	}()

	t.Cleanup(func() {
		cancelScenario()
		cancelTab()
		cancelAlloc() // waits for the browser to exit, before the profile is removed
		<-consoleDone
		if t.Failed() {
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, line := range b.console {
				t.Logf("browser console: %s", line)
			}
		}
	})
	return b
}

// testID selects the first element with the data-testid.
func testID(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf("[data-testid=%q]", id)) }

// js renders a Go value as a JavaScript literal.
func js(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// do runs the actions of one step; on failure it keeps a screenshot and fails the test.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// evaluate runs a JavaScript expression and decodes its value.
func evaluate[T any](b *browser, step, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail(step, err)
	}
	return v
}

func (b *browser) eval(step, expr string) {
	b.t.Helper()
	evaluate[bool](b, step, expr)
}

func (b *browser) text(step string, sel chromedp.CSS) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.TextContent(sel))
	if err != nil {
		b.fail(step, err)
	}
	return strings.TrimSpace(v)
}

func (b *browser) value(step string, sel chromedp.CSS) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(sel))
	if err != nil {
		b.fail(step, err)
	}
	return v
}

// attribute reads an attribute of the first element that matches, as the page has it now.
func (b *browser) attribute(step string, sel chromedp.CSS, name string) string {
	b.t.Helper()
	b.do(step, chromedp.WaitReady(sel))
	return evaluate[string](b, step, fmt.Sprintf(`document.querySelector(%s)?.getAttribute(%s) ?? ""`, js(string(sel)), js(name)))
}

// waitFor polls a JavaScript condition until it holds or the scenario's time is up.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`Boolean(`+cond+`)`))
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			b.fail("wait for "+what, err)
		}
		if ok {
			return
		}
		select {
		case <-b.ctx.Done():
			b.fail("wait for "+what, b.ctx.Err())
		case <-tick.C:
		}
	}
}

// checkNoReload fails when the page was loaded again since the login.
func (b *browser) checkNoReload(when string) {
	b.t.Helper()
	if !evaluate[bool](b, "check the page was not reloaded", `window.__e2ePage === "inbox"`) {
		b.t.Fatalf("the page was reloaded before: %s", when)
	}
}

// fail keeps a screenshot of the page and a summary of what it shows, then stops.
func (b *browser) fail(step string, err error) {
	b.t.Helper()
	b.screenshot("failure")
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	if page, perr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`)); perr == nil {
		b.t.Logf("the page at the failure:\n%s", page)
	}
	b.t.Fatalf("%s: %v", step, err)
}

// screenshot saves a full-page PNG into the test's temp folder and, with
// CHATBRIDGE_E2E_SCREENSHOTS set, copies it there.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := strings.NewReplacer("/", "_", " ", "_").Replace(b.t.Name()) + "-" + name + ".png"
	path := filepath.Join(b.t.TempDir(), file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
	if dir := os.Getenv("CHATBRIDGE_E2E_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Errorf("screenshot %s: %v", name, err)
			return
		}
		kept := filepath.Join(dir, file)
		if err := os.WriteFile(kept, png, 0o644); err != nil {
			b.t.Errorf("screenshot %s: %v", name, err)
			return
		}
		b.t.Logf("screenshot copied to %s", kept)
	}
}
