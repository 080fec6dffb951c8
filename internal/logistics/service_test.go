package logistics_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership/aftershiptest"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/models"
)

// A shipped order with a tracking number starts tracking once, inside its ingest
// transaction, with its first check queued; a changed number retires the old parcel
// and starts a new one; orders without a number, or not shipped, start nothing.
func TestTrackingStartsWhenAnOrderShips(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		h.connect(kuaidi100.Name)
		h.order("T1", "b1", models.OrderPaid, "", "", 0)
		if n := h.count("parcels"); n != 0 {
			t.Fatalf("a paid order without tracking started %d parcels", n)
		}
		h.order("T1", "b1", models.OrderShipped, "顺丰速运", "SF100", time.Second)
		p := h.parcel("SF100")
		if p.Provider != kuaidi100.Name || p.CarrierCode != logistics.CarrierSF || p.State != models.ParcelPending ||
			p.Phone != "13800000000" || p.DueAt == nil || !p.DueAt.Equal(h.clock.Now()) || p.StuckAt == nil {
			t.Fatalf("parcel = %+v", p)
		}
		if got := h.pendingChecks(); len(got) != 1 || got[0] != fmt.Sprintf("parcel:%d:%d", p.ID, h.clock.Now().Unix()) {
			t.Fatalf("queued checks = %v", got)
		}
		// The platform sends the order again: still one parcel, no second check.
		h.order("T1", "b1", models.OrderShipped, "SF", "SF100", 2*time.Second)
		if n := h.count("parcels"); n != 1 || len(h.pendingChecks()) != 1 {
			t.Fatalf("%d parcels and checks %v after a repeated order event", n, h.pendingChecks())
		}
		// A new number (the parcel was re-sent) replaces the old one.
		h.order("T1", "b1", models.OrderShipped, "ZTO", "ZT200", 3*time.Second)
		old, cur := h.parcelByID(p.ID), h.parcel("ZT200")
		if old.FinishedAt == nil || old.DueAt != nil || cur.CarrierCode != logistics.CarrierZTO || cur.FinishedAt != nil {
			t.Fatalf("after the number changed: old %+v, new %+v", old, cur)
		}
		// A carrier ChatBridge does not know is left to 快递100's detection.
		h.order("T2", "b1", models.OrderShipped, "pdd:115", "78912345678901", 0)
		if p := h.parcel("78912345678901"); p.Provider != kuaidi100.Name || p.CarrierCode != "" || p.NextPollAt == nil {
			t.Fatalf("unknown carrier parcel = %+v", p)
		}
	})
}

func (h *harness) count(table string) int64 {
	h.t.Helper()
	var n int64
	if err := h.db.Gorm().Table(table).Count(&n).Error; err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) parcelByID(id uint64) *models.Parcel {
	h.t.Helper()
	p, err := h.db.Parcel(h.ctx, 0, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// The whole life of a parcel with 快递100, against the real store and queue, the clock
// moved by the test: subscribed with the account's salt, pushes stored once, a stuck
// alert once per stop, a problem alert, delivery moving the chat to after-sale with the
// order delivered, and the follow-up reminder when due; then nothing more to do.
func TestParcelLifeWithKuaidi100(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) { parcelLife(t, db) })
}

