package kuaidi100_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100/kuaidi100test"
	"github.com/chatbridge/chatbridge/models"
)

// PROTOCOLS.md §8 [S] vectors.
func TestSignVectors(t *testing.T) {
	param := `{"com":"yuantong","num":"YT0000000000000"}`
	if got := kuaidi100.Sign(param, "KEYabc", "CUSTOMERxyz"); got != "D7801D829471DF90144F69DE0C4CD13B" {
		t.Errorf("query sign = %s", got)
	}
	if got := kuaidi100.PushSign(param, "mysalt"); got != "7929BD4990667214BC810F800CBE6833" {
		t.Errorf("push sign = %s", got)
	}
	if !kuaidi100.VerifyPush(param, "mysalt", "7929bd4990667214bc810f800cbe6833") {
		t.Error("a lower-case sign of the right value is refused")
	}
	if kuaidi100.VerifyPush(param, "othersalt", "7929BD4990667214BC810F800CBE6833") {
		t.Error("a sign made with another salt is accepted")
	}
}

var china = time.FixedZone("CST", 8*3600)

func account(t *testing.T, fake *kuaidi100test.Server, salt string) logistics.Account {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"customer": fake.Customer, "key": fake.Key, "salt": salt, "api_base_url": fake.URL})
	cfg, err := kuaidi100.New(http.DefaultClient).PrepareConfig(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return logistics.Account{ID: 7, ShopID: 1, Provider: kuaidi100.Name, Config: cfg}
}

// A query is signed the way 快递100 checks it, and its answer (newest first, Beijing
// time) becomes the unified snapshot, oldest first.
func TestQuery(t *testing.T) {
	fake := kuaidi100test.Start(t, "CUSTOMERxyz", "KEYabc")
	p := kuaidi100.New(http.DefaultClient)
	acct := account(t, fake, "")
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, china)
	fake.SetTrack("YT0000000000000", "yuantong", "5",
		kuaidi100test.Item{At: t0, Context: "【杭州市】圆通速递 已揽收", Status: "揽收", Area: "浙江,杭州市"},
		kuaidi100test.Item{At: t0.Add(20 * time.Hour), Context: "【北京市】快件正在派送中", Status: "派件"},
		kuaidi100test.Item{At: t0.Add(10 * time.Hour), Context: "【上海转运中心】已发出", Status: "在途"},
	)
	snap, err := p.Query(context.Background(), acct, logistics.ParcelRef{Number: "YT0000000000000", Carrier: "yuantong"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Number != "YT0000000000000" || snap.Carrier != "yuantong" || snap.State != models.ParcelOutForDelivery || snap.RawState != "5" {
		t.Fatalf("snapshot = %+v", snap)
	}
	want := []logistics.Event{
		{At: t0, Text: "【杭州市】圆通速递 已揽收", Location: "浙江,杭州市", Status: "揽收", State: models.ParcelCollected},
		{At: t0.Add(10 * time.Hour), Text: "【上海转运中心】已发出", Status: "在途", State: models.ParcelInTransit},
		{At: t0.Add(20 * time.Hour), Text: "【北京市】快件正在派送中", Status: "派件", State: models.ParcelOutForDelivery},
	}
	if len(snap.Events) != len(want) {
		t.Fatalf("events = %+v", snap.Events)
	}
	for i, ev := range snap.Events {
		if !ev.At.Equal(want[i].At) || ev.Text != want[i].Text || ev.Location != want[i].Location || ev.State != want[i].State || ev.Status != want[i].Status {
			t.Errorf("event %d = %+v, want %+v", i, ev, want[i])
		}
	}

	// No record yet is an empty history, not a failure.
	snap, err = p.Query(context.Background(), acct, logistics.ParcelRef{Number: "YT0000000000001", Carrier: "yuantong"})
	if err != nil || len(snap.Events) != 0 || snap.Number != "YT0000000000001" {
		t.Fatalf("no-record answer = %+v, %v", snap, err)
	}
	// SF requires the phone: 快递100 refuses without it, permanently.
	_, err = p.Query(context.Background(), acct, logistics.ParcelRef{Number: "SF1", Carrier: "shunfeng"})
	var perm *logistics.PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("SF without a phone: %v, want a permanent error", err)
	}
	// A wrong key makes the sign wrong: permanent.
	bad := account(t, fake, "")
	bad.Config = []byte(strings.Replace(string(bad.Config), `"key":"KEYabc"`, `"key":"WRONG"`, 1))
	if _, err := p.Query(context.Background(), bad, logistics.ParcelRef{Number: "YT0000000000000", Carrier: "yuantong"}); !errors.As(err, &perm) {
		t.Fatalf("wrong key: %v, want a permanent error", err)
	}
	// The service down: an error to retry, not a permanent one.
	fake.FailNext("/poll/query.do", 1)
	_, err = p.Query(context.Background(), acct, logistics.ParcelRef{Number: "YT0000000000000", Carrier: "yuantong"})
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("HTTP 500: %v, want a retryable error", err)
	}
}

