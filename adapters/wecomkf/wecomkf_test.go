package wecomkf_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/wecomkf"
	"github.com/chatbridge/chatbridge/adapters/wecomkf/wecomkftest"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/internal/tokencache"
)

// WeCom's URL check with the official sample: the answer is the decrypted echostr,
// byte for byte.
func TestVerifyURLAnswersThePlaintext(t *testing.T) {
	cfg := wecomkf.Config{CorpID: "wx5823bf96d3bd56c7", Secret: "s", Token: "QDG6eK",
		EncodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}
	d := adapters.Deps{Now: func() time.Time { return time.Unix(1409659589, 0) }}
	a := wecomkf.New(d)
	q := url.Values{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"}, "timestamp": {"1409659589"},
		"nonce": {"263014780"}, "echostr": {"P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="}}
	req := httptest.NewRequest(http.MethodGet, "/webhooks/wecom_kf/7?"+q.Encode(), nil)
	reply, err := a.VerifyURL(context.Background(), channel(t, cfg), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(reply.Body) != "1616140317555161061" {
		t.Fatalf("answer = %q", reply.Body)
	}
	// A relay that left '+' unescaped turns it into a space: still the same echostr.
	raw := strings.ReplaceAll(q.Encode(), "%2B", "+")
	req = httptest.NewRequest(http.MethodGet, "/webhooks/wecom_kf/7?"+raw, nil)
	if reply, err := a.VerifyURL(context.Background(), channel(t, cfg), req); err != nil || string(reply.Body) != "1616140317555161061" {
		t.Fatalf("unescaped '+': %q, %v", reply.Body, err)
	}
	q.Set("nonce", "1")
	req = httptest.NewRequest(http.MethodGet, "/webhooks/wecom_kf/7?"+q.Encode(), nil)
	if _, err := a.VerifyURL(context.Background(), channel(t, cfg), req); !errors.Is(err, adapters.ErrUnauthorized) {
		t.Fatalf("a wrong signature answers %v", err)
	}
}

// Other WeCom events reaching the URL are accepted and give the inbox nothing.
func TestOtherCallbacksAreIgnored(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	a := wecomkf.New(adapters.Deps{HTTP: fake.Client()})
	req := fake.Sealed(t, "/webhooks/wecom_kf/7", "<xml><MsgType>event</MsgType><Event>change_external_contact</Event></xml>", fake.Corp, time.Now())
	body, _ := io.ReadAll(req.Body)
	evs, err := a.ParseWebhook(context.Background(), channel(t, fake.Config("")), req, body)
	if err != nil || len(evs) != 0 {
		t.Fatalf("events %+v, %v", evs, err)
	}
	// Sealed for another corp with the same token and key: refused.
	other := fake.Corp
	other.CorpID = "ww-someone-else"
	req = fake.Sealed(t, "/webhooks/wecom_kf/7", "<xml><MsgType>event</MsgType></xml>", other, time.Now())
	body, _ = io.ReadAll(req.Body)
	if _, err := a.ParseWebhook(context.Background(), channel(t, fake.Config("")), req, body); !errors.Is(err, adapters.ErrUnauthorized) {
		t.Fatalf("another corp's callback answers %v", err)
	}
}

func TestValidateConfigNamesTheField(t *testing.T) {
	a := wecomkf.New(adapters.Deps{})
	good := wecomkftest.DefaultCorp
	for field, cfg := range map[string]string{
		"config":                  `[]`,
		"config.corp_id":          `{"secret":"s","token":"t","encoding_aes_key":"` + good.EncodingAESKey + `"}`,
		"config.secret":           `{"corp_id":"c","token":"t","encoding_aes_key":"` + good.EncodingAESKey + `"}`,
		"config.encoding_aes_key": `{"corp_id":"c","secret":"s","token":"t","encoding_aes_key":"short"}`,
		"config.api_base_url":     `{"corp_id":"c","secret":"s","token":"t","encoding_aes_key":"` + good.EncodingAESKey + `","api_base_url":"ftp://x"}`,
	} {
		var bad *adapters.BadRequestError
		if err := a.ValidateConfig(json.RawMessage(cfg)); !errors.As(err, &bad) || bad.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := a.ValidateConfig(json.RawMessage(`{"corp_id":"c","secret":"s","token":"t","encoding_aes_key":"` + good.EncodingAESKey + `"}`)); err != nil {
		t.Errorf("a good config: %v", err)
	}
}

// WeCom drops a token early: the next call is refused with 42001, the adapter drops
// the cached token, fetches one anew once and the call goes through.
func TestRejectedTokenIsFetchedAgainOnce(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	a := wecomkf.New(deps(t, fake.Client()))
	ch := channel(t, fake.Config(shopKf))
	send := func(id string) {
		t.Helper()
		if _, err := a.Send(context.Background(), ch, adapters.OutboundMessage{ID: id, CustomerID: "wmBuyer", Type: "text", Text: "好的"}); err != nil {
			t.Fatal(err)
		}
	}
	send("1")
	send("2")
	if n := fake.TokenFetches(); n != 1 {
		t.Fatalf("gettoken called %d times for two sends, want 1", n)
	}
	fake.ExpireTokens()
	send("3")
	if n := fake.TokenFetches(); n != 2 {
		t.Fatalf("gettoken called %d times after the token expired, want 2", n)
	}
	if got := len(fake.SentMessages()); got != 3 {
		t.Fatalf("%d messages reached WeCom, want 3", got)
	}
}

// Two processes (two adapters on one Redis) send at once with no token cached:
// gettoken is called once.
func TestTokenFetchedOnceAcrossProcesses(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	// Each process has its own Redis connection to the same database.
	opts := testenv.Redis(t)
	var procs []*wecomkf.Adapter
	for range 2 {
		rdb := redis.NewClient(opts)
		t.Cleanup(func() { _ = rdb.Close() })
		procs = append(procs, wecomkf.New(adapters.Deps{HTTP: fake.Client(), Tokens: tokencache.New(rdb), Now: time.Now}))
	}
	ch := channel(t, fake.Config(shopKf))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := adapters.OutboundMessage{ID: "m" + string(rune('a'+i)), CustomerID: "wmBuyer", Type: "text", Text: "在的"}
			if _, err := procs[i%2].Send(context.Background(), ch, msg); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fake.TokenFetches(); n != 1 {
		t.Fatalf("gettoken called %d times, want 1", n)
	}
}

func TestSendErrors(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	a := wecomkf.New(deps(t, fake.Client()))
	ch := channel(t, fake.Config(""))
	msg := adapters.OutboundMessage{ID: "42", CustomerID: wecomkf.CustomerID("wkOther", "wmBuyer"), Type: "text", Text: "好的"}
	if _, err := a.Send(context.Background(), ch, msg); err != nil {
		t.Fatal(err)
	}
	if s := fake.SentMessages()[0]; s.OpenKfID != "wkOther" || s.ToUser != "wmBuyer" || s.MsgID != "42" {
		t.Fatalf("sent %+v: want the account and buyer of the buyer's id, msgid 42", s)
	}
	var perm *adapters.PermanentError
	fake.RejectNext()
	_, err := a.Send(context.Background(), ch, msg)
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "5 replies within 48 hours") {
		t.Errorf("over the limit: %v", err)
	}
	long := msg
	long.Text = strings.Repeat("好", 700) // 2100 bytes
	if _, err := a.Send(context.Background(), ch, long); !errors.As(err, &perm) || !strings.Contains(err.Error(), "2048 bytes") {
		t.Errorf("a long text: %v", err)
	}
	noKf := msg
	noKf.CustomerID = "wmBuyer"
	if _, err := a.Send(context.Background(), ch, noKf); !errors.Is(err, wecomkf.ErrNoAccount) {
		t.Errorf("no account: %v", err)
	}
	badCorp := fake.Config("")
	badCorp.Secret = "wrong"
	if _, err := wecomkf.New(deps(t, fake.Client())).Send(context.Background(), channel(t, badCorp), msg); !errors.As(err, &perm) {
		t.Errorf("a wrong secret: %v", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "bad gateway", 502) }))
	defer down.Close()
	cfg := fake.Config("")
	cfg.APIBaseURL = down.URL
	_, err = wecomkf.New(deps(t, down.Client())).Send(context.Background(), channel(t, cfg), msg)
	if err == nil || errors.As(err, &perm) {
		t.Errorf("a 502 answers %v, want a retryable error", err)
	}
}

