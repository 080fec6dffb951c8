package pdd_test

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
	"github.com/chatbridge/chatbridge/adapters/pdd"
	"github.com/chatbridge/chatbridge/adapters/pdd/pddtest"
	"github.com/chatbridge/chatbridge/models"
)

const (
	clientID    = "client-1"
	secret      = "testSecret"
	accessToken = "shop-token-1"
)

func channel(base string) adapters.Channel {
	cfg, _ := json.Marshal(pdd.Config{ClientID: clientID, ClientSecret: secret, AccessToken: accessToken, APIBaseURL: base})
	return adapters.Channel{ID: 8, ShopID: 1, Type: pdd.Type, Config: cfg}
}

func order(sn string, at time.Time) (pdd.Order, *adapters.OrderEvent) {
	o := pdd.Order{OrderSN: sn, OrderStatus: 1, RefundStatus: 1, ConfirmStatus: 1, PayAmount: 59.9,
		UpdatedAt: at.In(pdd.CST).Format(pdd.TimeLayout), ReceiverName: "张三", ReceiverPhone: "13700000000",
		Province: "广东省", City: "深圳市", Town: "南山区", ReceiverAddress: "科技园1号",
		ItemList: []pdd.Item{{GoodsName: "保温杯", GoodsCount: 1, OuterID: "CUP-1"}}}
	ev := &adapters.OrderEvent{ExternalID: sn, CustomerID: "order:" + sn, Status: models.OrderPaid, Total: "59.90",
		Currency: "CNY", UpdatedAt: at.UTC().Truncate(time.Second), Items: []models.OrderItem{{SKU: "CUP-1", Title: "保温杯", Quantity: 1}},
		Address: &models.Address{Name: "张三", Phone: "13700000000", Region: "广东省 深圳市 南山区", Detail: "科技园1号"}}
	return o, ev
}

// seed puts 205 orders in one 30-minute window (three pages), a few in later windows,
// and one changed within the last 3 minutes, which no pull may read yet.
func seed(s *pddtest.Server, now time.Time) []adapters.Event {
	from := now.Add(-pdd.Spec.Lookback).Truncate(time.Second)
	busy := from.Add(4 * time.Hour)
	var bulk []adapters.Event
	for i := range 205 {
		o, ev := order(fmt.Sprintf("261123-%06d", i), busy.Add(time.Duration(i)*time.Second))
		s.PutOrder(o)
		bulk = append(bulk, adapters.Event{Order: ev})
	}
	want := append(append(append([]adapters.Event{}, bulk[200:]...), bulk[100:200]...), bulk[:100]...)

	shipped, sev := order("261123-shipped", now.Add(-2*time.Hour))
	shipped.OrderStatus, shipped.TrackingNumber, shipped.LogisticsID = 2, "YT0000000001", 85
	sev.Status, sev.Tracking = models.OrderShipped, &adapters.Tracking{Carrier: "pdd:85", Number: "YT0000000001"}
	refunding, rev := order("261123-refund", now.Add(-time.Hour))
	refunding.OrderStatus, refunding.RefundStatus, refunding.AfterSalesStatus = 2, 2, 3
	rev.Status, rev.Refund = models.OrderRefunding, &adapters.Refund{ExternalID: "261123-refund", Type: "return_refund", Status: "requested"}
	unpaid, uev := order("261123-unpaid", now.Add(-30*time.Minute))
	unpaid.ConfirmStatus = 0
	uev.Status = models.OrderUnpaid
	late, _ := order("261123-late", now.Add(-time.Minute))
	for _, o := range []pdd.Order{shipped, refunding, unpaid, late} {
		s.PutOrder(o)
	}
	return append(want, adapters.Event{Order: sev}, adapters.Event{Order: rev}, adapters.Event{Order: uev})
}

