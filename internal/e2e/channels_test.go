package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
	"github.com/chatbridge/chatbridge/internal/media/imagetest"
)

// TestChannelsAndImagesInBrowser drives the Channels page and an image chat in headless
// Chromium: a supervisor adds a generic channel through the form drawn from its type,
// sees its webhook URL and its secret once; a buyer's photo sent to that channel, signed
// with that secret, shows in the thread as an image the browser loaded.
func TestChannelsAndImagesInBrowser(t *testing.T) {
	browserPath := chromium(t)
	requireBuiltWeb(t)

	inst := apptest.Start(t, apptest.Config(t), app.Roles{Serve: true, Work: true})
	relay := &platform{}
	callbacks := httptest.NewServer(relay)
	t.Cleanup(callbacks.Close)
	photo := imagetest.PNG(320, 240)
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(photo)
	}))
	t.Cleanup(images.Close)
	shop := inst.NewShop(t, "e2e-ch", callbacks.URL)

	b := startBrowser(t, browserPath)
	b.do("open the login page", chromedp.Navigate(inst.URL), chromedp.WaitVisible(testID("login-username")))
	b.do("log in as the supervisor",
		chromedp.SendKeys(testID("login-username"), "e2e-ch-sup"),
		chromedp.SendKeys(testID("login-password"), "password-1"),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav-channels")),
	)

	// 1. The Channels page lists the shop's channel with its webhook URL.
	b.do("open the Channels page", chromedp.Click(testID("nav-channels")), chromedp.WaitVisible(testID("channel-row")))
	if got := b.value("the listed webhook URL", testID("channel-webhook-url")); got != shop.WebhookURL {
		t.Errorf("the page lists webhook URL %q, want %q", got, shop.WebhookURL)
	}

	// 2. Add a generic channel through the form drawn from the type's fields.
	b.do("open the add form", chromedp.Click(testID("channel-add")), chromedp.WaitVisible(testID("channel-field-callback_url")))
	if label := b.text("the callback URL field", chromedp.CSS(`[data-testid="channel-form"]`)); !strings.Contains(label, "回调地址") {
		t.Errorf("the form shows %q, want the generic type's field 回调地址", label)
	}
	b.do("fill and submit the form",
		chromedp.SendKeys(testID("channel-form-name"), "官网中转"),
		chromedp.SendKeys(testID("channel-field-callback_url"), callbacks.URL+"/second"),
		chromedp.Click(testID("channel-form-submit")),
		chromedp.WaitVisible(testID("channel-created")),
	)
	hook := b.value("the new webhook URL", testID("channel-created-webhook"))
	secret := b.value("the new secret", testID("channel-created-secret"))
	id := hook[strings.LastIndex(hook, "/")+1:]
	if !strings.HasPrefix(hook, inst.URL+"/webhooks/generic/") || id == shop.ChannelID || secret == "" {
		t.Fatalf("created channel shows webhook %q and secret %q", hook, secret)
	}
	b.waitFor("the new channel in the list", fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="channel-row"]')].some(e => e.dataset.id === %s && e.textContent.includes("官网中转"))`, js(id)))
	b.screenshot("channels")
	b.do("close the one-time secret", chromedp.Click(testID("channel-created-done")))
	if n := evaluate[int](b, "look for the secret after closing", fmt.Sprintf(`document.body.innerHTML.split(%s).length - 1`, js(secret))); n != 0 {
		t.Errorf("the secret is still in the page after closing (%d times)", n)
	}

	// 3. A buyer's photo arrives on the new channel, signed with the secret shown.
	body := []byte(fmt.Sprintf(`{"event":"message","message":{"id":"e2e-img-1","customer":{"id":"buyer-img","name":"黄女士"},`+
		`"type":"image","text":"收到的杯子是裂的","media":{"url":%s}}}`, js(images.URL+"/cup.png")))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	if status, answer := inst.RawWebhook(t, id, body, ts, generic.Sign(secret, ts, body)); status != http.StatusOK {
		t.Fatalf("webhook with the secret the page showed: %d %s", status, answer)
	}
	b.do("go to the inbox", chromedp.Click(testID("nav-inbox")))
	b.waitFor("the buyer's conversation", `[...document.querySelectorAll('[data-testid="conversation-item"]')].some(e => e.textContent.includes("黄女士"))`)
	b.eval("open it", `[...document.querySelectorAll('[data-testid="conversation-item"]')].find(e => e.textContent.includes("黄女士")).click(); true`)
	b.waitFor("the image loaded in the thread",
		`(() => { const img = document.querySelector('[data-testid="thread"] [data-testid="message"][data-direction="in"] [data-testid="message-image"]');
		  return img && img.complete && img.naturalWidth === 320 && img.naturalHeight === 240 })()`)
	if caption := b.text("the image message", chromedp.CSS(`[data-testid="thread"] [data-testid="message"][data-direction="in"]`)); !strings.Contains(caption, "收到的杯子是裂的") {
		t.Errorf("the image message shows %q, want its caption", caption)
	}
	// The generic channel sends images: the composer offers to attach one.
	b.do("see the attach button", chromedp.WaitVisible(testID("composer-attach")))
	b.screenshot("image-in-thread")
	if problems := relay.problems(); len(problems) > 0 {
		t.Errorf("the relay received badly signed callbacks: %v", problems)
	}
}