func parcelLife(t *testing.T, db *store.DB) {
	h := newHarness(t, db)
	acct := h.connect(kuaidi100.Name)
	conv := h.message("b1", "m1")
	h.order("T1", "b1", models.OrderShipped, "SF", "SF100", 0)
	p := h.parcel("SF100")
	if h.conversation(conv.ID).Stage != models.StageInSale {
		t.Fatalf("stage of a shipped order's chat = %s", h.conversation(conv.ID).Stage)
	}

	// First check: subscribed (no query: the pushes will come), polled again only as a
	// safety net.
	h.mustCheck(p)
	sub, ok := h.k100.Subscription("SF100")
	if !ok || sub.Company != "shunfeng" || sub.Phone != "13800000000" || sub.Salt == "" ||
		sub.CallbackURL != fmt.Sprintf("%s/webhooks/logistics/kuaidi100/%d", h.hook.URL, acct) {
		t.Fatalf("subscription = %+v", sub)
	}
	p = h.parcelByID(p.ID)
	if p.SubscribedAt == nil || h.k100.Calls("/poll/query.do") != 0 || !p.NextPollAt.Equal(h.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("after subscribing: %+v (queries %d)", p, h.k100.Calls("/poll/query.do"))
	}

	t0 := h.clock.Now()
	h.k100.SetTrack("SF100", "shunfeng", "0",
		kuaidi100test.Item{At: t0.Add(time.Hour), Context: "【杭州】顺丰速运 已收取快件", Status: "揽收"},
		kuaidi100test.Item{At: t0.Add(3 * time.Hour), Context: "【杭州转运中心】已发出", Status: "在途"})
	h.clock.Advance(4 * time.Hour)
	h.push("SF100")
	p = h.parcelByID(p.ID)
	evs := h.events(p)
	if p.State != models.ParcelInTransit || len(evs) != 2 || evs[0].Text != "【杭州转运中心】已发出" || !p.LastEventAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("after the push: %+v, timeline %+v", p, evs)
	}
	// The same history pushed again is stored once, also after the supervisor saved the
	// account again without its key (the subscription's salt and the key are kept).
	if _, _, err := h.svc.SaveAccount(h.ctx, h.shop.ID, kuaidi100.Name,
		[]byte(fmt.Sprintf(`{"customer":%q,"api_base_url":%q}`, h.k100.Customer, h.k100.URL))); err != nil {
		t.Fatal(err)
	}
	h.push("SF100")
	if n := len(h.events(p)); n != 2 {
		t.Fatalf("a re-pushed history left %d lines", n)
	}

	// 48 h after the last movement the parcel is stuck: one alert, however many sweeps.
	h.clock.Advance(47*time.Hour + time.Minute)
	for range 3 {
		h.sweepAndCheck()
	}
	stuck := h.alertsOf(conv.ID, logistics.AlertStuck)
	if len(stuck) != 1 || *stuck[0].UserID != h.agent.ID || stuck[0].OrderExternalID != "T1" || !strings.Contains(stuck[0].Summary, "SF100") {
		t.Fatalf("stuck alerts = %+v", stuck)
	}
	if p = h.parcelByID(p.ID); p.Exception != logistics.ExceptionStuck {
		t.Fatalf("exception = %q", p.Exception)
	}
	if evs := h.convEvents(conv.ID, logistics.EventParcel); len(evs) != 1 || evs[0]["kind"] != "stuck" {
		t.Fatalf("thread events = %v", evs)
	}

	// It moves again (the stuck exception closes), then stops again: a second occurrence.
	h.k100.SetTrack("SF100", "shunfeng", "0",
		kuaidi100test.Item{At: t0.Add(time.Hour), Context: "【杭州】顺丰速运 已收取快件", Status: "揽收"},
		kuaidi100test.Item{At: t0.Add(3 * time.Hour), Context: "【杭州转运中心】已发出", Status: "在途"},
		kuaidi100test.Item{At: h.clock.Now(), Context: "【北京转运中心】已到达", Status: "在途"})
	h.push("SF100")
	if p = h.parcelByID(p.ID); p.Exception != "" {
		t.Fatalf("exception after movement = %q", p.Exception)
	}
	h.clock.Advance(49 * time.Hour)
	h.sweepAndCheck()
	if n := len(h.alertsOf(conv.ID, logistics.AlertStuck)); n != 2 {
		t.Fatalf("%d stuck alerts after a second stop, want 2", n)
	}

	// A problem parcel (疑难): an alert, once.
	h.addItem("SF100", "2", "【北京】收件人电话无人接听，转疑难件", "疑难")
	h.push("SF100")
	h.push("SF100")
	if got := h.alertsOf(conv.ID, logistics.AlertProblem); len(got) != 1 || !strings.Contains(got[0].Summary, "疑难") {
		t.Fatalf("problem alerts = %+v", got)
	}

	// Delivered: the order is marked delivered, the chat moves to after-sale (recorded
	// as by logistics), polling stops, the follow-up is set.
	h.addItem("SF100", "5", "【北京】快件派送中", "派件")
	h.addItem("SF100", "3", "【北京】已签收，签收人：本人", "签收")
	h.push("SF100")
	p = h.parcelByID(p.ID)
	if p.State != models.ParcelDelivered || p.DeliveredAt == nil || p.NextPollAt != nil || p.StuckAt != nil || p.Exception != "" ||
		!p.FollowUpAt.Equal(p.DeliveredAt.Add(72*time.Hour)) || !p.DueAt.Equal(*p.FollowUpAt) {
		t.Fatalf("delivered parcel = %+v", p)
	}
	if o := h.orderRow("T1"); o.Status != models.OrderDelivered {
		t.Fatalf("order status = %s", o.Status)
	}
	if c := h.conversation(conv.ID); c.Stage != models.StageAfterSale {
		t.Fatalf("chat stage = %s", c.Stage)
	}
	if got := h.convEvents(conv.ID, models.EventStageChanged); got[len(got)-1]["by"] != "logistics" || got[len(got)-1]["to"] != "after_sale" {
		t.Fatalf("stage events = %v", got)
	}
	// The platform still says shipped: the order stays delivered, the chat after-sale.
	h.order("T1", "b1", models.OrderShipped, "SF", "SF100", time.Minute)
	if o, c := h.orderRow("T1"), h.conversation(conv.ID); o.Status != models.OrderDelivered || c.Stage != models.StageAfterSale {
		t.Fatalf("after a lagging platform event: order %s, stage %s", o.Status, c.Stage)
	}

	// The follow-up reminder when due, once; then the parcel is finished.
	h.clock.Advance(71 * time.Hour)
	h.sweepAndCheck()
	if n := len(h.alertsOf(conv.ID, logistics.AlertFollowUp)); n != 0 {
		t.Fatalf("%d follow-ups before they are due", n)
	}
	h.clock.Advance(2 * time.Hour)
	h.sweepAndCheck()
	h.sweepAndCheck()
	if got := h.alertsOf(conv.ID, logistics.AlertFollowUp); len(got) != 1 || *got[0].UserID != h.agent.ID {
		t.Fatalf("follow-up alerts = %+v", got)
	}
	if p = h.parcelByID(p.ID); p.DueAt != nil || p.FinishedAt == nil {
		t.Fatalf("finished parcel = %+v", p)
	}
	h.clock.Advance(30 * 24 * time.Hour)
	if n, err := h.svc.Sweep(h.ctx); err != nil || n != 0 {
		t.Fatalf("a finished parcel was swept (%d, %v)", n, err)
	}
}

