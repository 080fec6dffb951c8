package apptest

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/telegram/telegramtest"
	"github.com/chatbridge/chatbridge/adapters/wecomkf"
	"github.com/chatbridge/chatbridge/adapters/wecomkf/wecomkftest"
	"github.com/chatbridge/chatbridge/adapters/whatsapp/whatsapptest"
	"github.com/chatbridge/chatbridge/internal/app"
)

// platformChannel creates a channel of typ on the shop through the API, pointing at
// a fake platform, and answers its id, secret and webhook URL.
func platformChannel(t *testing.T, inst *Instance, shop *Shop, typ string, config any) (id, secret, webhookURL string) {
	t.Helper()
	var ch struct {
		ID, Secret string
		WebhookURL string `json:"webhook_url"`
	}
	inst.Admin(t).Do("POST", "/api/v1/channels", map[string]any{"shop_id": shop.ID, "type": typ, "name": typ, "config": config},
		http.StatusCreated, &ch)
	return ch.ID, ch.Secret, ch.WebhookURL
}

type platformConv struct {
	ID       string
	Customer struct{ ID, Name string }
	Window   *struct {
		ClosesAt    string `json:"closes_at"`
		RepliesLeft *int   `json:"replies_left"`
	} `json:"reply_window"`
}

// inboxConversation waits for the channel's one conversation and reads its detail.
func inboxConversation(t *testing.T, shop *Shop, channelID string) platformConv {
	t.Helper()
	var list struct{ Items []platformConv }
	Eventually(t, 15*time.Second, "the buyer's chat in the inbox", func() bool {
		shop.Supervisor.Do("GET", "/api/v1/conversations?channel_id="+channelID, nil, http.StatusOK, &list)
		return len(list.Items) == 1
	})
	var c platformConv
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+list.Items[0].ID, nil, http.StatusOK, &c)
	return c
}

type platformMsg struct{ ID, Direction, Type, Text, Status string }

func messages(t *testing.T, shop *Shop, convID string) []platformMsg {
	t.Helper()
	var out struct{ Items []platformMsg }
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+convID+"/messages", nil, http.StatusOK, &out)
	return out.Items
}

// replyAndWaitSent posts an agent's reply and waits for it to be marked sent.
func replyAndWaitSent(t *testing.T, shop *Shop, convID, text string) string {
	t.Helper()
	var reply struct{ ID, Status string }
	shop.Agent.Do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]string{"type": "text", "text": text},
		http.StatusAccepted, &reply)
	Eventually(t, 15*time.Second, "the reply marked sent", func() bool {
		for _, m := range messages(t, shop, convID) {
			if m.ID == reply.ID {
				return m.Status == "sent"
			}
		}
		return false
	})
	return reply.ID
}

