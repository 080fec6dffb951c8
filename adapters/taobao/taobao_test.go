package taobao_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/taobao"
	"github.com/chatbridge/chatbridge/adapters/taobao/taobaotest"
	"github.com/chatbridge/chatbridge/models"
)

const (
	appKey  = "12345678"
	secret  = "helloworld"
	session = "shop-session-1"
)

func channel(t *testing.T, base, signMethod string) adapters.Channel {
	t.Helper()
	cfg, _ := json.Marshal(taobao.Config{AppKey: appKey, AppSecret: secret, Session: session, SignMethod: signMethod, APIBaseURL: base})
	return adapters.Channel{ID: 7, ShopID: 1, Type: taobao.Type, Config: cfg}
}

func newAdapter() *taobao.Adapter {
	return taobao.New(adapters.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}})
}

// modified is a trade's modification time as TOP writes it (GMT+8) and as the event holds it.
func modified(n int) (string, time.Time) {
	at := time.Date(2026, 11, 23, 8, 0, n, 0, time.UTC)
	return at.In(taobao.CST).Format(taobao.TimeLayout), at
}

func trade(tid int64, status string, n int) (taobao.Trade, *adapters.OrderEvent) {
	mod, at := modified(n)
	tr := taobao.Trade{Tid: json.Number(fmt.Sprint(tid)), Status: status, Payment: "129.00", Modified: mod,
		BuyerNick: "t**1", BuyerOpenUID: fmt.Sprintf("AAH-buyer-%d", tid), ReceiverName: "王小二", ReceiverMobile: "13800000000",
		ReceiverState: "浙江省", ReceiverCity: "杭州市", ReceiverDistrict: "西湖区", ReceiverAddress: "文三路99号"}
	tr.Orders.Order = []taobao.SubOrder{{Oid: json.Number(fmt.Sprint(tid*10 + 1)), Title: "马克杯", Num: 2, OuterSkuID: "MUG-RED"}}
	ev := &adapters.OrderEvent{ExternalID: fmt.Sprint(tid), CustomerID: fmt.Sprintf("AAH-buyer-%d", tid), Total: "129.00",
		Currency: "CNY", UpdatedAt: at, Items: []models.OrderItem{{SKU: "MUG-RED", Title: "马克杯", Quantity: 2}},
		Address: &models.Address{Name: "王小二", Phone: "13800000000", Region: "浙江省 杭州市 西湖区", Detail: "文三路99号"}}
	return tr, ev
}

// seed fills the fake: 104 paid trades (more than one consume page), a shipped one, one
// in refund with its case, a message for a trade already named, and a topic not read.
func seed(s *taobaotest.Server) []adapters.Event {
	var want []adapters.Event
	id := int64(1000)
	for i := range 104 {
		tr, ev := trade(3000000000000000+int64(i), "WAIT_SELLER_SEND_GOODS", i)
		ev.Status = models.OrderPaid
		s.PutTrade(tr, false)
		id++
		s.Publish(id, "taobao_trade_TradeBuyerPay", map[string]any{"tid": tr.Tid, "status": tr.Status})
		want = append(want, adapters.Event{Order: ev})
	}
	// Second page: shipped, the same trade again, a refund, an unread topic.
	tr, ev := trade(4000000000000001, "WAIT_BUYER_CONFIRM_GOODS", 200)
	tr.Orders.Order[0].LogisticsCompany, tr.Orders.Order[0].InvoiceNo = "顺丰速运", "SF1234567890"
	ev.Status, ev.Tracking = models.OrderShipped, &adapters.Tracking{Carrier: "顺丰速运", Number: "SF1234567890"}
	s.PutTrade(tr, true)
	s.Publish(id+1, "taobao_trade_TradeSellerShip", map[string]any{"tid": tr.Tid})
	s.Publish(id+2, "taobao_trade_TradeChanged", map[string]any{"tid": tr.Tid})
	want = append(want, adapters.Event{Order: ev})

	rt, rev := trade(4000000000000002, "WAIT_BUYER_CONFIRM_GOODS", 300)
	rt.Orders.Order[0].RefundStatus = "WAIT_SELLER_AGREE"
	s.PutTrade(rt, true)
	refMod, refAt := modified(400)
	deadline := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	s.PutRefund(taobao.Refund{RefundID: "8800001", Tid: rt.Tid, Status: "WAIT_SELLER_AGREE", RefundFee: "64.50", Reason: "颜色不符",
		HasGoodReturn: true, Modified: refMod, RemindTimeout: &struct {
			ExistTimeout bool   `json:"exist_timeout"`
			Timeout      string `json:"timeout"`
		}{true, deadline.In(taobao.CST).Format(taobao.TimeLayout)}})
	s.Publish(id+3, "taobao_trade_TradeChanged", map[string]any{"tid": rt.Tid})
	s.Publish(id+4, "taobao_refund_RefundCreated", map[string]any{"tid": rt.Tid, "refund_id": 8800001, "modified": refMod})
	s.Publish(id+5, "taobao_item_ItemUpshelf", map[string]any{"num_iid": 1})
	rev.Status, rev.UpdatedAt = models.OrderRefunding, refAt
	rev.Refund = &adapters.Refund{ExternalID: "8800001", Type: "return_refund", Status: "requested", Amount: "64.50",
		Reason: "颜色不符", DeadlineAt: deadline}
	want = append(want, adapters.Event{Order: rev})
	return want
}