// A subscription carries the callback URL and the account's salt; subscribing again
// (501 重复订阅) is success; a refused key is permanent; the service down is retried.
func TestSubscribe(t *testing.T) {
	fake := kuaidi100test.Start(t, "CUSTOMERxyz", "KEYabc")
	p := kuaidi100.New(http.DefaultClient)
	acct := account(t, fake, "mysalt")
	ref := logistics.ParcelRef{Number: "SF1234567890", Carrier: "shunfeng", Phone: "13800000000"}
	for range 2 {
		if _, err := p.Subscribe(context.Background(), acct, ref, "https://cb.example/webhooks/logistics/kuaidi100/7"); err != nil {
			t.Fatal(err)
		}
	}
	sub, ok := fake.Subscription("SF1234567890")
	if !ok || sub.Company != "shunfeng" || sub.Salt != "mysalt" || sub.Phone != "13800000000" ||
		sub.CallbackURL != "https://cb.example/webhooks/logistics/kuaidi100/7" {
		t.Fatalf("subscription = %+v", sub)
	}
	var perm *logistics.PermanentError
	bad := acct
	bad.Config = []byte(strings.Replace(string(acct.Config), `"key":"KEYabc"`, `"key":"WRONG"`, 1))
	if _, err := p.Subscribe(context.Background(), bad, ref, "https://cb.example/x"); !errors.As(err, &perm) {
		t.Fatalf("wrong key: %v, want a permanent error", err)
	}
	fake.FailNext("/poll", 1)
	if _, err := p.Subscribe(context.Background(), acct, ref, "https://cb.example/x"); err == nil || errors.As(err, &perm) {
		t.Fatalf("HTTP 500: %v, want a retryable error", err)
	}
}

// samplePush is a push as 快递100 sends it (java-demo SubscribePushParamResp).
const samplePush = `{"status":"polling","billstatus":"check","message":"","autoCheck":"0","comOld":"","comNew":"",` +
	`"lastResult":{"message":"ok","nu":"YT0000000000000","ischeck":"1","condition":"F00","com":"yuantong","status":"200","state":"3",` +
	`"data":[{"time":"2026-11-24 15:04:05","ftime":"2026-11-24 15:04:05","context":"【北京市】已签收，签收人：本人","location":"","status":"签收"},` +
	`{"time":"2026-11-23 09:00:00","ftime":"2026-11-23 09:00:00","context":"【杭州市】已揽收","location":"","status":"揽收"}]}}`

func pushRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/logistics/kuaidi100/7", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func form(param, sign string) string {
	v := url.Values{"param": {param}}
	if sign != "" {
		v.Set("sign", sign)
	}
	return v.Encode()
}

