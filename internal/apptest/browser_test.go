package apptest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/internal/app"
)

// chromium finds the browser: CHATBRIDGE_CHROMIUM, else Debian's. Outside CI a machine
// without it skips the test; in CI its absence fails.
func chromium(t *testing.T) string {
	path := os.Getenv("CHATBRIDGE_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Chromium at %s (install Debian's chromium package)", path)
		}
		t.Skipf("no Chromium at %s: install Debian's chromium package to run the browser test", path)
	}
	return path
}

func requireBuiltWeb(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "..", "web", "dist", "index.html")); err != nil {
		t.Fatal("the web app is not built: run make web first (make test does)")
	}
}

// TestBrowserInbox drives the real web inbox in headless Chromium: an agent logs in,
// sees a buyer's chat arrive live, replies, and the reply reaches the platform.
func TestBrowserInbox(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := chromium(t)
	requireBuiltWeb(t)
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	rec := &callbackRecorder{t: t}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	shop := inst.NewShop(t, "browser", srv.URL)
	rec.secret = shop.Secret

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			shot(t, ctx, "failure")
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	run("log in",
		chromedp.Navigate(inst.URL),
		chromedp.WaitVisible(`[data-testid="login-username"]`),
		chromedp.SendKeys(`[data-testid="login-username"]`, "browser-agent"),
		chromedp.SendKeys(`[data-testid="login-password"]`, "password-1"),
		chromedp.Click(`[data-testid="login-submit"]`),
		chromedp.WaitVisible(`[data-testid="ws-status"][data-state="live"]`),
	)

	// A buyer writes; the chat appears without a reload. The name tries to run script.
	evil := `<img src=x onerror="window.__xss=1">小林`
	if status, body := inst.Webhook(t, shop, MessageBody("m-1", "b-1", evil, "这款保温杯有粉色的吗?")); status != http.StatusOK {
		t.Fatalf("webhook: %d %s", status, body)
	}
	run("see the chat arrive live",
		chromedp.WaitVisible(`[data-testid="conversation-item"]`),
		chromedp.Click(`[data-testid="conversation-item"]`),
		chromedp.WaitVisible(`[data-testid="message"][data-direction="in"]`),
	)
	name := text(`[data-testid="conversation-item"]`)
	if !strings.Contains(name, "<img") {
		t.Errorf("the buyer's name should show as text, got %q", name)
	}
	xss, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss === 1`))
	if err != nil {
		t.Fatal(err)
	}
	if xss {
		t.Fatal("a buyer's name ran script in the inbox")
	}

	run("reply",
		chromedp.SendKeys(`[data-testid="composer-input"]`, "有的哦，今天下单今天发"),
		chromedp.Click(`[data-testid="composer-send"]`),
		chromedp.WaitVisible(`[data-testid="message"][data-direction="out"][data-status="sent"]`),
	)
	Eventually(t, 10*time.Second, "the reply at the platform", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, ev := range rec.events {
			if m, ok := ev["message"].(map[string]any); ok && m["text"] == "有的哦，今天下单今天发" {
				return true
			}
		}
		return false
	})

	// An after-sale buyer lands under the after-sale tab.
	inst.Webhook(t, shop, OrderBody("T9", "b-2", "delivered", time.Now()))
	inst.Webhook(t, shop, MessageBody("m-2", "b-2", "黄女士", "收到的杯子盖子是裂的"))
	run("see the after-sale chat",
		chromedp.Click(`[data-testid="stage-tab-after_sale"]`),
		chromedp.WaitVisible(`[data-testid="conversation-item"]`),
	)
	afterSale := text(`[data-testid="conversation-list"]`)
	if !strings.Contains(afterSale, "黄女士") || strings.Contains(afterSale, "小林") {
		t.Errorf("after-sale tab shows %q, want 黄女士 only", afterSale)
	}
	shot(t, ctx, "inbox")
}

// shot keeps a screenshot; with CHATBRIDGE_E2E_SCREENSHOTS set it is copied there for review.
func shot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("CHATBRIDGE_E2E_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.png", t.Name(), name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
	}
}