// An image reply is uploaded as temporary media and sent as msgtype image; a buyer's
// image is fetched with media/get.
func TestImages(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	a := wecomkf.New(deps(t, fake.Client()))
	ch := channel(t, fake.Config(shopKf))
	png := []byte("\x89PNG\r\n\x1a\nfake")
	_, err := a.Send(context.Background(), ch, adapters.OutboundMessage{ID: "9", CustomerID: "wmBuyer", Type: "image",
		Attachment: &adapters.Attachment{ContentType: "image/png", FileName: "a.png", Data: png}})
	if err != nil {
		t.Fatal(err)
	}
	s := fake.SentMessages()[0]
	if s.MsgType != "image" || s.MediaID == "" {
		t.Fatalf("sent %+v", s)
	}
	m, err := a.FetchMedia(context.Background(), ch, adapters.MediaRef{ID: s.MediaID})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Body.Close()
	got, _ := io.ReadAll(m.Body)
	if string(got) != string(png) || m.ContentType != "image/jpeg" {
		t.Fatalf("fetched %q (%s)", got, m.ContentType)
	}
	if _, err := a.FetchMedia(context.Background(), ch, adapters.MediaRef{ID: "nope"}); err == nil {
		t.Fatal("an unknown media id was fetched")
	}
}

// sync_msg may answer has_more=1 with an empty list: the pull says More and the next
// page from the returned cursor brings the messages. An expired callback token is
// dropped and the page read without it.
func TestPollPages(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	a := wecomkf.New(deps(t, fake.Client()))
	ch := channel(t, fake.Config(shopKf))
	tok := fake.BuyerWrites(wecomkftest.TextMsg("m1", shopKf, "wmA", "你好", sentAt), wecomkftest.TextMsg("m2", "wkOtherKf", "wmB", "在吗", sentAt))
	fake.EmptyPageNext()
	res, err := a.Poll(context.Background(), ch, "", tok)
	if err != nil || len(res.Events) != 0 || !res.More || res.Cursor != "cur0" {
		t.Fatalf("first page %+v, %v: want empty with More", res, err)
	}
	res, err = a.Poll(context.Background(), ch, res.Cursor, "stale-token")
	if err != nil || res.More || len(res.Events) != 1 || res.Events[0].Message.ExternalID != "m1" {
		t.Fatalf("second page %+v, %v", res, err)
	}
	calls := fake.SyncCalls()
	if len(calls) != 3 || calls[1]["token"] != "stale-token" || calls[2]["token"] != nil || calls[2]["open_kfid"] != shopKf || calls[2]["limit"] != 1000.0 {
		t.Fatalf("sync_msg calls %+v", calls)
	}
	res, err = a.Poll(context.Background(), ch, res.Cursor, "")
	if err != nil || len(res.Events) != 0 || res.More {
		t.Fatalf("nothing new: %+v, %v", res, err)
	}
}

func TestTraits(t *testing.T) {
	a := wecomkf.New(adapters.Deps{})
	var tp adapters.TraitsProvider = a
	if tr := tp.Traits(); tr.ReplyWindow != 48*time.Hour || tr.MaxRepliesInWindow != 5 || !tr.SendsImages {
		t.Fatalf("traits %+v", tr)
	}
	var sp adapters.ScheduledPoller = a
	if sp.PollEvery() <= 0 {
		t.Fatal("no timed pull")
	}
	var _ adapters.URLVerifier = a
	var _ adapters.Acknowledger = a
	var _ adapters.MediaFetcher = a
	var _ adapters.ConfigDescriber = a
	var _ adapters.ConnectionTester = a
}
