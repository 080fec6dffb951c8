package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/douyin"
	"github.com/chatbridge/chatbridge/adapters/douyin/douyintest"
	"github.com/chatbridge/chatbridge/adapters/jd"
	"github.com/chatbridge/chatbridge/adapters/jd/jdtest"
	"github.com/chatbridge/chatbridge/adapters/pdd"
	"github.com/chatbridge/chatbridge/adapters/pdd/pddtest"
	"github.com/chatbridge/chatbridge/adapters/shopify"
	"github.com/chatbridge/chatbridge/adapters/shopify/shopifytest"
	"github.com/chatbridge/chatbridge/adapters/taobao"
	"github.com/chatbridge/chatbridge/adapters/taobao/taobaotest"
	"github.com/chatbridge/chatbridge/internal/app"
)

// market is one marketplace's fake as the app test drives it.
type market struct {
	typ    string
	config map[string]any
	// orderID is the platform order the fake holds, changed 10 minutes ago.
	orderID string
	// arrive gets the order into ChatBridge: a webhook, or nil for "Sync now".
	arrive func(t *testing.T, inst *Instance, webhookURL string)
	notes  func() []adaptertest.NoteCall
	// red is the colour value the platform's remark API must receive for red.
	red    string
	revoke func()
	// refused is what the failed write-back's error must mention.
	refused string
}

const changeNote = "改地址: 杭州市西湖区文三路99号"

// runMarketplace is the "done when" through the real app on MariaDB, Redis
// and asynq: the channel is created pointing at the fake platform, the order arrives,
// a red-flag note set in ChatBridge reaches the platform's remark API with the right
// colour (the fake accepts only correctly signed calls) and the note shows synced;
// once the platform refuses for good, the next note shows failed with the reason.
func runMarketplace(t *testing.T, m market) {
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, m.typ+"-shop", "http://127.0.0.1:1/unused")
	admin := inst.Admin(t)
	var ch struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	admin.Do("POST", "/api/v1/channels", map[string]any{"shop_id": shop.ID, "type": m.typ, "name": m.typ, "config": m.config},
		http.StatusCreated, &ch)

	if m.arrive != nil {
		m.arrive(t, inst, ch.WebhookURL)
		shop.Supervisor.Do("POST", "/api/v1/channels/"+ch.ID+"/poll", nil, http.StatusBadRequest, nil)
	} else {
		shop.Agent.Do("POST", "/api/v1/channels/"+ch.ID+"/poll", nil, http.StatusForbidden, nil)
		other := inst.NewShop(t, m.typ+"-other", "http://127.0.0.1:1/unused")
		other.Supervisor.Do("POST", "/api/v1/channels/"+ch.ID+"/poll", nil, http.StatusNotFound, nil)
		shop.Supervisor.Do("POST", "/api/v1/channels/"+ch.ID+"/poll", nil, http.StatusAccepted, nil)
	}
	type order struct {
		ID         string `json:"id"`
		ExternalID string `json:"external_id"`
		Status     string `json:"status"`
		Flag       string `json:"flag"`
		NoteSync   string `json:"note_sync"`
	}
	var orders struct{ Items []order }
	Eventually(t, 30*time.Second, "the order to arrive", func() bool {
		shop.Agent.Do("GET", "/api/v1/channels/"+ch.ID+"/orders?external_id="+m.orderID, nil, http.StatusOK, &orders)
		return len(orders.Items) == 1
	})
	o := orders.Items[0]
	if o.Status != "paid" {
		t.Fatalf("order arrived as %+v, want paid", o)
	}

	shop.Agent.Do("PUT", "/api/v1/orders/"+o.ID+"/note",
		map[string]string{"flag": "red", "note": changeNote, "category": "address_change"}, http.StatusOK, nil)
	Eventually(t, 30*time.Second, "the note to reach the platform", func() bool { return len(m.notes()) > 0 })
	want := adaptertest.NoteCall{OrderID: m.orderID, Flag: m.red, Note: changeNote}
	if got := m.notes(); len(got) != 1 || got[0] != want {
		t.Fatalf("the platform received %+v, want one %+v", got, want)
	}
	type history struct {
		Items []struct {
			Flag, Sync string
			SyncError  string `json:"sync_error"`
		}
	}
	var h history
	Eventually(t, 30*time.Second, "the note to show synced", func() bool {
		shop.Agent.Do("GET", "/api/v1/orders/"+o.ID+"/notes", nil, http.StatusOK, &h)
		return len(h.Items) == 1 && h.Items[0].Sync == "synced"
	})

	m.revoke()
	shop.Agent.Do("PUT", "/api/v1/orders/"+o.ID+"/note", map[string]string{"flag": "yellow", "note": "送贺卡", "category": "greeting_card"},
		http.StatusOK, nil)
	Eventually(t, 30*time.Second, "the refused write-back to show failed", func() bool {
		h = history{}
		shop.Agent.Do("GET", "/api/v1/orders/"+o.ID+"/notes", nil, http.StatusOK, &h)
		return len(h.Items) == 2 && h.Items[0].Sync == "failed"
	})
	if !strings.Contains(h.Items[0].SyncError, m.refused) {
		t.Fatalf("failed write-back says %q, want it to mention %q", h.Items[0].SyncError, m.refused)
	}
	shop.Agent.Do("GET", "/api/v1/channels/"+ch.ID+"/orders?external_id="+m.orderID, nil, http.StatusOK, &orders)
	if got := orders.Items[0]; got.Flag != "yellow" || got.NoteSync != "failed" {
		t.Fatalf("order after the refusal: %+v", got)
	}
}

