package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership/aftershiptest"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
)

type trackingView struct {
	Parcel *struct {
		ID, State, Exception, Provider, Number string
		Subscribed                             bool
		FollowUpAt                             *string `json:"follow_up_at"`
		LastError                              string  `json:"last_error"`
	} `json:"parcel"`
	Events []struct{ At, Text, State string } `json:"events"`
}

type alertList struct {
	Items []struct {
		ID, Kind, Summary string
		OrderID           *string `json:"order_id"`
	} `json:"items"`
}

type conversationView struct {
	Stage  string `json:"stage"`
	Orders []struct {
		ID, Status string
	} `json:"orders"`
}

// shippedOrder is a generic-channel order event, shipped with a tracking number.
func shippedOrder(id, customer, carrier, number string, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"event": "order", "order": map[string]any{
		"id": id, "customer_id": customer, "status": "shipped", "total": "129.00", "currency": "CNY",
		"items":      []map[string]any{{"sku": "A-1", "title": "Mug", "quantity": 1}},
		"address":    map[string]string{"name": "Alice", "phone": "13800000000", "region": "Zhejiang Hangzhou", "detail": "Wensan Rd 99"},
		"tracking":   map[string]string{"carrier": carrier, "number": number},
		"updated_at": at.UTC().Format(time.RFC3339Nano)}})
	return b
}

// firstConversation answers the shop's only conversation and its order.
func firstConversation(t *testing.T, c *Client) (convID, orderID string) {
	t.Helper()
	var list struct{ Items []struct{ ID string } }
	c.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d conversations", len(list.Items))
	}
	var conv conversationView
	c.Do("GET", "/api/v1/conversations/"+list.Items[0].ID, nil, http.StatusOK, &conv)
	if len(conv.Orders) != 1 {
		t.Fatalf("%d orders beside the chat", len(conv.Orders))
	}
	return list.Items[0].ID, conv.Orders[0].ID
}

func alertsOf(c *Client, convID, kind string) alertList {
	var l alertList
	c.Do("GET", "/api/v1/alerts?conversation_id="+convID+"&kind="+kind, nil, http.StatusOK, &l)
	return l
}