func TestPullConformance(t *testing.T) {
	for _, method := range []string{taobao.SignMD5, taobao.SignHMAC, taobao.SignHMACSHA256} {
		t.Run(method, func(t *testing.T) {
			s := taobaotest.New(appKey, secret, session)
			defer s.Close()
			want := seed(s)
			adaptertest.RunPull(t, adaptertest.PullPlatform{
				Adapter: newAdapter(), Channel: channel(t, s.URL, method), Want: want, API: s,
				Flags: map[string]string{"none": "0", "red": "1", "yellow": "2", "green": "3", "blue": "4", "purple": "5"},
			})
			if n := s.Unconfirmed(); n != 0 {
				t.Errorf("%d messages left unconfirmed after the last pull", n)
			}
		})
	}
}

// A forged or mis-keyed call is refused by the gateway as TOP does, and the adapter
// reports a bad secret or session as permanent.
func TestBadCredentialsArePermanent(t *testing.T) {
	s := taobaotest.New(appKey, secret, session)
	defer s.Close()
	a := newAdapter()
	for name, cfg := range map[string]taobao.Config{
		"secret":  {AppKey: appKey, AppSecret: "wrong", Session: session, APIBaseURL: s.URL},
		"session": {AppKey: appKey, AppSecret: secret, Session: "revoked", APIBaseURL: s.URL},
	} {
		raw, _ := json.Marshal(cfg)
		_, err := a.Poll(context.Background(), adapters.Channel{Type: taobao.Type, Config: raw}, "", "")
		var perm *adapters.PermanentError
		if !errors.As(err, &perm) {
			t.Errorf("wrong %s answers %v, want a PermanentError", name, err)
		}
	}
	if len(s.Calls()) != 0 {
		t.Errorf("the gateway served %d calls with bad credentials", len(s.Calls()))
	}
}

// memo.add is called once per trade; the next note goes through memo.update.
func TestMemoAddThenUpdate(t *testing.T) {
	s := taobaotest.New(appKey, secret, session)
	defer s.Close()
	tr, _ := trade(5000000000000001, "WAIT_SELLER_SEND_GOODS", 1)
	s.PutTrade(tr, false)
	a, ch := newAdapter(), channel(t, s.URL, "")
	ctx := context.Background()
	for _, n := range []adapters.OrderNote{
		{OrderID: "5000000000000001", Flag: "red", Note: "改地址: 文二路1号"},
		{OrderID: "5000000000000001", Flag: "blue", Note: "送贺卡"},
		{OrderID: "5000000000000001", Flag: "none", Note: ""},
	} {
		if err := a.WriteNote(ctx, ch, n); err != nil {
			t.Fatalf("note %+v: %v", n, err)
		}
	}
	var methods []string
	for _, c := range s.Calls() {
		methods = append(methods, c.Method)
	}
	wantMethods := "taobao.trade.memo.add taobao.trade.memo.add taobao.trade.memo.update taobao.trade.memo.update"
	if got := strings.Join(methods, " "); got != wantMethods {
		t.Errorf("calls %s, want %s", got, wantMethods)
	}
	want := []adaptertest.NoteCall{
		{OrderID: "5000000000000001", Flag: "1", Note: "改地址: 文二路1号"},
		{OrderID: "5000000000000001", Flag: "4", Note: "送贺卡"},
		{OrderID: "5000000000000001", Flag: "0", Note: ""},
	}
	if got := s.Notes(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("memos %+v, want %+v", got, want)
	}
	long := strings.Repeat("备", 334) // 1002 bytes
	var perm *adapters.PermanentError
	if err := a.WriteNote(ctx, ch, adapters.OrderNote{OrderID: "5000000000000001", Flag: "red", Note: long}); !errors.As(err, &perm) {
		t.Errorf("a memo over 1000 bytes answers %v, want a PermanentError", err)
	}
}