func tenMinutesAgo() time.Time { return time.Now().Add(-10 * time.Minute).Truncate(time.Second) }

func TestTaobaoOrderNoteReachesThePlatform(t *testing.T) {
	t.Parallel()
	fake := taobaotest.New("12345678", "tb-secret", "tb-session")
	defer fake.Close()
	tr := taobao.Trade{Tid: "9100000000000001", Status: "WAIT_SELLER_SEND_GOODS", Payment: "129.00",
		Modified: tenMinutesAgo().In(taobao.CST).Format(taobao.TimeLayout), BuyerOpenUID: "AAH-buyer", ReceiverName: "王小二",
		ReceiverState: "浙江省", ReceiverCity: "杭州市", ReceiverAddress: "文三路1号"}
	tr.Orders.Order = []taobao.SubOrder{{Oid: "91000000000000011", Title: "马克杯", Num: 1}}
	fake.PutTrade(tr, false)
	fake.Publish(1, "taobao_trade_TradeBuyerPay", map[string]any{"tid": 9100000000000001})
	runMarketplace(t, market{typ: "taobao", orderID: "9100000000000001", notes: fake.Notes, red: "1", revoke: fake.Revoke,
		refused: "Invalid session", config: map[string]any{"app_key": "12345678", "app_secret": "tb-secret",
			"session": "tb-session", "sign_method": "hmac-sha256", "api_base_url": fake.URL}})
	if n := fake.Unconfirmed(); n != 0 {
		t.Errorf("%d TMC messages left unconfirmed", n)
	}
}

func TestPinduoduoOrderNoteReachesThePlatform(t *testing.T) {
	t.Parallel()
	fake := pddtest.New("pdd-client", "pdd-secret", "pdd-token")
	defer fake.Close()
	fake.PutOrder(pdd.Order{OrderSN: "261201-000000001", OrderStatus: 1, RefundStatus: 1, ConfirmStatus: 1, PayAmount: 59.9,
		UpdatedAt: tenMinutesAgo().In(pdd.CST).Format(pdd.TimeLayout), ItemList: []pdd.Item{{GoodsName: "保温杯", GoodsCount: 1}}})
	runMarketplace(t, market{typ: "pdd", orderID: "261201-000000001", notes: fake.Notes, red: "1", revoke: fake.Revoke,
		refused: "access_token", config: map[string]any{"client_id": "pdd-client", "client_secret": "pdd-secret",
			"access_token": "pdd-token", "api_base_url": fake.URL}})
}