func TestParsePush(t *testing.T) {
	fake := kuaidi100test.Start(t, "c", "k")
	p := kuaidi100.New(http.DefaultClient)
	acct := account(t, fake, "mysalt")
	body := form(samplePush, kuaidi100.PushSign(samplePush, "mysalt"))
	snaps, err := p.ParsePush(acct, pushRequest(body), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 {
		t.Fatalf("%d snapshots", len(snaps))
	}
	s := snaps[0]
	if s.Number != "YT0000000000000" || s.Carrier != "yuantong" || s.State != models.ParcelDelivered || s.Lost || len(s.Events) != 2 {
		t.Fatalf("snapshot = %+v", s)
	}
	if !s.Events[1].At.Equal(time.Date(2026, 11, 24, 15, 4, 5, 0, china)) || s.Events[1].State != models.ParcelDelivered {
		t.Fatalf("latest event = %+v", s.Events[1])
	}
	ct, reply := p.PushReply(false)
	if string(reply) != `{"result":true,"returnCode":"200","message":"成功"}` || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("reply = %s %s", ct, reply)
	}
	if _, dup := p.PushReply(true); string(dup) != string(reply) {
		t.Fatal("a duplicate push gets another reply")
	}

	abort := strings.Replace(samplePush, `"status":"polling"`, `"status":"abort"`, 1)
	body = form(abort, kuaidi100.PushSign(abort, "mysalt"))
	if snaps, err := p.ParsePush(acct, pushRequest(body), []byte(body)); err != nil || !snaps[0].Lost {
		t.Fatalf("abort push: %+v, %v; want the subscription reported lost", snaps, err)
	}

	for _, c := range []struct {
		name, body string
		field      string // "" for unauthorized
	}{
		{"forged", form(samplePush, kuaidi100.PushSign(samplePush, "othersalt")), ""},
		{"unsigned", form(samplePush, ""), ""},
		{"tampered", form(strings.Replace(samplePush, `"state":"3"`, `"state":"0"`, 1), kuaidi100.PushSign(samplePush, "mysalt")), ""},
		{"no param", url.Values{"sign": {"X"}}.Encode(), "param"},
		{"not JSON", form("{oops", kuaidi100.PushSign("{oops", "mysalt")), "param"},
		{"no lastResult", form(`{"status":"polling"}`, kuaidi100.PushSign(`{"status":"polling"}`, "mysalt")), "param.lastResult"},
		{"no number", form(`{"status":"polling","lastResult":{"state":"0"}}`, kuaidi100.PushSign(`{"status":"polling","lastResult":{"state":"0"}}`, "mysalt")), "param.lastResult.nu"},
		{"bad time", form(strings.Replace(samplePush, `"ftime":"2026-11-23 09:00:00"`, `"ftime":"yesterday"`, 1),
			kuaidi100.PushSign(strings.Replace(samplePush, `"ftime":"2026-11-23 09:00:00"`, `"ftime":"yesterday"`, 1), "mysalt")),
			"param.lastResult.data[1].ftime"},
	} {
		_, err := p.ParsePush(acct, pushRequest(c.body), []byte(c.body))
		var bad *adapters.BadRequestError
		switch {
		case c.field == "" && !errors.Is(err, adapters.ErrUnauthorized):
			t.Errorf("%s: %v, want unauthorized", c.name, err)
		case c.field != "" && (!errors.As(err, &bad) || bad.Field != c.field):
			t.Errorf("%s: %v, want a bad request on %s", c.name, err, c.field)
		}
	}
}