func TestAddressChange(t *testing.T) {
	s := taobaotest.New(appKey, secret, session)
	defer s.Close()
	paid, _ := trade(6000000000000001, "WAIT_SELLER_SEND_GOODS", 1)
	shipped, _ := trade(6000000000000002, "WAIT_BUYER_CONFIRM_GOODS", 1)
	s.PutTrade(paid, false)
	s.PutTrade(shipped, true)
	a, ch := newAdapter(), channel(t, s.URL, "")
	ctx := context.Background()
	addr := models.Address{Name: "李四", Phone: "13900000000", Region: "浙江省 杭州市 滨江区", Detail: "江南大道100号"}

	if err := a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: "6000000000000001", Address: addr}); err != nil {
		t.Fatal(err)
	}
	got := s.Addresses()
	if len(got) != 1 || got[0].Get("receiver_name") != "李四" || got[0].Get("receiver_mobile") != "13900000000" ||
		got[0].Get("receiver_state") != "浙江省" || got[0].Get("receiver_district") != "滨江区" || got[0].Get("receiver_address") != "江南大道100号" {
		t.Fatalf("the gateway received %v", got)
	}

	err := a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: "6000000000000002", Address: addr})
	var perm *adapters.PermanentError
	if !errors.As(err, &perm) || !errors.Is(err, taobao.ErrShipped) || !strings.Contains(err.Error(), "intercept the parcel") {
		t.Errorf("a change after shipment answers %v, want a PermanentError saying to intercept the parcel", err)
	}

	calls := len(s.Calls())
	for name, bad := range map[string]models.Address{
		// 115 Chinese characters: 345 bytes in UTF-8, 230 in GBK (limit 228).
		"detail": {Name: "李四", Region: "浙江省 杭州市", Detail: strings.Repeat("路", 115)},
		// 26 characters: 52 bytes in GBK (limit 50).
		"name":  {Name: strings.Repeat("名", 26), Detail: "1号"},
		"emoji": {Name: "李四😀", Detail: "1号"},
	} {
		err := a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: "6000000000000001", Address: bad})
		var badReq *adapters.BadRequestError
		if !errors.As(err, &perm) || !errors.As(err, &badReq) {
			t.Errorf("%s: answers %v, want a permanent BadRequestError", name, err)
		}
	}
	// 114 characters are 228 GBK bytes: exactly the limit, accepted.
	if err := a.UpdateAddress(ctx, ch, adapters.AddressChange{OrderID: "6000000000000001",
		Address: models.Address{Name: "李四", Detail: strings.Repeat("路", 114)}}); err != nil {
		t.Errorf("an address at the GBK limit: %v", err)
	}
	if n := len(s.Calls()); n != calls+1 {
		t.Errorf("%d calls reached the gateway for refused addresses", n-calls-1)
	}
}

func TestTradeStatusMapping(t *testing.T) {
	cases := []struct {
		status, refund string
		want           models.OrderStatus
	}{
		{"WAIT_BUYER_PAY", "", models.OrderUnpaid},
		{"TRADE_NO_CREATE_PAY", "", models.OrderUnpaid},
		{"WAIT_SELLER_SEND_GOODS", "", models.OrderPaid},
		{"WAIT_SELLER_SEND_GOODS", "WAIT_SELLER_AGREE", models.OrderRefunding},
		{"SELLER_CONSIGNED_PART", "", models.OrderShipped},
		{"WAIT_BUYER_CONFIRM_GOODS", "", models.OrderShipped},
		{"TRADE_BUYER_SIGNED", "", models.OrderDelivered},
		{"TRADE_FINISHED", "", models.OrderDelivered},
		{"TRADE_FINISHED", "SELLER_REFUSE_BUYER", models.OrderRefunding},
		{"TRADE_CLOSED", "SUCCESS", models.OrderRefunded},
		{"TRADE_CLOSED", "", models.OrderClosed},
		{"TRADE_CLOSED_BY_TAOBAO", "", models.OrderClosed},
	}
	for _, c := range cases {
		tr, _ := trade(1, c.status, 1)
		tr.Orders.Order[0].RefundStatus = c.refund
		ev, err := tr.Event()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Status != c.want {
			t.Errorf("%s with line refund %q → %s, want %s", c.status, c.refund, ev.Status, c.want)
		}
	}
	tr, _ := trade(1, "SOMETHING_NEW", 1)
	if _, err := tr.Event(); err == nil || !strings.Contains(err.Error(), "SOMETHING_NEW") {
		t.Errorf("an unknown status answers %v, want an error naming it", err)
	}
}

func TestValidateConfig(t *testing.T) {
	a := newAdapter()
	for raw, field := range map[string]string{
		`{"app_secret":"s","session":"x"}`:                                        "config.app_key",
		`{"app_key":"k","session":"x"}`:                                           "config.app_secret",
		`{"app_key":"k","app_secret":"s"}`:                                        "config.session",
		`{"app_key":"k","app_secret":"s","session":"x","sign_method":"sha1"}`:     "config.sign_method",
		`{"app_key":"k","app_secret":"s","session":"x","api_base_url":"ftp://x"}`: "config.api_base_url",
		`[]`: "config",
	} {
		var bad *adapters.BadRequestError
		if err := a.ValidateConfig(json.RawMessage(raw)); !errors.As(err, &bad) || bad.Field != field {
			t.Errorf("%s answers %v, want a BadRequestError on %s", raw, err, field)
		}
	}
	if err := a.ValidateConfig(json.RawMessage(`{"app_key":"k","app_secret":"s","session":"x","sign_method":"hmac-sha256"}`)); err != nil {
		t.Errorf("a good config: %v", err)
	}
}
