package douyin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/douyin"
	"github.com/chatbridge/chatbridge/adapters/douyin/douyintest"
	"github.com/chatbridge/chatbridge/models"
)

const (
	appKey      = "1234567890"
	secret      = "secretxyz"
	accessToken = "shop-token-dy"
)

func channel(base, signMethod string) adapters.Channel {
	cfg, _ := json.Marshal(douyin.Config{AppKey: appKey, AppSecret: secret, AccessToken: accessToken, SignMethod: signMethod, APIBaseURL: base})
	return adapters.Channel{ID: 10, ShopID: 1, Type: douyin.Type, Config: cfg}
}

func order(id string, status int, at time.Time) (douyin.ShopOrder, *adapters.OrderEvent) {
	o := douyin.ShopOrder{OrderID: id, OrderStatus: status, PayAmount: 8990, UpdateTime: at.Unix(), DoudianOpenID: "dy-" + id,
		PostReceiver: "孙七", PostTel: "13500000000", PostAddr: &douyin.PostAddr{Province: douyin.Name{Name: "四川省"},
			City: douyin.Name{Name: "成都市"}, Town: douyin.Name{Name: "武侯区"}, Street: douyin.Name{Name: "浆洗街街道"}, Detail: "1号"},
		SkuOrderList: []douyin.SkuOrder{{ProductName: "火锅底料 <辣> & 香", ItemNum: 3, OutSkuID: "HOTPOT-1"}}}
	ev := &adapters.OrderEvent{ExternalID: id, CustomerID: "dy-" + id, Status: models.OrderPaid, Total: "89.90", Currency: "CNY",
		UpdatedAt: time.Unix(at.Unix(), 0).UTC(), Items: []models.OrderItem{{SKU: "HOTPOT-1", Title: "火锅底料 <辣> & 香", Quantity: 3}},
		Address: &models.Address{Name: "孙七", Phone: "13500000000", Region: "四川省 成都市 武侯区 浆洗街街道", Detail: "1号"}}
	return o, ev
}

func seed(s *douyintest.Server, now time.Time) []adapters.Event {
	busy := now.Add(-douyin.Spec.Lookback).Truncate(time.Second).Add(7 * time.Hour)
	var bulk []adapters.Event
	for i := range 120 {
		o, ev := order(fmt.Sprintf("69%014d", i), 2, busy.Add(time.Duration(i)*time.Second))
		s.PutOrder(o)
		bulk = append(bulk, adapters.Event{Order: ev})
	}
	want := append(append([]adapters.Event{}, bulk[100:]...), bulk[:100]...)
	shipped, sev := order("6800000000000001", 3, now.Add(-2*time.Hour))
	shipped.LogisticsInfo = []douyin.Logistics{{TrackingNo: "ZT0000000001", CompanyName: "中通快递"}}
	sev.Status, sev.Tracking = models.OrderShipped, &adapters.Tracking{Carrier: "中通快递", Number: "ZT0000000001"}
	refund, rev := order("6800000000000002", 5, now.Add(-time.Hour))
	refund.SkuOrderList[0].AfterSaleInfo = &douyin.AfterSaleInfo{AfterSaleStatus: 6, AfterSaleType: 0}
	rev.Status, rev.Refund = models.OrderRefunding, &adapters.Refund{ExternalID: "6800000000000002", Type: "return_refund", Status: "requested"}
	cancelled, cev := order("6800000000000003", 4, now.Add(-50*time.Minute))
	cancelled.SkuOrderList[0].AfterSaleInfo = &douyin.AfterSaleInfo{AfterSaleStatus: 12, AfterSaleType: 2}
	cev.Status, cev.Refund = models.OrderRefunded, &adapters.Refund{ExternalID: "6800000000000003", Type: "refund_only", Status: "closed"}
	late, _ := order("6800000000000004", 2, now.Add(-time.Minute))
	for _, o := range []douyin.ShopOrder{shipped, refund, cancelled, late} {
		s.PutOrder(o)
	}
	return append(want, adapters.Event{Order: sev}, adapters.Event{Order: rev}, adapters.Event{Order: cev})
}

func TestPullConformance(t *testing.T) {
	for _, method := range []string{douyin.SignMD5, douyin.SignHMACSHA256} {
		t.Run(method, func(t *testing.T) {
			s := douyintest.New(appKey, secret, accessToken)
			defer s.Close()
			now := time.Now().Truncate(time.Second)
			want := seed(s, now)
			a := douyin.New(adapters.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: adaptertest.FixedClock(now)})
			adaptertest.RunPull(t, adaptertest.PullPlatform{
				Adapter: a, Channel: channel(s.URL, method), Want: want, API: s,
				Flags: map[string]string{"none": "", "red": "5", "purple": "1", "green": "3", "blue": "2", "yellow": "4"},
			})
		})
	}
}

func TestBadCredentialsArePermanent(t *testing.T) {
	s := douyintest.New(appKey, secret, accessToken)
	defer s.Close()
	a := douyin.New(adapters.Deps{})
	for name, cfg := range map[string]douyin.Config{
		"secret": {AppKey: appKey, AppSecret: "wrong", AccessToken: accessToken, APIBaseURL: s.URL},
		"token":  {AppKey: appKey, AppSecret: secret, AccessToken: "expired", APIBaseURL: s.URL},
	} {
		raw, _ := json.Marshal(cfg)
		_, err := a.Poll(context.Background(), adapters.Channel{Type: douyin.Type, Config: raw}, "", "")
		var perm *adapters.PermanentError
		if !errors.As(err, &perm) {
			t.Errorf("wrong %s answers %v, want a PermanentError", name, err)
		}
	}
}
