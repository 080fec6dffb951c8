package jd_test

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
	"github.com/chatbridge/chatbridge/adapters/jd"
	"github.com/chatbridge/chatbridge/adapters/jd/jdtest"
	"github.com/chatbridge/chatbridge/models"
)

const (
	appKey      = "yourappkey"
	secret      = "yourappSecret"
	accessToken = "yourtoken"
)

func channel(base string) adapters.Channel {
	cfg, _ := json.Marshal(jd.Config{AppKey: appKey, AppSecret: secret, AccessToken: accessToken, APIBaseURL: base})
	return adapters.Channel{ID: 9, ShopID: 1, Type: jd.Type, Config: cfg}
}

func order(id, state string, at time.Time) (jd.Order, *adapters.OrderEvent) {
	o := jd.Order{OrderID: id, OrderState: state, OrderPayment: "199.00", Modified: at.In(jd.CST).Format(jd.TimeLayout),
		Pin: "jd_buyer_" + id, Consignee: &jd.Consignee{Fullname: "赵六", Mobile: "13600000000", Province: "北京",
			City: "北京市", County: "朝阳区", FullAddress: "北京朝阳区建国路1号"},
		Items: []jd.Item{{SkuName: "电水壶", OuterSkuID: "KETTLE-1", SkuID: "100001", ItemTotal: "1"}}}
	ev := &adapters.OrderEvent{ExternalID: id, CustomerID: "jd_buyer_" + id, Total: "199.00", Currency: "CNY",
		Status: models.OrderPaid, UpdatedAt: at.UTC().Truncate(time.Second),
		Items:   []models.OrderItem{{SKU: "KETTLE-1", Title: "电水壶", Quantity: 1}},
		Address: &models.Address{Name: "赵六", Phone: "13600000000", Region: "北京 北京市 朝阳区", Detail: "北京朝阳区建国路1号"}}
	return o, ev
}

// seed puts 150 orders in one hour (two pages), a shipped and a locked one later, and
// one changed within the last 3 minutes that no pull may read yet.
func seed(s *jdtest.Server, now time.Time) []adapters.Event {
	busy := now.Add(-jd.Spec.Lookback).Truncate(time.Second).Add(5 * time.Hour)
	var bulk []adapters.Event
	for i := range 150 {
		o, ev := order(fmt.Sprintf("30%08d", i), "WAIT_SELLER_STOCK_OUT", busy.Add(time.Duration(i)*time.Second))
		s.PutOrder(o)
		bulk = append(bulk, adapters.Event{Order: ev})
	}
	want := append(append([]adapters.Event{}, bulk[100:]...), bulk[:100]...)
	shipped, sev := order("3100000001", "WAIT_GOODS_RECEIVE_CONFIRM", now.Add(-3*time.Hour))
	shipped.Waybill, shipped.LogisticsID = "JDV000000001", "467"
	sev.Status, sev.Tracking = models.OrderShipped, &adapters.Tracking{Carrier: "jd:467", Number: "JDV000000001"}
	locked, lev := order("3100000002", "LOCKED", now.Add(-90*time.Minute))
	lev.Status = models.OrderRefunding
	late, _ := order("3100000003", "WAIT_SELLER_STOCK_OUT", now.Add(-time.Minute))
	for _, o := range []jd.Order{shipped, locked, late} {
		s.PutOrder(o)
	}
	return append(want, adapters.Event{Order: sev}, adapters.Event{Order: lev})
}

func TestPullConformance(t *testing.T) {
	s := jdtest.New(appKey, secret, accessToken)
	defer s.Close()
	now := time.Now().Truncate(time.Second)
	want := seed(s, now)
	a := jd.New(adapters.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: adaptertest.FixedClock(now)})
	adaptertest.RunPull(t, adaptertest.PullPlatform{
		Adapter: a, Channel: channel(s.URL), Want: want, API: s,
		Flags: map[string]string{"none": "0", "red": "1", "yellow": "2", "green": "3", "blue": "4", "purple": "5"},
	})
}

func TestBadCredentialsArePermanent(t *testing.T) {
	s := jdtest.New(appKey, secret, accessToken)
	defer s.Close()
	a := jd.New(adapters.Deps{})
	for name, cfg := range map[string]jd.Config{
		"secret": {AppKey: appKey, AppSecret: "wrong", AccessToken: accessToken, APIBaseURL: s.URL},
		"token":  {AppKey: appKey, AppSecret: secret, AccessToken: "revoked", APIBaseURL: s.URL},
	} {
		raw, _ := json.Marshal(cfg)
		_, err := a.Poll(context.Background(), adapters.Channel{Type: jd.Type, Config: raw}, "", "")
		var perm *adapters.PermanentError
		if !errors.As(err, &perm) {
			t.Errorf("wrong %s answers %v, want a PermanentError", name, err)
		}
	}
}

func TestUnknownStateIsAnError(t *testing.T) {
	o, _ := order("1", "SOMETHING_NEW", time.Now())
	if _, err := o.Event(); err == nil {
		t.Error("an unknown orderState answers no error")
	}
}