// addItem appends a line to the fake's history of a number and sets its state.
func (h *harness) addItem(number, state, text, status string) {
	h.t.Helper()
	h.clock.Advance(time.Hour)
	h.k100.Append(number, state, kuaidi100test.Item{At: h.clock.Now(), Context: text, Status: status})
}

// sweepAndCheck runs one sweep and the checks it queued, as the worker would.
func (h *harness) sweepAndCheck() {
	h.t.Helper()
	if _, err := h.svc.Sweep(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	for _, id := range h.pendingChecks() {
		var pid uint64
		var due int64
		if _, err := fmt.Sscanf(id, "parcel:%d:%d", &pid, &due); err != nil {
			h.t.Fatal(err)
		}
		if err := h.svc.Check(h.ctx, pid); err != nil {
			h.t.Fatal(err)
		}
		if err := h.inspect.DeleteTask("default", id); err != nil {
			h.t.Fatal(err)
		}
	}
}

// Refused and returned parcels raise one alert (the return path is one occurrence) and
// stop being polled; AfterShip's tracking is created and read by its id.
func TestReturnedParcelWithAfterShip(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) { returnedParcel(t, db) })
}

func returnedParcel(t *testing.T, db *store.DB) {
	h := newHarness(t, db)
	h.connect("aftership")
	conv := h.message("b2", "m2")
	h.order("T9", "b2", models.OrderShipped, "DHL", "JD014600003", 0)
	p := h.parcel("JD014600003")
	if p.Provider != "aftership" {
		t.Fatalf("provider = %q (only AfterShip is connected)", p.Provider)
	}
	t0 := h.clock.Now()
	h.as.Set("JD014600003", "InTransit", "InTransit_007",
		aftershiptest.Checkpoint{At: t0.Add(time.Hour), Message: "Shipment picked up", City: "Shenzhen", Tag: "InTransit"})
	h.mustCheck(p) // creates the tracking: subscribed
	p = h.parcelByID(p.ID)
	id, _ := h.as.ID("JD014600003")
	if p.SubscribedAt == nil || p.ProviderRef != id {
		t.Fatalf("after subscribing: %+v (tracking %s)", p, id)
	}
	// The safety-net query reads it by id.
	h.clock.Advance(25 * time.Hour)
	h.mustCheck(p)
	if p = h.parcelByID(p.ID); p.State != models.ParcelInTransit || len(h.events(p)) != 1 || p.LastPolledAt == nil {
		t.Fatalf("after the query: %+v", p)
	}

	h.as.Set("JD014600003", "Exception", "Exception_003",
		aftershiptest.Checkpoint{At: t0.Add(time.Hour), Message: "Shipment picked up", City: "Shenzhen", Tag: "InTransit"},
		aftershiptest.Checkpoint{At: h.clock.Now(), Message: "Recipient refused delivery", City: "Berlin", Tag: "Exception", Subtag: "Exception_003"})
	h.webhook("JD014600003")
	if status, body, _ := h.as.Webhook(h.hookURL("aftership"), "whsec", "JD014600003"); status != 200 || string(body) != `{"status":"duplicate"}` {
		t.Fatalf("the same webhook again answered %d %s", status, body)
	}
	h.clock.Advance(time.Hour)
	h.as.Set("JD014600003", "Exception", "Exception_011",
		aftershiptest.Checkpoint{At: t0.Add(time.Hour), Message: "Shipment picked up", City: "Shenzhen", Tag: "InTransit"},
		aftershiptest.Checkpoint{At: h.clock.Now().Add(-time.Hour), Message: "Recipient refused delivery", City: "Berlin", Tag: "Exception", Subtag: "Exception_003"},
		aftershiptest.Checkpoint{At: h.clock.Now(), Message: "Returned to shipper", City: "Shenzhen", Tag: "Exception", Subtag: "Exception_011"})
	h.webhook("JD014600003")
	p = h.parcelByID(p.ID)
	if p.State != models.ParcelReturned || p.Exception != logistics.ExceptionReturned || p.NextPollAt != nil || p.DueAt != nil || p.FinishedAt == nil {
		t.Fatalf("returned parcel = %+v", p)
	}
	if got := h.alertsOf(conv.ID, logistics.AlertReturned); len(got) != 1 || !strings.Contains(got[0].Summary, "Recipient refused") {
		t.Fatalf("return alerts = %+v", got)
	}
	if h.conversation(conv.ID).Stage != models.StageInSale {
		t.Fatal("a returned parcel moved the chat")
	}
}