func TestPullConformance(t *testing.T) {
	s := pddtest.New(clientID, secret, accessToken)
	defer s.Close()
	now := time.Now().Truncate(time.Second)
	want := seed(s, now)
	a := pdd.New(adapters.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: adaptertest.FixedClock(now)})
	adaptertest.RunPull(t, adaptertest.PullPlatform{
		Adapter: a, Channel: channel(s.URL), Want: want, API: s,
		Flags: map[string]string{"none": "", "red": "1", "yellow": "2", "green": "3", "blue": "4", "purple": "5"},
	})
	// Every window asked was at most 30 minutes and ended 3 minutes before the clock.
	for _, c := range s.Calls() {
		if c.Get("type") != "pdd.order.number.list.increment.get" {
			continue
		}
		var from, to int64
		fmt.Sscan(c.Get("start_updated_at"), &from)
		fmt.Sscan(c.Get("end_updated_at"), &to)
		if to-from >= 1800 || to > now.Add(-3*time.Minute).Unix() {
			t.Fatalf("window %d..%d (now %d)", from, to, now.Unix())
		}
	}
}

// A note with a colour sends tag and tag_name together; "none" sends neither.
func TestNoteTags(t *testing.T) {
	s := pddtest.New(clientID, secret, accessToken)
	defer s.Close()
	o, _ := order("261123-note", time.Now())
	s.PutOrder(o)
	a := pdd.New(adapters.Deps{})
	for _, flag := range []string{"purple", "none"} {
		if err := a.WriteNote(context.Background(), channel(s.URL), adapters.OrderNote{OrderID: o.OrderSN, Flag: flag, Note: "改地址"}); err != nil {
			t.Fatal(err)
		}
	}
	calls := s.Calls()
	if got := calls[0]; got.Get("tag") != "5" || got.Get("tag_name") != "紫色" {
		t.Errorf("purple sent tag %q tag_name %q", got.Get("tag"), got.Get("tag_name"))
	}
	if got := calls[1]; got.Has("tag") || got.Has("tag_name") {
		t.Errorf("none sent tag %q tag_name %q, want neither", got.Get("tag"), got.Get("tag_name"))
	}
	err := a.WriteNote(context.Background(), channel(s.URL), adapters.OrderNote{OrderID: "no-such", Flag: "red", Note: "x"})
	if err == nil {
		t.Error("a note on an order the platform does not hold answers no error")
	}
}

func TestBadCredentialsArePermanent(t *testing.T) {
	s := pddtest.New(clientID, secret, accessToken)
	defer s.Close()
	a := pdd.New(adapters.Deps{})
	for name, cfg := range map[string]pdd.Config{
		"secret": {ClientID: clientID, ClientSecret: "wrong", AccessToken: accessToken, APIBaseURL: s.URL},
		"token":  {ClientID: clientID, ClientSecret: secret, AccessToken: "revoked", APIBaseURL: s.URL},
	} {
		raw, _ := json.Marshal(cfg)
		_, err := a.Poll(context.Background(), adapters.Channel{Type: pdd.Type, Config: raw}, "", "")
		var perm *adapters.PermanentError
		if !errors.As(err, &perm) {
			t.Errorf("wrong %s answers %v, want a PermanentError", name, err)
		}
	}
}

func TestStatusMapping(t *testing.T) {
	cases := []struct {
		order, refund, confirm int
		want                   models.OrderStatus
	}{
		{1, 1, 0, models.OrderUnpaid},
		{1, 1, 1, models.OrderPaid},
		{2, 1, 1, models.OrderShipped},
		{3, 1, 1, models.OrderDelivered},
		{2, 3, 1, models.OrderRefunding},
		{1, 2, 1, models.OrderRefunding},
		{1, 4, 2, models.OrderRefunded},
		{3, 4, 1, models.OrderRefunded},
		{1, 1, 2, models.OrderClosed},
	}
	for _, c := range cases {
		o := pdd.Order{OrderSN: "x", OrderStatus: c.order, RefundStatus: c.refund, ConfirmStatus: c.confirm}
		if got, err := o.Status(); err != nil || got != c.want {
			t.Errorf("order_status %d refund_status %d confirm_status %d → %s %v, want %s", c.order, c.refund, c.confirm, got, err, c.want)
		}
	}
	if _, err := (&pdd.Order{OrderSN: "x", ConfirmStatus: 1, OrderStatus: 9}).Status(); err == nil {
		t.Error("an unknown order_status answers no error")
	}
}