func TestJDOrderNoteReachesThePlatform(t *testing.T) {
	t.Parallel()
	fake := jdtest.New("jd-key", "jd-secret", "jd-token")
	defer fake.Close()
	fake.PutOrder(jd.Order{OrderID: "3200000001", OrderState: "WAIT_SELLER_STOCK_OUT", OrderPayment: "199.00", Pin: "jd_buyer",
		Modified: tenMinutesAgo().In(jd.CST).Format(jd.TimeLayout), Items: []jd.Item{{SkuName: "电水壶", SkuID: "1", ItemTotal: "1"}}})
	runMarketplace(t, market{typ: "jd", orderID: "3200000001", notes: fake.Notes, red: "1", revoke: fake.Revoke,
		refused: "Invalid access_token", config: map[string]any{"app_key": "jd-key", "app_secret": "jd-secret",
			"access_token": "jd-token", "api_base_url": fake.URL}})
}

func TestDouyinOrderNoteReachesThePlatform(t *testing.T) {
	t.Parallel()
	fake := douyintest.New("dy-key", "dy-secret", "dy-token")
	defer fake.Close()
	fake.PutOrder(douyin.ShopOrder{OrderID: "6920000000000001", OrderStatus: 2, PayAmount: 8990, UpdateTime: tenMinutesAgo().Unix(),
		DoudianOpenID: "dy-buyer", SkuOrderList: []douyin.SkuOrder{{ProductName: "火锅底料", ItemNum: 1}}})
	runMarketplace(t, market{typ: "douyin", orderID: "6920000000000001", notes: fake.Notes, red: "5", revoke: fake.Revoke,
		refused: "access-token-expired", config: map[string]any{"app_key": "dy-key", "app_secret": "dy-secret",
			"access_token": "dy-token", "sign_method": "hmac-sha256", "api_base_url": fake.URL}})
}

func TestShopifyOrderNoteReachesThePlatform(t *testing.T) {
	t.Parallel()
	const shopDomain, secret = "cb-test.myshopify.com", "shpss_app"
	fake := shopifytest.New("shpat_app")
	defer fake.Close()
	fulfilled := (*string)(nil)
	o := shopify.Order{ID: "5300000000001", UpdatedAt: tenMinutesAgo().Format(time.RFC3339), FinancialStatus: "paid",
		FulfillmentStatus: fulfilled, TotalPrice: "59.00", Currency: "USD", Customer: &shopify.Customer{ID: "7001"},
		LineItems: []shopify.LineItem{{SKU: "MUG", Title: "Mug", Quantity: 1}}}
	fake.PutOrder(o)
	body, _ := json.Marshal(o)
	deliver := func(t *testing.T, inst *Instance, webhookURL string) {
		for _, c := range []struct {
			secret string
			want   int
		}{{"shpss_forged", http.StatusUnauthorized}, {secret, http.StatusOK}, {secret, http.StatusOK}} {
			req := shopifytest.Delivery(webhookURL, c.secret, shopDomain, "orders/create", "wh-1", body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("webhook signed with %s: %d %s, want %d", c.secret, resp.StatusCode, raw, c.want)
			}
		}
	}
	runMarketplace(t, market{typ: "shopify", orderID: "5300000000001", arrive: deliver, notes: fake.Notes, red: "red",
		revoke: fake.Revoke, refused: "401", config: map[string]any{"shop_domain": shopDomain, "access_token": "shpat_app",
			"client_secret": secret, "api_base_url": fake.URL}})
	if tags := fake.Order("5300000000001").Tags; tags == nil || *tags != shopify.FlagTagPrefix+"red" {
		t.Errorf("order tags %v, want %s", tags, fmt.Sprint(shopify.FlagTagPrefix+"red"))
	}
}