func post(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// WeCom customer service through the real app: the encrypted callback queues a pull,
// the worker reads sync_msg into the inbox, the agent's reply goes out with send_msg
// under its own id as msgid, and one access_token serves every call.
func TestWeComCustomerServiceThroughTheApp(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "wecom", "http://127.0.0.1:9/unused")
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	chID, _, hook := platformChannel(t, inst, shop, wecomkf.Type, fake.Config(""))

	// The URL check WeCom makes when the callback is saved.
	c, _ := wecomkf.NewCrypter(fake.Corp.Token, fake.Corp.EncodingAESKey, fake.Corp.CorpID)
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "8811"
	echo, sig, err := c.Seal([]byte("echo-4711"), ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(hook + "?" + url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "echo-4711" {
		t.Fatalf("URL check answered %d %q", resp.StatusCode, body)
	}

	fake.Name("wmBuyer1", "小王")
	tok := fake.BuyerWrites(wecomkftest.TextMsg("kfmsg-1", "wkShop", "wmBuyer1", "这件有货吗？", time.Now().Add(-time.Minute)))
	if status, body := post(t, fake.Callback(t, hook, tok, "wkShop", time.Now())); status != http.StatusOK || body != "" {
		t.Fatalf("callback answered %d %q, want an empty 200", status, body)
	}
	conv := inboxConversation(t, shop, chID)
	if conv.Customer.ID != "wkShop|wmBuyer1" || conv.Customer.Name != "小王" {
		t.Fatalf("customer %+v", conv.Customer)
	}
	if conv.Window == nil || conv.Window.RepliesLeft == nil || *conv.Window.RepliesLeft != 5 {
		t.Fatalf("reply window %+v, want 5 replies left", conv.Window)
	}
	if ms := messages(t, shop, conv.ID); len(ms) != 1 || ms[0].Text != "这件有货吗？" || ms[0].Direction != "in" {
		t.Fatalf("messages %+v", ms)
	}

	replyID := replyAndWaitSent(t, shop, conv.ID, "有的，今天发货")
	sent := fake.SentMessages()
	if len(sent) != 1 || sent[0].MsgID != replyID || sent[0].OpenKfID != "wkShop" || sent[0].ToUser != "wmBuyer1" || sent[0].Text != "有的，今天发货" {
		t.Fatalf("WeCom received %+v, want msgid %s to wmBuyer1 from wkShop", sent, replyID)
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conv.ID, nil, http.StatusOK, &conv)
	if conv.Window == nil || *conv.Window.RepliesLeft != 4 {
		t.Fatalf("after one reply the window is %+v, want 4 left", conv.Window)
	}

	// A redelivered callback is harmless (its pull is queued once), and the next
	// message is read from the stored cursor: each message is in the inbox once.
	if status, _ := post(t, fake.Callback(t, hook, tok, "wkShop", time.Now())); status != http.StatusOK {
		t.Fatalf("redelivered callback answered %d", status)
	}
	tok2 := fake.BuyerWrites(wecomkftest.TextMsg("kfmsg-2", "wkShop", "wmBuyer1", "什么时候到？", time.Now()))
	if status, _ := post(t, fake.Callback(t, hook, tok2, "wkShop", time.Now())); status != http.StatusOK {
		t.Fatalf("second callback answered %d", status)
	}
	Eventually(t, 15*time.Second, "the buyer's second message", func() bool { return len(messages(t, shop, conv.ID)) >= 3 })
	if ms := messages(t, shop, conv.ID); len(ms) != 3 || ms[2].Text != "什么时候到？" {
		t.Fatalf("after the second message: %+v", ms)
	}
	for _, call := range fake.SyncCalls()[1:] {
		if call["cursor"] == nil || call["cursor"] == "" {
			t.Fatalf("a later pull started over instead of from the stored cursor: %v", fake.SyncCalls())
		}
	}
	if n := fake.TokenFetches(); n != 1 {
		t.Fatalf("gettoken called %d times, want 1 for pulls, names and the send", n)
	}
}

// A Telegram bot through the real app: the update with the channel's secret token
// lands in the inbox, a forged one is refused, the reply reaches sendMessage.
func TestTelegramThroughTheApp(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "tg", "http://127.0.0.1:9/unused")
	fake := telegramtest.New(t)
	chID, secret, hook := platformChannel(t, inst, shop, "telegram", fake.Config())

	update := telegramtest.Update(90001, 5550001, 17, "Ivan", "Petrov", "Is the blue one in stock?", time.Now())
	if status, body := post(t, telegramtest.Delivery(hook, "wrong-secret", update)); status != http.StatusUnauthorized {
		t.Fatalf("a forged update answered %d %s", status, body)
	}
	for range 2 { // Telegram redelivers when unsure: stored once
		if status, body := post(t, telegramtest.Delivery(hook, secret, update)); status != http.StatusOK {
			t.Fatalf("update answered %d %s", status, body)
		}
	}
	conv := inboxConversation(t, shop, chID)
	if conv.Customer.ID != "5550001" || conv.Customer.Name != "Ivan Petrov" || conv.Window != nil {
		t.Fatalf("conversation %+v", conv)
	}
	if ms := messages(t, shop, conv.ID); len(ms) != 1 || ms[0].Text != "Is the blue one in stock?" {
		t.Fatalf("messages %+v", ms)
	}
	replyAndWaitSent(t, shop, conv.ID, "Yes, ships today.")
	if sent := fake.SentMessages(); len(sent) != 1 || sent[0].ChatID != "5550001" || sent[0].Text != "Yes, ships today." {
		t.Fatalf("Telegram received %+v", sent)
	}
}

// WhatsApp through the real app: Meta's hub challenge, a signed notification into
// the inbox with the 24-hour window shown, the reply through the Graph API.
func TestWhatsAppThroughTheApp(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "wa", "http://127.0.0.1:9/unused")
	fake := whatsapptest.New(t)
	chID, _, hook := platformChannel(t, inst, shop, "whatsapp", fake.Config())

	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {whatsapptest.VerifyToken}, "hub.challenge": {"1158201444"}}
	resp, err := http.Get(hook + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "1158201444" {
		t.Fatalf("hub challenge answered %d %q", resp.StatusCode, body)
	}
	q.Set("hub.verify_token", "guess")
	if resp, err := http.Get(hook + "?" + q.Encode()); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong verify token answered %v %v", resp.StatusCode, err)
	}

	sentAt := time.Now().Add(-time.Hour).Truncate(time.Second)
	note := whatsapptest.Notification(map[string]string{"5511988887777": "Ana"},
		whatsapptest.TextMessage("wamid.HBgNNTUxMTk4ODg4Nzc3NxUCABIYFjNFQjA", "5511988887777", "Tem em azul?", sentAt))
	if status, _ := post(t, whatsapptest.Delivery(hook, "not-the-app-secret", note)); status != http.StatusUnauthorized {
		t.Fatalf("a forged notification answered %d", status)
	}
	if status, body := post(t, whatsapptest.Delivery(hook, whatsapptest.AppSecret, note)); status != http.StatusOK {
		t.Fatalf("notification answered %d %s", status, body)
	}
	conv := inboxConversation(t, shop, chID)
	if conv.Customer.ID != "5511988887777" || conv.Customer.Name != "Ana" {
		t.Fatalf("customer %+v", conv.Customer)
	}
	if conv.Window == nil || conv.Window.RepliesLeft != nil || conv.Window.ClosesAt != sentAt.Add(24*time.Hour).UTC().Format(time.RFC3339) {
		t.Fatalf("reply window %+v, want closing 24 h after %v with no count", conv.Window, sentAt)
	}
	replyID := replyAndWaitSent(t, shop, conv.ID, "Tem sim!")
	if sent := fake.SentMessages(); len(sent) != 1 || sent[0].To != "5511988887777" || sent[0].Text != "Tem sim!" || sent[0].CallbackData != replyID {
		t.Fatalf("WhatsApp received %+v", sent)
	}
}
