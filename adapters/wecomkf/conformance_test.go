package wecomkf_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/wecomkf"
	"github.com/chatbridge/chatbridge/adapters/wecomkf/wecomkftest"
	"github.com/chatbridge/chatbridge/internal/ratelimit"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/internal/tokencache"
)

const shopKf = "wkShopKf01"

// deps builds the adapter's shared services on the test's own Redis.
func deps(t *testing.T, client *http.Client) adapters.Deps {
	rdb := redis.NewClient(testenv.Redis(t))
	t.Cleanup(func() { _ = rdb.Close() })
	return adapters.Deps{HTTP: client, Tokens: tokencache.New(rdb), Limiter: ratelimit.New(rdb), Now: time.Now}
}

func channel(t *testing.T, cfg wecomkf.Config) adapters.Channel {
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return adapters.Channel{ID: 7, ShopID: 1, Type: wecomkf.Type, Secret: "unused-by-wecom", Config: raw}
}

var sentAt = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// batch n is what the buyers write before callback n: odd batches one text, even ones
// an image too, with a servicer's message and a session event that are no buyer's.
func batch(n int) []wecomkftest.Msg {
	at := sentAt.Add(time.Duration(n) * time.Minute)
	buyer := fmt.Sprintf("wmBuyer%d", n)
	msgs := []wecomkftest.Msg{wecomkftest.TextMsg(fmt.Sprintf("msg-%d-a", n), shopKf, buyer, fmt.Sprintf("还有货吗？%d", n), at)}
	if n%2 == 0 {
		msgs = append(msgs,
			wecomkftest.EventMsg(fmt.Sprintf("msg-%d-e", n), shopKf, buyer, "enter_session", at),
			wecomkftest.ServicerMsg(fmt.Sprintf("msg-%d-s", n), shopKf, buyer, "您好", at),
			wecomkftest.ImageMsg(fmt.Sprintf("msg-%d-b", n), shopKf, buyer, fmt.Sprintf("media-in-%d", n), at))
	}
	return msgs
}

func want(n int) []adapters.Event {
	at := sentAt.Add(time.Duration(n) * time.Minute)
	cust := adapters.Customer{ID: wecomkf.CustomerID(shopKf, fmt.Sprintf("wmBuyer%d", n)), Name: fmt.Sprintf("买家%d", n)}
	evs := []adapters.Event{{Message: &adapters.InboundMessage{ExternalID: fmt.Sprintf("msg-%d-a", n), Customer: cust,
		Type: "text", Text: fmt.Sprintf("还有货吗？%d", n), SentAt: at}}}
	if n%2 == 0 {
		evs = append(evs, adapters.Event{Message: &adapters.InboundMessage{ExternalID: fmt.Sprintf("msg-%d-b", n), Customer: cust,
			Type: "image", Text: "[图片]", SentAt: at, Media: &adapters.MediaRef{ID: fmt.Sprintf("media-in-%d", n)}}})
	}
	return evs
}

func TestConformance(t *testing.T) {
	fake := wecomkftest.New(t, wecomkftest.DefaultCorp)
	ch := channel(t, fake.Config(shopKf))
	tokens := map[int]string{}
	callback := func(t *testing.T, n int) string {
		if tok, ok := tokens[n]; ok {
			return tok
		}
		fake.Name(fmt.Sprintf("wmBuyer%d", n), fmt.Sprintf("买家%d", n))
		tokens[n] = fake.BuyerWrites(batch(n)...)
		return tokens[n]
	}
	adaptertest.Run(t, adaptertest.Platform{
		Adapter: wecomkf.New(deps(t, fake.Client())),
		Channel: ch,
		Deliver: func(t *testing.T, n int) (*http.Request, []adapters.Event) {
			tok := callback(t, n)
			return fake.Callback(t, "/webhooks/wecom_kf/7", tok, shopKf, time.Now()),
				[]adapters.Event{{Poll: &adapters.PollRequest{Hint: tok}}}
		},
		Forge: func(t *testing.T, n int) *http.Request {
			forger := fake.Corp
			forger.Token = "not-the-token"
			return fake.Sealed(t, "/webhooks/wecom_kf/7", "<xml><MsgType>event</MsgType></xml>", forger, time.Now())
		},
		Stale: func(t *testing.T, n int) *http.Request {
			return fake.Callback(t, "/webhooks/wecom_kf/7", callback(t, n), shopKf, time.Now().Add(-wecomkf.MaxSkew-time.Minute))
		},
		// The pull from the empty cursor reads everything the buyers wrote so far.
		Pulled: func(t *testing.T, n int) []adapters.Event {
			var all []adapters.Event
			for k := 1; k <= n; k++ {
				all = append(all, want(k)...)
			}
			return all
		},
		API:          fake,
		ThrottleWait: wecomkf.ThrottleWait,
	})
}