func (h *harness) hookURL(provider string) string {
	for _, a := range h.accounts() {
		if a.Provider == provider {
			return fmt.Sprintf("%s/webhooks/logistics/%s/%d", h.hook.URL, provider, a.ID)
		}
	}
	h.t.Fatalf("no %s account", provider)
	return ""
}

func (h *harness) webhook(number string) {
	h.t.Helper()
	status, body, err := h.as.Webhook(h.hookURL("aftership"), "whsec", number)
	if err != nil || status != 200 || string(body) != `{"status":"accepted"}` {
		h.t.Fatalf("webhook answered %d %s %v", status, body, err)
	}
}

func (h *harness) accounts() []models.LogisticsProvider {
	lps, err := h.db.LogisticsProviders(h.ctx, h.shop.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return lps
}

// 快递100 down: the check fails (so the task is retried), the failure shows on the
// parcel, and it stays due until a check succeeds; nothing is lost.
func TestProviderDownIsRetried(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	h.connect(kuaidi100.Name)
	h.order("T1", "b1", models.OrderShipped, "YTO", "YT1", 0)
	p := h.parcel("YT1")
	h.k100.FailNext("/poll", 2)
	for i := range 2 {
		if err := h.check(p); err == nil {
			t.Fatalf("check %d succeeded while 快递100 is down", i)
		}
		got := h.parcelByID(p.ID)
		if got.Failures != i+1 || !strings.Contains(got.LastError, "HTTP 500") || got.SubscribedAt != nil ||
			!got.DueAt.Equal(h.clock.Now().Add(15*time.Minute)) {
			t.Fatalf("after failure %d: %+v", i+1, got)
		}
	}
	h.mustCheck(p)
	if got := h.parcelByID(p.ID); got.SubscribedAt == nil || got.Failures != 0 || got.LastError != "" {
		t.Fatalf("after recovery: %+v", got)
	}
	if h.k100.Calls("/poll") != 3 {
		t.Fatalf("快递100 was called %d times, want 3", h.k100.Calls("/poll"))
	}
}

// A refused subscription falls back to queries; an older snapshot never moves the
// parcel back; a lost subscription (快递100's abort) is renewed after 30 minutes.
func TestQueriesStaleNewsAndResubscription(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	h.connect(kuaidi100.Name)
	h.order("T1", "b1", models.OrderShipped, "ZTO", "ZT1", 0)
	p := h.parcel("ZT1")
	t0 := h.clock.Now()
	h.k100.SetTrack("ZT1", "zhongtong", "5",
		kuaidi100test.Item{At: t0.Add(time.Hour), Context: "已揽收", Status: "揽收"},
		kuaidi100test.Item{At: t0.Add(5 * time.Hour), Context: "派件中", Status: "派件"})
	h.mustCheck(p) // subscribes
	h.clock.Advance(6 * time.Hour)
	h.push("ZT1")
	if p = h.parcelByID(p.ID); p.State != models.ParcelOutForDelivery {
		t.Fatalf("state = %s", p.State)
	}
	// An older history (a delayed re-push) adds its lines but does not move the parcel.
	h.k100.SetTrack("ZT1", "zhongtong", "0", kuaidi100test.Item{At: t0.Add(2 * time.Hour), Context: "运输中", Status: "在途"})
	h.push("ZT1")
	if p = h.parcelByID(p.ID); p.State != models.ParcelOutForDelivery || !p.LastEventAt.Equal(t0.Add(5*time.Hour)) || len(h.events(p)) != 3 {
		t.Fatalf("after stale news: %+v, %d lines", p, len(h.events(p)))
	}
	// 快递100 aborts the subscription: renewed at the next check after 30 minutes.
	status, body, err := h.k100.Push("ZT1", "abort")
	if err != nil || status != 200 {
		t.Fatalf("abort push: %d %s %v", status, body, err)
	}
	if p = h.parcelByID(p.ID); p.SubscribedAt != nil || !p.NextPollAt.Equal(h.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("after abort: %+v", p)
	}
	h.k100.Forget("ZT1")
	h.clock.Advance(31 * time.Minute)
	h.sweepAndCheck()
	if _, ok := h.k100.Subscription("ZT1"); !ok {
		t.Fatal("the parcel was not subscribed again")
	}

	// A carrier 快递100 refuses to subscribe: queried on the schedule instead.
	h.order("T2", "b1", models.OrderShipped, "YD", "YD1", 0)
	q := h.parcel("YD1")
	h.k100.RefuseSubscriptions(true)
	h.k100.SetTrack("YD1", "yunda", "1", kuaidi100test.Item{At: h.clock.Now(), Context: "已揽收", Status: "揽收"})
	h.mustCheck(q)
	q = h.parcelByID(q.ID)
	if q.SubscribedAt != nil || q.State != models.ParcelCollected || !q.NextPollAt.Equal(h.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("queried parcel = %+v", q)
	}
}

// An unknown carrier is subscribed with 快递100's detection (autoCom); the company its
// push names is kept, and the safety-net query asks for it.
func TestUnknownCarrierIsDetectedByKuaidi100(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	h.connect(kuaidi100.Name)
	h.order("T1", "b1", models.OrderShipped, "pdd:115", "78912345678901", 0)
	p := h.parcel("78912345678901")
	h.mustCheck(p)
	if sub, ok := h.k100.Subscription("78912345678901"); !ok || !sub.AutoCom || sub.Company != "" {
		t.Fatalf("subscription = %+v, %v; want the company left to detection", sub, ok)
	}
	h.k100.SetTrack("78912345678901", "zhongtong", "0", kuaidi100test.Item{At: h.clock.Now(), Context: "已揽收", Status: "揽收"})
	h.push("78912345678901")
	if p = h.parcelByID(p.ID); p.ProviderRef != "zhongtong" {
		t.Fatalf("detected company kept as %q", p.ProviderRef)
	}
	h.clock.Advance(25 * time.Hour)
	h.mustCheck(p)
	if q := h.k100.Queried(); len(q) != 1 || q[0] != "zhongtong" {
		t.Fatalf("queries asked for %v", q)
	}
}

// A parcel of a shop without an account waits; adding the account hands it over, due.
func TestAccountAdoptsWaitingParcels(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	h.order("T1", "b1", models.OrderShipped, "STO", "ST1", 0)
	if p := h.parcel("ST1"); p.Provider != "" || p.NextPollAt != nil {
		t.Fatalf("parcel without an account = %+v", p)
	}
	// It stops moving before the shop connects a provider: the stuck alert, and it
	// still waits (not finished) for an account.
	h.clock.Advance(49 * time.Hour)
	h.sweepAndCheck()
	if p := h.parcel("ST1"); p.Exception != logistics.ExceptionStuck || p.FinishedAt != nil || p.DueAt != nil {
		t.Fatalf("stuck parcel without an account = %+v", p)
	}
	h.connect(kuaidi100.Name)
	if p := h.parcel("ST1"); p.Provider != kuaidi100.Name || !p.DueAt.Equal(h.clock.Now()) {
		t.Fatalf("after the account was added: %+v", p)
	}
	views, err := h.svc.Accounts(h.ctx, h.shop.ID)
	if err != nil || len(views) != 1 || views[0].Config["key"] != nil || views[0].Config["salt"] != nil || views[0].Config["customer"] != "CUSTOMERxyz" {
		t.Fatalf("accounts = %+v, %v", views, err)
	}
	// The credentials are encrypted at rest.
	lp := h.accounts()[0]
	if strings.Contains(string(lp.ConfigEnc), "KEYabc") {
		t.Fatal("the key is stored in clear")
	}
	if _, _, err := h.svc.SaveAccount(h.ctx, h.shop.ID, "17track", []byte(`{}`)); err == nil {
		t.Fatal("an unknown provider was accepted")
	}
}

// Pushes to an unknown account, a forged push and an unreadable one are refused and
// store nothing.
func TestPushRefusals(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	acct := h.connect(kuaidi100.Name)
	h.order("T1", "b1", models.OrderShipped, "SF", "SF1", 0)
	url := fmt.Sprintf("%s/webhooks/logistics/kuaidi100/%d", h.hook.URL, acct)
	param := `{"status":"polling","lastResult":{"nu":"SF1","com":"shunfeng","state":"3","data":[{"ftime":"2026-11-23 10:00:00","context":"签收"}]}}`
	for _, c := range []struct {
		url, sign string
		want      int
	}{
		{fmt.Sprintf("%s/webhooks/logistics/kuaidi100/%d", h.hook.URL, acct+100), kuaidi100.PushSign(param, "x"), 404},
		{fmt.Sprintf("%s/webhooks/logistics/aftership/%d", h.hook.URL, acct), kuaidi100.PushSign(param, "x"), 404},
		{url, kuaidi100.PushSign(param, "not-the-salt"), 401},
	} {
		status, body, err := kuaidi100test.PostForm(c.url, param, c.sign)
		if err != nil || status != c.want {
			t.Errorf("%s: %d %s %v, want %d", c.url, status, body, err, c.want)
		}
	}
	status, _, _ := kuaidi100test.PostForm(url, "", "x")
	if status != 400 {
		t.Errorf("no param: %d", status)
	}
	if n := h.count("parcel_events"); n != 0 {
		t.Fatalf("refused pushes stored %d lines", n)
	}
	if p := h.parcel("SF1"); p.State != models.ParcelPending {
		t.Fatalf("refused pushes moved the parcel to %s", p.State)
	}
}

// Two sweeps (two workers) of the same period queue each due parcel once, and lease
// them so the next sweeps leave them alone until their check runs.
func TestSweepQueuesEachDueParcelOnce(t *testing.T) {
	h := newHarness(t, testenv.MySQL(t))
	h.connect(kuaidi100.Name)
	for i := range 5 {
		h.order(fmt.Sprintf("T%d", i), "b1", models.OrderShipped, "SF", fmt.Sprintf("SF%d", i), 0)
	}
	for _, id := range h.pendingChecks() { // drop the first checks queued after ingest
		_ = h.inspect.DeleteTask("default", id)
	}
	h.db.Gorm().Exec("UPDATE parcels SET due_at = ?", h.clock.Now().Add(-time.Minute))
	n1, err1 := h.svc.Sweep(h.ctx)
	n2, err2 := h.svc.Sweep(h.ctx)
	if err1 != nil || err2 != nil || n1 != 5 || n2 != 0 {
		t.Fatalf("sweeps queued %d (%v) then %d (%v), want 5 then 0", n1, err1, n2, err2)
	}
	if got := h.pendingChecks(); len(got) != 5 {
		t.Fatalf("queued checks = %v", got)
	}
	// A lost check (the queue was flushed) is swept again once its lease runs out.
	for _, id := range h.pendingChecks() {
		_ = h.inspect.DeleteTask("default", id)
	}
	h.clock.Advance(16 * time.Minute)
	if n, err := h.svc.Sweep(h.ctx); err != nil || n != 5 {
		t.Fatalf("after the lease: queued %d, %v", n, err)
	}
}
