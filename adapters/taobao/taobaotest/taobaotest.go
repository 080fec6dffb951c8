// Package taobaotest is a fake Taobao Open Platform gateway for tests: an httptest
// server that checks every call's signature (md5, hmac, hmac-sha256) and session the
// way TOP does, answers with TOP's JSON and error_response bodies, keeps a TMC message
// queue with confirm, and enforces the memo rules (memo.add once per trade).
package taobaotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/taobao"
)

// Server is the fake gateway. Its fields are the app and shop it accepts.
type Server struct {
	*httptest.Server
	AppKey, Secret, Session string

	mu        sync.Mutex
	trades    map[string]*taobao.Trade
	shipped   map[string]bool
	refunds   map[string]*taobao.Refund
	queue     []queued
	memos     map[string]string
	notes     []adaptertest.NoteCall
	addresses []url.Values
	calls     []Call
	fault     string
	revoked   bool
}

type queued struct {
	msg       taobao.Message
	confirmed bool
}

// Call is one call the gateway received, after its signature checked out.
type Call struct {
	Method string
	Params url.Values
}

// New starts a fake gateway; Close it when done.
func New(appKey, secret, session string) *Server {
	s := &Server{AppKey: appKey, Secret: secret, Session: session,
		trades: map[string]*taobao.Trade{}, shipped: map[string]bool{}, refunds: map[string]*taobao.Refund{}, memos: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PutTrade stores (or replaces) a trade; shipped makes address changes fail with 520.
func (s *Server) PutTrade(t taobao.Trade, shipped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trades[t.Tid.String()] = &t
	s.shipped[t.Tid.String()] = shipped
}

// PutRefund stores (or replaces) a refund.
func (s *Server) PutRefund(r taobao.Refund) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refunds[r.RefundID.String()] = &r
}

// Publish queues a TMC message; content is marshalled to its JSON string.
func (s *Server) Publish(id int64, topic string, content map[string]any) {
	raw, _ := json.Marshal(content)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, queued{msg: taobao.Message{ID: json.Number(strconv.FormatInt(id, 10)), Topic: topic,
		Content: string(raw), PubTime: time.Now().In(taobao.CST).Format(taobao.TimeLayout)}})
}

// Unconfirmed counts the queued messages not confirmed yet.
func (s *Server) Unconfirmed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.queue {
		if !q.confirmed {
			n++
		}
	}
	return n
}

// Notes lists the memo calls accepted, with the flag number as TOP received it.
func (s *Server) Notes() []adaptertest.NoteCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// Addresses lists the accepted address changes.
func (s *Server) Addresses() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.addresses)
}

// Calls lists every call with a valid signature, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Faults for the next call, whatever its method.
func (s *Server) CorruptNext()  { s.arm("corrupt") }
func (s *Server) HollowNext()   { s.arm("hollow") }
func (s *Server) FailNext()     { s.arm("fail") }
func (s *Server) ThrottleNext() { s.arm("throttle") }
func (s *Server) RejectNext()   { s.arm("reject") }

// Revoke makes every later call fail as with a revoked authorisation.
func (s *Server) Revoke() { s.mu.Lock(); s.revoked = true; s.mu.Unlock() }

func (s *Server) arm(f string) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

type apiError struct {
	Code    int    `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code,omitempty"`
	SubMsg  string `json:"sub_msg,omitempty"`
}

func writeError(w http.ResponseWriter, e apiError) {
	writeJSON(w, map[string]any{"error_response": e})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != taobao.GatewayPath {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, apiError{Code: 41, Msg: "Invalid arguments", SubMsg: err.Error()})
		return
	}
	p := r.Form
	if e, ok := s.check(p); !ok {
		writeError(w, e)
		return
	}
	method := p.Get("method")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: method, Params: p})
	if s.revoked {
		s.writeFault(w, "reject", method)
		return
	}
	switch f := s.fault; f {
	case "":
	default:
		s.fault = ""
		s.writeFault(w, f, method)
		return
	}
	answer, e := s.dispatch(method, p)
	if e != nil {
		writeError(w, *e)
		return
	}
	writeJSON(w, map[string]any{taobao.ResponseKey(method): answer})
}

// check verifies the common parameters and the signature as TOP does.
func (s *Server) check(p url.Values) (apiError, bool) {
	for _, k := range []string{"method", "app_key", "timestamp", "v", "sign", "sign_method"} {
		if p.Get(k) == "" {
			return apiError{Code: 40, Msg: "Missing required arguments:" + k}, false
		}
	}
	if p.Get("app_key") != s.AppKey {
		return apiError{Code: 29, Msg: "Invalid app Key"}, false
	}
	flat := map[string]string{}
	for k := range p {
		flat[k] = p.Get(k)
	}
	want, err := taobao.Sign(p.Get("sign_method"), s.Secret, flat)
	if err != nil {
		return apiError{Code: 41, Msg: "Invalid arguments:sign_method"}, false
	}
	if p.Get("sign") != want {
		return apiError{Code: 25, Msg: "Invalid signature"}, false
	}
	ts, err := time.ParseInLocation(taobao.TimeLayout, p.Get("timestamp"), taobao.CST)
	if err != nil || time.Since(ts).Abs() > 10*time.Minute {
		return apiError{Code: 41, Msg: "Invalid arguments:timestamp", SubMsg: "timestamp must be within 10 minutes of the server (GMT+8)"}, false
	}
	if p.Get("session") != s.Session {
		return apiError{Code: 27, Msg: "Invalid session", SubCode: "invalid-sessionkey"}, false
	}
	return apiError{}, true
}