// From a generic order event with tracking to the follow-up, through the real app on
// MariaDB, Redis and asynq, 快递100 an httptest server speaking its protocol and the
// clock moved by the test: tracked and subscribed (after 快递100 was down twice),
// signed pushes building the timeline (a re-push stored once), one stuck alert after
// 48 h without movement, a problem alert, delivery moving the chat to after-sale, and
// the follow-up reminder when due.
func TestParcelTrackingThroughTheApp(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	cfg.LogisticsSweepInterval = 100 * time.Millisecond
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	inst := StartClock(t, cfg, app.Roles{Serve: true, Work: true}, clock)
	shop := inst.NewShop(t, "parcels", "http://127.0.0.1:9/unused")
	k100 := kuaidi100test.Start(t, "CUSTOMER1", "KEY1")

	// The supervisor connects 快递100; the key never comes back.
	connect := map[string]any{"provider": "kuaidi100", "config": map[string]string{"customer": "CUSTOMER1", "key": "KEY1", "api_base_url": k100.URL}}
	shop.Agent.Do("POST", "/api/v1/logistics/providers", connect, http.StatusForbidden, nil)
	_, body := shop.Supervisor.Do("POST", "/api/v1/logistics/providers",
		map[string]any{"provider": "kuaidi100", "config": map[string]string{"customer": "C"}}, http.StatusBadRequest, nil)
	if !strings.Contains(string(body), `"field":"config.key"`) {
		t.Fatalf("missing key answered %s", body)
	}
	var acct struct {
		ID          string
		CallbackURL string `json:"callback_url"`
	}
	_, body = shop.Supervisor.Do("POST", "/api/v1/logistics/providers", connect, http.StatusCreated, &acct)
	_, list := shop.Supervisor.Do("GET", "/api/v1/logistics/providers", nil, http.StatusOK, nil)
	for _, raw := range [][]byte{body, list} {
		if strings.Contains(string(raw), "KEY1") || strings.Contains(string(raw), "salt") {
			t.Fatalf("an account answer shows a secret: %s", raw)
		}
	}
	if acct.CallbackURL != inst.URL+"/webhooks/logistics/kuaidi100/"+acct.ID {
		t.Fatalf("callback URL %q", acct.CallbackURL)
	}

	// 快递100 is down for the first two subscription attempts.
	k100.FailNext("/poll", 2)
	inst.Webhook(t, shop, MessageBody("m-1", "b-1", "Alice", "我的快递到哪了"))
	if status, body := inst.Webhook(t, shop, shippedOrder("T1001", "b-1", "顺丰", "SF1234567890", clock.Now())); status != http.StatusOK {
		t.Fatalf("order: %d %s", status, body)
	}
	convID, orderID := firstConversation(t, shop.Agent)
	Eventually(t, 20*time.Second, "the parcel to be subscribed after 快递100 came back", func() bool {
		_, ok := k100.Subscription("SF1234567890")
		return ok
	})
	if n := k100.Calls("/poll"); n != 3 {
		t.Fatalf("快递100 was asked %d times, want 3 (two failures, then success)", n)
	}
	sub, _ := k100.Subscription("SF1234567890")
	if sub.CallbackURL != acct.CallbackURL || sub.Company != "shunfeng" {
		t.Fatalf("subscription = %+v", sub)
	}
	var tr trackingView
	Eventually(t, 10*time.Second, "the sidebar to show the subscription", func() bool {
		shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusOK, &tr)
		return tr.Parcel != nil && tr.Parcel.Subscribed
	})
	if tr.Parcel.State != "pending" || tr.Parcel.Provider != "kuaidi100" || len(tr.Events) != 0 {
		t.Fatalf("tracking before any push = %+v", tr)
	}

	// Signed pushes build the timeline, newest first; a re-push is stored once.
	t0 := clock.Now()
	k100.SetTrack("SF1234567890", "shunfeng", "0",
		kuaidi100test.Item{At: t0.Add(time.Hour), Context: "【杭州】顺丰速运 已收取快件", Status: "揽收"},
		kuaidi100test.Item{At: t0.Add(3 * time.Hour), Context: "【杭州转运中心】快件已发出", Status: "在途"})
	clock.Advance(4 * time.Hour)
	for range 2 {
		status, body, err := k100.Push("SF1234567890", "polling")
		if err != nil || status != http.StatusOK || string(body) != `{"result":true,"returnCode":"200","message":"成功"}` {
			t.Fatalf("push answered %d %s %v", status, body, err)
		}
	}
	tr = trackingView{}
	shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusOK, &tr)
	if tr.Parcel.State != "in_transit" || len(tr.Events) != 2 || tr.Events[0].Text != "【杭州转运中心】快件已发出" {
		t.Fatalf("tracking after pushes = %+v", tr)
	}
	// Forged, misdirected and unreadable pushes are refused.
	param := `{"status":"polling","lastResult":{"nu":"SF1234567890","state":"3","data":[]}}`
	for _, c := range []struct {
		url, sign string
		want      int
	}{
		{acct.CallbackURL, kuaidi100.PushSign(param, "guessed"), http.StatusUnauthorized},
		{inst.URL + "/webhooks/logistics/kuaidi100/999999", kuaidi100.PushSign(param, "guessed"), http.StatusNotFound},
		{inst.URL + "/webhooks/logistics/aftership/" + acct.ID, kuaidi100.PushSign(param, "guessed"), http.StatusNotFound},
	} {
		if status, body, _ := kuaidi100test.PostForm(c.url, param, c.sign); status != c.want {
			t.Errorf("push to %s answered %d %s, want %d", c.url, status, body, c.want)
		}
	}
	if status, body, _ := kuaidi100test.PostForm(acct.CallbackURL, "", "x"); status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"param"`) {
		t.Errorf("push without param answered %d %s", status, body)
	}

	// 48 h without movement: one stuck alert on the buyer's conversation.
	clock.Advance(48 * time.Hour)
	Eventually(t, 20*time.Second, "the stuck alert", func() bool { return len(alertsOf(shop.Agent, convID, "parcel_stuck").Items) > 0 })
	for range 5 { // more sweeps, later in the same stop: still one alert
		clock.Advance(time.Minute)
		time.Sleep(cfg.LogisticsSweepInterval)
	}
	stuck := alertsOf(shop.Agent, convID, "parcel_stuck")
	if len(stuck.Items) != 1 || stuck.Items[0].OrderID == nil || *stuck.Items[0].OrderID != "T1001" {
		t.Fatalf("stuck alerts = %+v", stuck)
	}
	shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusOK, &tr)
	if tr.Parcel.Exception != "stuck" {
		t.Fatalf("exception beside the chat = %q", tr.Parcel.Exception)
	}

	// A problem parcel (疑难).
	k100.Append("SF1234567890", "2", kuaidi100test.Item{At: clock.Now(), Context: "【北京】收件人电话无人接听，转疑难件", Status: "疑难"})
	if status, _, err := k100.Push("SF1234567890", "polling"); err != nil || status != http.StatusOK {
		t.Fatalf("problem push: %d %v", status, err)
	}
	if got := alertsOf(shop.Agent, convID, "parcel_problem"); len(got.Items) != 1 {
		t.Fatalf("problem alerts = %+v", got)
	}

	// Delivered: the chat moves to after-sale, the order shows delivered.
	clock.Advance(2 * time.Hour)
	k100.Append("SF1234567890", "5", kuaidi100test.Item{At: clock.Now().Add(-time.Hour), Context: "【北京】快件派送中", Status: "派件"})
	k100.Append("SF1234567890", "3", kuaidi100test.Item{At: clock.Now(), Context: "【北京】已签收，签收人：本人", Status: "签收"})
	if status, _, err := k100.Push("SF1234567890", "shutdown"); err != nil || status != http.StatusOK {
		t.Fatalf("delivery push: %d %v", status, err)
	}
	var conv conversationView
	shop.Agent.Do("GET", "/api/v1/conversations/"+convID, nil, http.StatusOK, &conv)
	if conv.Stage != "after_sale" || conv.Orders[0].Status != "delivered" {
		t.Fatalf("after delivery: stage %s, order %s", conv.Stage, conv.Orders[0].Status)
	}
	var evs struct {
		Items []struct {
			Kind string
			Data map[string]any
		}
	}
	shop.Agent.Do("GET", "/api/v1/conversations/"+convID+"/events", nil, http.StatusOK, &evs)
	var byLogistics, parcelEvents int
	for _, e := range evs.Items {
		if e.Kind == "stage_changed" && e.Data["by"] == "logistics" && e.Data["to"] == "after_sale" {
			byLogistics++
		}
		if e.Kind == "parcel" {
			parcelEvents++
		}
	}
	if byLogistics != 1 || parcelEvents != 3 { // stuck, problem, delivered
		t.Fatalf("thread events = %+v", evs.Items)
	}

	// The follow-up (回访) reminder once it is due, 72 h after delivery.
	if n := len(alertsOf(shop.Agent, convID, "follow_up").Items); n != 0 {
		t.Fatalf("%d follow-ups right after delivery", n)
	}
	clock.Advance(73 * time.Hour)
	Eventually(t, 20*time.Second, "the follow-up reminder", func() bool { return len(alertsOf(shop.Agent, convID, "follow_up").Items) == 1 })
	shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusOK, &tr)
	if tr.Parcel.State != "delivered" || tr.Parcel.Exception != "" || len(tr.Events) != 5 {
		t.Fatalf("final tracking = %+v", tr)
	}

	// Another shop sees none of it.
	other := inst.NewShop(t, "parcels-other", "http://127.0.0.1:9/unused")
	other.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusNotFound, nil)
	other.Supervisor.Do("GET", "/api/v1/logistics/providers?shop_id="+shop.ID, nil, http.StatusNotFound, nil)
}

// A parcel followed through AfterShip, on MariaDB and on the embedded default: the
// tracking is created, the signed webhook of a refusal then a return raises one alert
// on the conversation; a redelivered webhook is answered duplicate and a forged one 401.
func TestReturnedParcelThroughTheApp(t *testing.T) {
	t.Parallel()
	t.Run("mysql", func(t *testing.T) { t.Parallel(); returnedThroughTheApp(t, Config(t)) })
	t.Run("embedded", func(t *testing.T) { t.Parallel(); returnedThroughTheApp(t, EmbeddedConfig(t)) })
}

func returnedThroughTheApp(t *testing.T, cfg config.Config) {
	cfg.LogisticsSweepInterval = 100 * time.Millisecond
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	inst := StartClock(t, cfg, app.Roles{Serve: true, Work: true}, clock)
	shop := inst.NewShop(t, "returns", "http://127.0.0.1:9/unused")
	as := aftershiptest.Start(t, "asat_key")
	var acct struct {
		ID          string
		CallbackURL string `json:"callback_url"`
	}
	shop.Supervisor.Do("POST", "/api/v1/logistics/providers", map[string]any{"provider": "aftership",
		"config": map[string]string{"api_key": "asat_key", "webhook_secret": "whsec_1", "api_base_url": as.URL}}, http.StatusCreated, &acct)

	inst.Webhook(t, shop, MessageBody("m-1", "b-9", "Bob", "Where is my parcel?"))
	inst.Webhook(t, shop, shippedOrder("T2002", "b-9", "DHL", "1234567890", clock.Now()))
	convID, orderID := firstConversation(t, shop.Agent)
	Eventually(t, 20*time.Second, "the AfterShip tracking to be created", func() bool {
		_, ok := as.ID("1234567890")
		return ok
	})
	as.Set("1234567890", "Exception", "Exception_003",
		aftershiptest.Checkpoint{At: clock.Now().Add(time.Hour), Message: "Shipment picked up", City: "Shenzhen", Tag: "InTransit"},
		aftershiptest.Checkpoint{At: clock.Now().Add(40 * time.Hour), Message: "Recipient refused delivery", City: "Berlin", Tag: "Exception", Subtag: "Exception_003"})
	status, body, err := as.Webhook(acct.CallbackURL, "whsec_1", "1234567890")
	if err != nil || status != http.StatusOK || string(body) != `{"status":"accepted"}` {
		t.Fatalf("webhook answered %d %s %v", status, body, err)
	}
	status, body, _ = as.Webhook(acct.CallbackURL, "whsec_1", "1234567890")
	if status != http.StatusOK || string(body) != `{"status":"duplicate"}` {
		t.Fatalf("redelivered webhook answered %d %s", status, body)
	}
	if status, _, _ := as.Webhook(acct.CallbackURL, "not-the-secret", "1234567890"); status != http.StatusUnauthorized {
		t.Fatalf("forged webhook answered %d", status)
	}
	if status, body, _ := aftershiptest.Post(acct.CallbackURL, []byte(`{"event":"tracking_update"}`),
		aftership.Sign("whsec_1", []byte(`{"event":"tracking_update"}`))); status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"msg"`) {
		t.Fatalf("webhook without msg answered %d %s", status, body)
	}
	as.Set("1234567890", "Exception", "Exception_011",
		aftershiptest.Checkpoint{At: clock.Now().Add(time.Hour), Message: "Shipment picked up", City: "Shenzhen", Tag: "InTransit"},
		aftershiptest.Checkpoint{At: clock.Now().Add(40 * time.Hour), Message: "Recipient refused delivery", City: "Berlin", Tag: "Exception", Subtag: "Exception_003"},
		aftershiptest.Checkpoint{At: clock.Now().Add(90 * time.Hour), Message: "Returned to shipper", City: "Shenzhen", Tag: "Exception", Subtag: "Exception_011"})
	if status, body, _ := as.Webhook(acct.CallbackURL, "whsec_1", "1234567890"); status != http.StatusOK {
		t.Fatalf("return webhook answered %d %s", status, body)
	}
	returned := alertsOf(shop.Agent, convID, "parcel_returned")
	if len(returned.Items) != 1 || !strings.Contains(returned.Items[0].Summary, "1234567890") {
		t.Fatalf("return alerts = %+v", returned)
	}
	var tr trackingView
	shop.Agent.Do("GET", "/api/v1/orders/"+orderID+"/tracking", nil, http.StatusOK, &tr)
	if tr.Parcel.State != "returned" || tr.Parcel.Exception != "returned" || len(tr.Events) != 3 || tr.Events[0].State != "returned" {
		t.Fatalf("tracking = %+v", tr)
	}
}