// Every 快递100 state code maps to a unified state.
func TestStateCodes(t *testing.T) {
	p := kuaidi100.New(http.DefaultClient)
	fake := kuaidi100test.Start(t, "c", "k")
	acct := account(t, fake, "s")
	for code, want := range map[string]models.ParcelState{
		"0": models.ParcelInTransit, "1": models.ParcelCollected, "2": models.ParcelProblem, "3": models.ParcelDelivered,
		"4": models.ParcelReturned, "5": models.ParcelOutForDelivery, "6": models.ParcelReturning, "7": models.ParcelInTransit,
		"10": models.ParcelCustoms, "11": models.ParcelCustoms, "12": models.ParcelCustoms, "13": models.ParcelProblem,
		"14": models.ParcelRefused, "99": "",
	} {
		param := strings.Replace(samplePush, `"state":"3"`, `"state":"`+code+`"`, 1)
		param = strings.Replace(param, `"ischeck":"1"`, `"ischeck":"0"`, 1)
		body := form(param, kuaidi100.PushSign(param, "s"))
		snaps, err := p.ParsePush(acct, pushRequest(body), []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if snaps[0].State != want {
			t.Errorf("state %s → %q, want %q", code, snaps[0].State, want)
		}
	}
}

func TestPrepareConfig(t *testing.T) {
	p := kuaidi100.New(http.DefaultClient)
	cfg, err := p.PrepareConfig([]byte(`{"customer":" C1 ","key":"K1"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var c kuaidi100.Config
	_ = json.Unmarshal(cfg, &c)
	if c.Customer != "C1" || c.Key != "K1" || len(c.Salt) != 24 {
		t.Fatalf("prepared = %+v", c)
	}
	again, _ := p.PrepareConfig([]byte(`{"customer":"C1","key":"K1"}`), nil)
	var c2 kuaidi100.Config
	_ = json.Unmarshal(again, &c2)
	if c2.Salt == c.Salt {
		t.Fatal("two accounts got the same salt")
	}
	// Saving the account again keeps its salt (subscriptions made before push with it)
	// and, when the key is left empty, its key.
	kept, err := p.PrepareConfig([]byte(`{"customer":"C2"}`), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var c3 kuaidi100.Config
	_ = json.Unmarshal(kept, &c3)
	if c3.Customer != "C2" || c3.Key != "K1" || c3.Salt != c.Salt {
		t.Fatalf("re-saved = %+v, want the key and the salt %s kept", c3, c.Salt)
	}
	pub := p.PublicConfig(cfg)
	if pub["customer"] != "C1" || pub["key"] != nil || pub["salt"] != nil {
		t.Fatalf("public config shows %v", pub)
	}
	for raw, field := range map[string]string{
		`{"key":"K"}`:      "config.customer",
		`{"customer":"C"}`: "config.key",
		`{"customer":"C","key":"K","api_base_url":"x"}`: "config.api_base_url",
		`{"customer":"C","key":"K","secret":"x"}`:       "config",
	} {
		_, err := p.PrepareConfig([]byte(raw), nil)
		var inv *models.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: %v, want invalid %s", raw, err, field)
		}
	}
}

// The fake's own push reaches a callback with a body the provider verifies.
func TestFakePushIsVerifiable(t *testing.T) {
	fake := kuaidi100test.Start(t, "c", "k")
	p := kuaidi100.New(http.DefaultClient)
	acct := account(t, fake, "pushsalt")
	var got []logistics.Snapshot
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		snaps, err := p.ParsePush(acct, r, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got = snaps
		_, reply := p.PushReply(false)
		_, _ = w.Write(reply)
	}))
	defer cb.Close()
	if _, err := p.Subscribe(context.Background(), acct, logistics.ParcelRef{Number: "ZT1", Carrier: "zhongtong"}, cb.URL); err != nil {
		t.Fatal(err)
	}
	fake.SetTrack("ZT1", "zhongtong", "0", kuaidi100test.Item{At: time.Now(), Context: "在途", Status: "在途"})
	status, body, err := fake.Push("ZT1", "polling")
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), `"returnCode":"200"`) {
		t.Fatalf("push answered %d %s %v", status, body, err)
	}
	if len(got) != 1 || got[0].Number != "ZT1" || got[0].State != models.ParcelInTransit {
		t.Fatalf("callback read %+v", got)
	}
}
