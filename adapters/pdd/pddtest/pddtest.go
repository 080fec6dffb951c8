// Package pddtest is a fake Pinduoduo open platform gateway for tests: an httptest
// server that checks every call's MD5 signature, client id, timestamp and access token
// as the gateway does, answers with its JSON and error_response bodies, serves the
// order increment API (30-minute windows, pages) and records note updates.
package pddtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/pdd"
)

// Server is the fake gateway; its fields are the app and shop it accepts.
type Server struct {
	*httptest.Server
	ClientID, Secret, AccessToken string

	mu      sync.Mutex
	orders  map[string]pdd.Order
	notes   []adaptertest.NoteCall
	calls   []url.Values
	fault   string
	revoked bool
}

// New starts a fake gateway; Close it when done.
func New(clientID, secret, accessToken string) *Server {
	s := &Server{ClientID: clientID, Secret: secret, AccessToken: accessToken, orders: map[string]pdd.Order{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PutOrder stores (or replaces) an order.
func (s *Server) PutOrder(o pdd.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.OrderSN] = o
}

// Notes lists the note updates accepted; Flag is the tag number ("" when none was sent).
func (s *Server) Notes() []adaptertest.NoteCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// Calls lists the parameters of every call whose signature checked out.
func (s *Server) Calls() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Faults for the next call, whatever its type.
func (s *Server) CorruptNext()  { s.arm("corrupt") }
func (s *Server) HollowNext()   { s.arm("hollow") }
func (s *Server) FailNext()     { s.arm("fail") }
func (s *Server) ThrottleNext() { s.arm("throttle") }
func (s *Server) RejectNext()   { s.arm("reject") }

// Revoke makes every later call fail as with a revoked authorisation.
func (s *Server) Revoke() { s.mu.Lock(); s.revoked = true; s.mu.Unlock() }

func (s *Server) arm(f string) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

type apiError struct {
	Code      int    `json:"error_code"`
	Msg       string `json:"error_msg"`
	SubCode   string `json:"sub_code,omitempty"`
	SubMsg    string `json:"sub_msg,omitempty"`
	RequestID string `json:"request_id"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e apiError) {
	e.RequestID = "fake-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	writeJSON(w, map[string]any{"error_response": e})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != pdd.RouterPath {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, apiError{Code: 10000, Msg: "参数错误: " + err.Error()})
		return
	}
	p := r.Form
	if e, ok := s.check(p); !ok {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, p)
	if s.revoked {
		writeFault(w, "reject")
		return
	}
	if f := s.fault; f != "" {
		s.fault = ""
		writeFault(w, f)
		return
	}
	key, answer, e := s.dispatch(p)
	if e != nil {
		writeError(w, *e)
		return
	}
	writeJSON(w, map[string]any{key: answer})
}

func (s *Server) check(p url.Values) (apiError, bool) {
	for _, k := range []string{"type", "client_id", "timestamp", "sign"} {
		if p.Get(k) == "" {
			return apiError{Code: 10000, Msg: "公共参数错误:" + k}, false
		}
	}
	if p.Get("client_id") != s.ClientID {
		return apiError{Code: 20005, Msg: "client_id不存在"}, false
	}
	flat := map[string]string{}
	for k := range p {
		flat[k] = p.Get(k)
	}
	if p.Get("sign") != pdd.Sign(s.Secret, flat) {
		return apiError{Code: 20004, Msg: "签名错误"}, false
	}
	ts, err := strconv.ParseInt(p.Get("timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 10*time.Minute {
		return apiError{Code: 10000, Msg: "公共参数错误:timestamp"}, false
	}
	if p.Get("access_token") != s.AccessToken {
		return apiError{Code: 10019, Msg: "access_token已过期"}, false
	}
	return apiError{}, true
}

func writeFault(w http.ResponseWriter, f string) {
	switch f {
	case "corrupt":
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprint(w, `{"order_sn_increment_get_response":{"total_count":3,"order_sn_list":[{"order_sn":"2`)
	case "hollow":
		writeJSON(w, map[string]any{})
	case "fail":
		writeError(w, apiError{Code: 50001, Msg: "系统繁忙，请稍后重试"})
	case "throttle":
		writeError(w, apiError{Code: 70031, Msg: "调用过于频繁，请调整调用频率"})
	case "reject":
		writeError(w, apiError{Code: 10019, Msg: "access_token已过期"})
	}
}

func (s *Server) dispatch(p url.Values) (string, any, *apiError) {
	switch p.Get("type") {
	case "pdd.order.number.list.increment.get":
		page, e := s.increment(p)
		return "order_sn_increment_get_response", page, e
	case "pdd.order.information.get":
		o, ok := s.orders[p.Get("order_sn")]
		if !ok {
			return "", nil, &apiError{Code: 50000, Msg: "订单不存在"}
		}
		return "order_info_get_response", map[string]any{"order_info": o}, nil
	case "pdd.order.note.update":
		answer, e := s.note(p)
		return "response", answer, e
	}
	return "", nil, &apiError{Code: 10001, Msg: "接口不存在: " + p.Get("type")}
}

func (s *Server) increment(p url.Values) (any, *apiError) {
	start, err1 := strconv.ParseInt(p.Get("start_updated_at"), 10, 64)
	end, err2 := strconv.ParseInt(p.Get("end_updated_at"), 10, 64)
	if err1 != nil || err2 != nil || end < start || end-start > 1800 {
		return nil, &apiError{Code: 10000, Msg: "参数错误: 开始时间结束时间间距不超过 30 分钟"}
	}
	page, _ := strconv.Atoi(p.Get("page"))
	size, _ := strconv.Atoi(p.Get("page_size"))
	if page < 1 || size < 1 || size > 100 {
		return nil, &apiError{Code: 10000, Msg: "参数错误: page/page_size"}
	}
	var in []pdd.Order
	for _, o := range s.orders {
		at, _ := time.ParseInLocation(pdd.TimeLayout, o.UpdatedAt, pdd.CST)
		if u := at.Unix(); u >= start && u <= end {
			in = append(in, o)
		}
	}
	sort.Slice(in, func(i, j int) bool {
		if in[i].UpdatedAt != in[j].UpdatedAt {
			return in[i].UpdatedAt < in[j].UpdatedAt
		}
		return in[i].OrderSN < in[j].OrderSN
	})
	total := len(in)
	from := min((page-1)*size, total)
	return map[string]any{"total_count": total, "order_sn_list": in[from:min(from+size, total)]}, nil
}

func (s *Server) note(p url.Values) (any, *apiError) {
	sn := p.Get("order_sn")
	if _, ok := s.orders[sn]; !ok {
		return map[string]any{"success": false, "error_code": 50000, "error_msg": "订单不存在"}, nil
	}
	tag, name := p.Get("tag"), p.Get("tag_name")
	if (tag == "") != (name == "") {
		return nil, &apiError{Code: 10000, Msg: "参数错误: tag 与 tag_name 需同时传入"}
	}
	if tag != "" {
		n, err := strconv.Atoi(tag)
		if err != nil || n < 1 || n > 5 || utf8.RuneCountInString(name) > 3 {
			return nil, &apiError{Code: 10000, Msg: "参数错误: tag 1-5, tag_name 不超过3个字"}
		}
	}
	s.notes = append(s.notes, adaptertest.NoteCall{OrderID: sn, Flag: tag, Note: p.Get("note")})
	return map[string]any{"success": true}, nil
}
