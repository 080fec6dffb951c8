package logistics

import (
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/models"
)

func TestNextState(t *testing.T) {
	cases := []struct {
		from, to, want models.ParcelState
		raises         string
		delivered      bool
		clears         bool
	}{
		{models.ParcelPending, models.ParcelCollected, models.ParcelCollected, "", false, false},
		{models.ParcelInTransit, models.ParcelInTransit, models.ParcelInTransit, "", false, false},
		{models.ParcelInTransit, "", models.ParcelInTransit, "", false, false},
		{models.ParcelInTransit, models.ParcelProblem, models.ParcelProblem, ExceptionProblem, false, false},
		{models.ParcelProblem, models.ParcelProblem, models.ParcelProblem, "", false, false},
		{models.ParcelProblem, models.ParcelInTransit, models.ParcelInTransit, "", false, true},
		{models.ParcelOutForDelivery, models.ParcelRefused, models.ParcelRefused, ExceptionReturned, false, false},
		{models.ParcelRefused, models.ParcelReturning, models.ParcelReturning, "", false, false},
		{models.ParcelReturning, models.ParcelReturned, models.ParcelReturned, "", false, false},
		{models.ParcelInTransit, models.ParcelReturned, models.ParcelReturned, ExceptionReturned, false, false},
		{models.ParcelProblem, models.ParcelReturning, models.ParcelReturning, ExceptionReturned, false, true},
		{models.ParcelOutForDelivery, models.ParcelDelivered, models.ParcelDelivered, "", true, false},
		{models.ParcelProblem, models.ParcelDelivered, models.ParcelDelivered, "", true, true},
		// A late "in transit" never undoes a delivery; a refusal after it does.
		{models.ParcelDelivered, models.ParcelInTransit, models.ParcelDelivered, "", false, false},
		{models.ParcelDelivered, models.ParcelRefused, models.ParcelRefused, ExceptionReturned, false, false},
		// Nothing moves a parcel back at the shop.
		{models.ParcelReturned, models.ParcelInTransit, models.ParcelReturned, "", false, false},
		{models.ParcelReturned, models.ParcelDelivered, models.ParcelReturned, "", false, false},
	}
	for _, c := range cases {
		got := NextState(c.from, c.to)
		if got.To != c.want || got.Raises != c.raises || got.Delivered != c.delivered || got.Clears != c.clears {
			t.Errorf("%s → %s = %+v; want to %s, raises %q, delivered %v, clears %v",
				c.from, c.to, got, c.want, c.raises, c.delivered, c.clears)
		}
	}
}

// The default schedule slows down as the parcel ages; a subscribed parcel is polled
// only at the safety-net interval, and never more often than its schedule.
func TestPollInterval(t *testing.T) {
	var s models.ShopSettings
	s.ApplyDefaults()
	cfg := s.Logistics
	day := 24 * time.Hour
	for _, c := range []struct {
		age        time.Duration
		subscribed bool
		want       time.Duration
	}{
		{0, false, 2 * time.Hour},
		{3*day - time.Minute, false, 2 * time.Hour},
		{3 * day, false, 6 * time.Hour},
		{9 * day, false, 6 * time.Hour},
		{10 * day, false, 24 * time.Hour},
		{60 * day, false, 24 * time.Hour},
		{0, true, 24 * time.Hour},
	} {
		if got := PollInterval(cfg, c.age, c.subscribed); got != c.want {
			t.Errorf("age %s subscribed %v: every %s, want %s", c.age, c.subscribed, got, c.want)
		}
	}
	cfg.SubscribedPollHours = 1
	if got := PollInterval(cfg, 20*day, true); got != 24*time.Hour {
		t.Errorf("a subscribed parcel is polled every %s, more often than its schedule", got)
	}
}

func TestEventKey(t *testing.T) {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	a := EventKey(at, "【杭州市】 快件已揽收")
	if a != EventKey(at.UTC(), " 【杭州市】 快件已揽收 ") {
		t.Error("the same line in another zone or with padding gets another key")
	}
	if a == EventKey(at.Add(time.Second), "【杭州市】 快件已揽收") || a == EventKey(at, "【杭州市】 快件已发出") {
		t.Error("different lines share a key")
	}
	if len(a) != 32 {
		t.Errorf("key %q is not 32 hex digits", a)
	}
}

func TestNormalizeCarrier(t *testing.T) {
	for in, want := range map[string]string{
		"SF": CarrierSF, "顺丰速运": CarrierSF, "shunfeng": CarrierSF, " S.F. ": CarrierSF,
		"YTO": CarrierYTO, "圆通速递": CarrierYTO, "ZTO": CarrierZTO, "中通快递": CarrierZTO,
		"申通": CarrierSTO, "Yunda": CarrierYunda, "韵达快递": CarrierYunda, "京东物流": CarrierJD,
		"EMS": CarrierEMS, "中国邮政": CarrierPost, "J&T": CarrierJT, "极兔速递": CarrierJT,
		"Deppon": CarrierDBL, "FedEx": CarrierFedEx, "unknown-carrier": "", "": "",
	} {
		if got := NormalizeCarrier(in); got != want {
			t.Errorf("NormalizeCarrier(%q) = %q, want %q", in, got, want)
		}
	}
}

// Marketplaces that send only their numeric company id still get the carriers whose
// waybills name them.
func TestGuessCarrier(t *testing.T) {
	for _, c := range []struct{ name, number, want string }{
		{"中通快递", "78912345678901", CarrierZTO},
		{"pdd:44", "SF1234567890123", CarrierSF},
		{"jd:2087", "JDVA12345678901", CarrierJD},
		{"jd:2087", "jd0012345678", CarrierJD},
		{"pdd:85", "YT1234567890123", CarrierYTO},
		{"pdd:115", "78912345678901", ""},
		{"", "SF1", ""},
	} {
		if got := GuessCarrier(c.name, c.number); got != c.want {
			t.Errorf("GuessCarrier(%q, %q) = %q, want %q", c.name, c.number, got, c.want)
		}
	}
}