func (s *Server) writeFault(w http.ResponseWriter, f, method string) {
	switch f {
	case "corrupt":
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"%s":{"messages":{"tmc_message":[{"id":1`, taobao.ResponseKey(method))
	case "hollow":
		writeJSON(w, map[string]any{})
	case "fail":
		writeError(w, apiError{Code: 15, Msg: "Remote service error", SubCode: "isp.remote-service-timeout", SubMsg: "系统繁忙，请稍后重试"})
	case "throttle":
		writeError(w, apiError{Code: 7, Msg: "App Call Limited", SubCode: "accesscontrol.limited-by-app-access-count",
			SubMsg: "This ban will last for 3 more seconds"})
	case "reject":
		writeError(w, apiError{Code: 27, Msg: "Invalid session", SubCode: "invalid-sessionkey", SubMsg: "SessionKey非法"})
	}
}

func (s *Server) dispatch(method string, p url.Values) (any, *apiError) {
	switch method {
	case "taobao.tmc.messages.consume":
		return s.consume(p)
	case "taobao.tmc.messages.confirm":
		return s.confirmMessages(p)
	case "taobao.trade.fullinfo.get":
		return s.fullinfo(p)
	case "taobao.refund.get":
		r, ok := s.refunds[p.Get("refund_id")]
		if !ok || p.Get("fields") == "" {
			return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.refund-not-exist", SubMsg: "退款不存在"}
		}
		return map[string]any{"refund": r}, nil
	case "taobao.trade.memo.add":
		return s.memo(p, true)
	case "taobao.trade.memo.update":
		return s.memo(p, false)
	case "taobao.trade.shippingaddress.update":
		return s.address(p)
	}
	return nil, &apiError{Code: 22, Msg: "Invalid method"}
}

func (s *Server) consume(p url.Values) (any, *apiError) {
	n, err := strconv.Atoi(p.Get("quantity"))
	if err != nil || n < 10 || n > 200 {
		return nil, &apiError{Code: 41, Msg: "Invalid arguments:quantity", SubMsg: "10..200"}
	}
	var out []taobao.Message
	for _, q := range s.queue {
		if !q.confirmed && len(out) < n {
			out = append(out, q.msg)
		}
	}
	if len(out) == 0 {
		return map[string]any{}, nil
	}
	return map[string]any{"messages": map[string]any{"tmc_message": out}}, nil
}

func (s *Server) confirmMessages(p url.Values) (any, *apiError) {
	ids := strings.Split(p.Get("s_message_ids"), ",")
	if len(ids) > 200 {
		return nil, &apiError{Code: 41, Msg: "Invalid arguments:s_message_ids", SubMsg: "at most 200"}
	}
	for i := range s.queue {
		if slices.Contains(ids, s.queue[i].msg.ID.String()) {
			s.queue[i].confirmed = true
		}
	}
	return map[string]any{"is_success": true}, nil
}

// fullinfo answers only the fields asked for, as TOP does.
func (s *Server) fullinfo(p url.Values) (any, *apiError) {
	t, ok := s.trades[p.Get("tid")]
	if !ok {
		return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.trade-not-exist", SubMsg: "交易不存在"}
	}
	if p.Get("fields") == "" {
		return nil, &apiError{Code: 40, Msg: "Missing required arguments:fields"}
	}
	raw, _ := json.Marshal(t)
	var all map[string]json.RawMessage
	_ = json.Unmarshal(raw, &all)
	keep := map[string]json.RawMessage{}
	for _, f := range strings.Split(p.Get("fields"), ",") {
		top, _, _ := strings.Cut(strings.TrimSpace(f), ".")
		if v, ok := all[top]; ok {
			keep[top] = v
		}
	}
	return map[string]any{"trade": keep}, nil
}

func (s *Server) memo(p url.Values, add bool) (any, *apiError) {
	tid := p.Get("tid")
	if _, ok := s.trades[tid]; !ok {
		return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.trade-not-exist", SubMsg: "交易不存在"}
	}
	memo := p.Get("memo")
	if len(memo) > taobao.MaxMemoBytes {
		return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.invalid-parameter:memo", SubMsg: "备注超过1000字节"}
	}
	if add {
		if memo == "" {
			return nil, &apiError{Code: 40, Msg: "Missing required arguments:memo"}
		}
		if _, exists := s.memos[tid]; exists {
			return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.trade-memo-exist",
				SubMsg: "该交易已有备注，请使用taobao.trade.memo.update修改"}
		}
	}
	if p.Get("reset") == "true" {
		memo = ""
	}
	s.memos[tid] = memo
	s.notes = append(s.notes, adaptertest.NoteCall{OrderID: tid, Flag: p.Get("flag"), Note: memo})
	n, _ := strconv.ParseInt(tid, 10, 64)
	return map[string]any{"trade": map[string]any{"tid": n, "modified": time.Now().In(taobao.CST).Format(taobao.TimeLayout)}}, nil
}

func (s *Server) address(p url.Values) (any, *apiError) {
	tid := p.Get("tid")
	if _, ok := s.trades[tid]; !ok {
		return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.trade-not-exist", SubMsg: "交易不存在"}
	}
	if s.shipped[tid] {
		return nil, &apiError{Code: 520, Msg: "订单已发货，不能修改收货地址"}
	}
	for _, f := range []string{"receiver_name", "receiver_address", "receiver_state", "receiver_city", "receiver_district"} {
		if n, err := taobao.GBKLen(p.Get(f)); err != nil || n > 228 {
			return nil, &apiError{Code: 15, Msg: "Remote service error", SubCode: "isv.invalid-parameter:" + f}
		}
	}
	s.addresses = append(s.addresses, p)
	n, _ := strconv.ParseInt(tid, 10, 64)
	return map[string]any{"trade": map[string]any{"tid": n, "modified": time.Now().In(taobao.CST).Format(taobao.TimeLayout)}}, nil
}
