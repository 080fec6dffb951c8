package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/telegram"
	"github.com/chatbridge/chatbridge/adapters/telegram/telegramtest"
	"github.com/chatbridge/chatbridge/internal/ratelimit"
	"github.com/chatbridge/chatbridge/internal/testenv"
)

const secret = "Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3ODkw"

// unlimited lets every call through: the conformance suite retries at once, which
// the per-chat budget (one a second) would rightly hold back. The real shared
// limiter is tested below on Redis.
type unlimited struct{}

func (unlimited) Allow(context.Context, string, int, time.Duration) (time.Duration, error) {
	return 0, nil
}

func channel(t *testing.T, cfg telegram.Config) adapters.Channel {
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return adapters.Channel{ID: 9, ShopID: 1, Type: telegram.Type, Secret: secret, Config: raw}
}

var date = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// delivery n: odd ones a text from a private chat, even ones a photo with a caption
// from a buyer with only a username.
func delivery(n int) ([]byte, []adapters.Event) {
	chatID := int64(700000000 + n)
	if n%2 == 1 {
		return telegramtest.Update(int64(5000+n), chatID, int64(n), "Li", "Wei", fmt.Sprintf("有货吗 %d", n), date),
			[]adapters.Event{{Message: &adapters.InboundMessage{ExternalID: fmt.Sprintf("%d:%d", chatID, n),
				Customer: adapters.Customer{ID: fmt.Sprint(chatID), Name: "Li Wei"}, Type: "text", Text: fmt.Sprintf("有货吗 %d", n), SentAt: date}}}
	}
	body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":%d,"caption":"这个颜色 %d",`+
		`"from":{"id":%d,"is_bot":false,"first_name":"","username":"buyer_%d"},"chat":{"id":%d,"type":"private"},`+
		`"photo":[{"file_id":"small-%d","file_unique_id":"s","width":90,"height":90},{"file_id":"big-%d","file_unique_id":"b","width":1280,"height":960},{"file_id":"mid-%d","file_unique_id":"m","width":320,"height":240}]}}`,
		5000+n, n, date.Unix(), n, chatID, n, chatID, n, n, n)
	return []byte(body), []adapters.Event{{Message: &adapters.InboundMessage{ExternalID: fmt.Sprintf("%d:%d", chatID, n),
		Customer: adapters.Customer{ID: fmt.Sprint(chatID), Name: fmt.Sprintf("@buyer_%d", n)}, Type: "image",
		Text: fmt.Sprintf("这个颜色 %d", n), SentAt: date, Media: &adapters.MediaRef{ID: fmt.Sprintf("big-%d", n)}}}}
}

func TestConformance(t *testing.T) {
	fake := telegramtest.New(t)
	adaptertest.Run(t, adaptertest.Platform{
		Adapter: telegram.New(adapters.Deps{HTTP: fake.Client(), Limiter: unlimited{}}),
		Channel: channel(t, fake.Config()),
		Deliver: func(t *testing.T, n int) (*http.Request, []adapters.Event) {
			body, want := delivery(n)
			return telegramtest.Delivery("/webhooks/telegram/9", secret, body), want
		},
		Forge: func(t *testing.T, n int) *http.Request {
			body, _ := delivery(n)
			return telegramtest.Delivery("/webhooks/telegram/9", secret+"x", body)
		},
		NoFreshness: "Telegram signs no time; a replayed update carries the same chat_id:message_id, stored once",
		API:         fake,
	})
}

func TestParseUpdate(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want int
		err  string
	}{
		"edited message":       {`{"update_id":1,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"x"}}`, 0, ""},
		"callback query":       {`{"update_id":2,"callback_query":{"id":"q","from":{"id":1}}}`, 0, ""},
		"member joined":        {`{"update_id":3,"message":{"message_id":4,"chat":{"id":-100,"type":"group"},"new_chat_members":[{"id":5}]}}`, 0, ""},
		"sticker":              {`{"update_id":4,"message":{"message_id":5,"chat":{"id":1,"type":"private"},"sticker":{"emoji":"👍"}}}`, 1, ""},
		"no update_id":         {`{"message":{"message_id":1,"chat":{"id":1},"text":"x"}}`, 0, "update_id"},
		"message without chat": {`{"update_id":5,"message":{"message_id":1,"text":"x"}}`, 0, "message.chat"},
		"not json":             {`<xml/>`, 0, "body"},
	} {
		evs, err := telegram.ParseUpdate([]byte(tc.body))
		var bad *adapters.BadRequestError
		switch {
		case tc.err != "" && (!errors.As(err, &bad) || bad.Field != tc.err):
			t.Errorf("%s: %v, want a BadRequestError on %s", name, err, tc.err)
		case tc.err == "" && (err != nil || len(evs) != tc.want):
			t.Errorf("%s: %+v, %v; want %d events", name, evs, err, tc.want)
		}
	}
	evs, _ := telegram.ParseUpdate([]byte(`{"update_id":4,"message":{"message_id":5,"chat":{"id":1,"type":"private"},"sticker":{"emoji":"👍"}}}`))
	if m := evs[0].Message; m.Type != "sticker" || m.Text != "[sticker] 👍" || m.ExternalID != "1:5" {
		t.Errorf("sticker = %+v", m)
	}
}

