// Package kuaidi100test is a 快递100 for tests: an httptest server that speaks the
// query, subscription and push protocol (checking the signs and the key as the real
// service does) and holds the parcels' histories the test gives it.
package kuaidi100test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
)

// Item is one line of a carrier's history.
type Item struct {
	At      time.Time
	Context string
	Status  string // 在途, 揽收, 签收...
	Area    string
}

// Subscription is a parcel subscribed to the push service.
type Subscription struct {
	Company, Number, CallbackURL, Salt, Phone string
	// AutoCom is set when the company was left to 快递100's detection.
	AutoCom bool
}

// Server is a fake 快递100.
type Server struct {
	*httptest.Server
	Customer, Key string

	mu       sync.Mutex
	tracks   map[string]track
	subs     map[string]Subscription
	calls    map[string]int
	failNext map[string]int
	refuse   bool
	queried  []string // the company of each query
}

type track struct {
	com, state string
	items      []Item
}

// Start runs a fake 快递100 with an account's credentials until the test ends.
func Start(t testing.TB, customer, key string) *Server {
	s := &Server{Customer: customer, Key: key, tracks: map[string]track{}, subs: map[string]Subscription{},
		calls: map[string]int{}, failNext: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /poll", s.subscribe)
	mux.HandleFunc("POST /poll/query.do", s.query)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// SetTrack sets a parcel's state code and history (any order; answered newest first).
func (s *Server) SetTrack(number, com, state string, items ...Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracks[number] = track{com: com, state: state, items: slices.Clone(items)}
}

// Append adds a line to a number's history and sets its state code.
func (s *Server) Append(number, state string, it Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.tracks[number]
	tr.state, tr.items = state, append(tr.items, it)
	s.tracks[number] = tr
}

// Forget drops a number's subscription, as 快递100 does after aborting it.
func (s *Server) Forget(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, number)
}

// RefuseSubscriptions makes subscriptions answer 701 (a company the push service
// refuses) while on.
func (s *Server) RefuseSubscriptions(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = on
}

// FailNext makes the next n calls of an endpoint ("/poll" or "/poll/query.do") answer
// HTTP 500, as when the service is down.
func (s *Server) FailNext(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[path] = n
}

// Calls counts the calls an endpoint received.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Queried lists the company code of each query received.
func (s *Server) Queried() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queried)
}

// Subscription answers a number's subscription.
func (s *Server) Subscription(number string) (Subscription, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[number]
	return sub, ok
}

func (s *Server) count(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[r.URL.Path]++
	if s.failNext[r.URL.Path] > 0 {
		s.failNext[r.URL.Path]--
		http.Error(w, "upstream unavailable", http.StatusInternalServerError)
		return false
	}
	return true
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func refuse(w http.ResponseWriter, code, message string) {
	answer(w, map[string]any{"result": false, "returnCode": code, "message": message})
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if !s.count(w, r) {
		return
	}
	if r.FormValue("schema") != "json" {
		refuse(w, "700", "POLL:schema must be json")
		return
	}
	var p struct {
		Company, Number, Key string
		Parameters           struct {
			CallbackURL string `json:"callbackurl"`
			Salt, Phone string
			AutoCom     string `json:"autoCom"`
		}
	}
	if err := json.Unmarshal([]byte(r.FormValue("param")), &p); err != nil {
		refuse(w, "700", "POLL:param is not JSON")
		return
	}
	switch {
	case p.Key != s.Key:
		refuse(w, "600", "您不是合法的订阅者（即授权Key出错）")
		return
	case p.Company == "" && p.Parameters.AutoCom != "1", p.Number == "", p.Parameters.CallbackURL == "":
		refuse(w, "700", "POLL:订阅方的订阅数据存在错误")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse {
		refuse(w, "701", "POLL:拒绝订阅的快递公司")
		return
	}
	if _, dup := s.subs[p.Number]; dup {
		refuse(w, "501", "POLL:重复订阅")
		return
	}
	s.subs[p.Number] = Subscription{Company: p.Company, Number: p.Number, CallbackURL: p.Parameters.CallbackURL,
		Salt: p.Parameters.Salt, Phone: p.Parameters.Phone, AutoCom: p.Parameters.AutoCom == "1"}
	answer(w, map[string]any{"result": true, "returnCode": "200", "message": "提交成功"})
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	if !s.count(w, r) {
		return
	}
	param := r.FormValue("param")
	if r.FormValue("customer") != s.Customer || r.FormValue("sign") != kuaidi100.Sign(param, s.Key, s.Customer) {
		refuse(w, "503", "验证签名失败")
		return
	}
	var p struct{ Com, Num, Phone string }
	if err := json.Unmarshal([]byte(param), &p); err != nil {
		refuse(w, "400", "找不到对应公司")
		return
	}
	s.mu.Lock()
	s.queried = append(s.queried, p.Com)
	s.mu.Unlock()
	if p.Com == "shunfeng" && len(p.Phone) < 4 {
		refuse(w, "408", "您提交的快递公司需要验证电话号码")
		return
	}
	s.mu.Lock()
	tr, ok := s.tracks[p.Num]
	s.mu.Unlock()
	if !ok || len(tr.items) == 0 {
		refuse(w, "500", "查询无结果，请隔段时间再查")
		return
	}
	answer(w, result(p.Num, tr))
}

// result is the shape of a query answer and of a push's lastResult.
func result(number string, tr track) map[string]any {
	items := slices.Clone(tr.items)
	slices.SortStableFunc(items, func(a, b Item) int { return b.At.Compare(a.At) })
	data := make([]map[string]any, 0, len(items))
	china := time.FixedZone("CST", 8*3600)
	for _, it := range items {
		ts := it.At.In(china).Format(time.DateTime)
		data = append(data, map[string]any{"time": ts, "ftime": ts, "context": it.Context, "location": "",
			"status": it.Status, "areaName": it.Area, "areaCode": nil})
	}
	check := "0"
	if tr.state == "3" {
		check = "1"
	}
	return map[string]any{"message": "ok", "nu": number, "ischeck": check, "condition": "F00", "com": tr.com,
		"status": "200", "state": tr.state, "data": data}
}

// Push delivers a number's current history to its subscription's callback URL, signed
// with the subscription's salt, and answers the callback's status and body. status is
// the push status (polling, shutdown, abort).
func (s *Server) Push(number, status string) (int, []byte, error) {
	s.mu.Lock()
	sub, ok := s.subs[number]
	tr := s.tracks[number]
	s.mu.Unlock()
	if !ok {
		return 0, nil, fmt.Errorf("kuaidi100test: %s is not subscribed", number)
	}
	param, err := json.Marshal(map[string]any{"status": status, "billstatus": "got", "message": "",
		"autoCheck": "0", "comOld": "", "comNew": "", "lastResult": result(number, tr)})
	if err != nil {
		return 0, nil, err
	}
	return PostForm(sub.CallbackURL, string(param), kuaidi100.PushSign(string(param), sub.Salt))
}

// PostForm posts a push form (param and sign) as 快递100 does.
func PostForm(callbackURL, param, sign string) (int, []byte, error) {
	form := url.Values{"param": {param}}
	if sign != "" {
		form.Set("sign", sign)
	}
	resp, err := http.Post(callbackURL, "application/x-www-form-urlencoded", bytes.NewReader([]byte(form.Encode())))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