// setWebhook gets the webhook URL, the channel's secret as secret_token and only the
// message updates; getMe checks the token.
func TestRegisterWebhookAndConnection(t *testing.T) {
	fake := telegramtest.New(t)
	a := telegram.New(adapters.Deps{HTTP: fake.Client()})
	ch := channel(t, fake.Config())
	if err := a.RegisterWebhook(context.Background(), ch, "https://shop.example/webhooks/telegram/9"); err != nil {
		t.Fatal(err)
	}
	wh := fake.RegisteredWebhook()
	if wh == nil || wh.URL != "https://shop.example/webhooks/telegram/9" || wh.SecretToken != secret || len(wh.AllowedUpdates) != 1 || wh.AllowedUpdates[0] != "message" {
		t.Fatalf("setWebhook got %+v", wh)
	}
	if err := a.TestConnection(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	bad := fake.Config()
	bad.BotToken = "1:wrong"
	var perm *adapters.PermanentError
	if err := a.TestConnection(context.Background(), channel(t, bad)); !errors.As(err, &perm) {
		t.Fatalf("a wrong token answers %v", err)
	}
}

// The shared budget on Redis: a second message to one chat within a second waits
// (a ThrottledError, not a failure) while another chat's goes through, whichever
// process sends it.
func TestChatBudgetIsShared(t *testing.T) {
	fake := telegramtest.New(t)
	opts := testenv.Redis(t)
	var procs []*telegram.Adapter
	for range 2 {
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { _ = rdb.Close() })
		procs = append(procs, telegram.New(adapters.Deps{HTTP: fake.Client(), Limiter: ratelimit.New(rdb)}))
	}
	ch := channel(t, fake.Config())
	msg := adapters.OutboundMessage{ID: "1", CustomerID: "42", Type: "text", Text: "好的"}
	if _, err := procs[0].Send(context.Background(), ch, msg); err != nil {
		t.Fatal(err)
	}
	_, err := procs[1].Send(context.Background(), ch, msg)
	var th *adapters.ThrottledError
	if !errors.As(err, &th) || th.After <= 0 || th.After > time.Second {
		t.Fatalf("a second message to the chat within a second answers %v", err)
	}
	msg.CustomerID = "43"
	if _, err := procs[1].Send(context.Background(), ch, msg); err != nil {
		t.Fatalf("another chat: %v", err)
	}
	if n := len(fake.SentMessages()); n != 2 {
		t.Fatalf("%d messages reached Telegram, want 2", n)
	}
}

func TestPhotosBothWays(t *testing.T) {
	fake := telegramtest.New(t)
	a := telegram.New(adapters.Deps{HTTP: fake.Client(), Limiter: unlimited{}})
	ch := channel(t, fake.Config())
	jpeg := []byte("\xff\xd8\xff\xe0 fake jpeg")
	fake.File("big-2", jpeg)
	m, err := a.FetchMedia(context.Background(), ch, adapters.MediaRef{ID: "big-2"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if string(got) != string(jpeg) || m.ContentType != "image/jpeg" {
		t.Fatalf("fetched %q %s", got, m.ContentType)
	}
	res, err := a.Send(context.Background(), ch, adapters.OutboundMessage{ID: "5", CustomerID: "42", Type: "image", Text: "实拍图",
		Attachment: &adapters.Attachment{ContentType: "image/jpeg", FileName: "p.jpg", Data: jpeg}})
	if err != nil {
		t.Fatal(err)
	}
	s := fake.SentMessages()[0]
	if s.ChatID != "42" || s.Caption != "实拍图" || string(s.Photo) != string(jpeg) || !strings.HasPrefix(res.RemoteID, "42:") {
		t.Fatalf("sent %+v, remote id %q", s, res.RemoteID)
	}
	var perm *adapters.PermanentError
	long := strings.Repeat("长", 4097)
	if _, err := a.Send(context.Background(), ch, adapters.OutboundMessage{ID: "6", CustomerID: "42", Type: "text", Text: long}); !errors.As(err, &perm) {
		t.Fatalf("a 4097-character text answers %v", err)
	}
}

func TestValidateConfig(t *testing.T) {
	a := telegram.New(adapters.Deps{})
	for _, bad := range []string{`{}`, `{"bot_token":"nocolon"}`, `{"bot_token":"abc:def"}`, `{"bot_token":"1:x/y"}`, `{"bot_token":"1:x","api_base_url":"nope"}`} {
		if err := a.ValidateConfig(json.RawMessage(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
	if err := a.ValidateConfig(json.RawMessage(`{"bot_token":"` + telegramtest.Token + `"}`)); err != nil {
		t.Error(err)
	}
	var _ adapters.WebhookRegistrar = a
	var _ adapters.ConnectionTester = a
	var _ adapters.MediaFetcher = a
	var _ adapters.ConfigDescriber = a
	var _ adapters.TraitsProvider = a
}
