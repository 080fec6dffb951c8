// Package jdtest is a fake JOS gateway for tests: an httptest server that checks every
// call's MD5 signature, app key, timestamp and access token as JOS does, answers with
// its JSON ("..._responce") and error_response bodies, serves the order search by
// modification time with pages, order get, and records vendor remarks.
package jdtest

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

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/jd"
)

// Server is the fake gateway; its fields are the app and shop it accepts.
type Server struct {
	*httptest.Server
	AppKey, Secret, AccessToken string

	mu      sync.Mutex
	orders  map[string]jd.Order
	notes   []adaptertest.NoteCall
	calls   []url.Values
	fault   string
	revoked bool
}

// New starts a fake gateway; Close it when done.
func New(appKey, secret, accessToken string) *Server {
	s := &Server{AppKey: appKey, Secret: secret, AccessToken: accessToken, orders: map[string]jd.Order{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PutOrder stores (or replaces) an order.
func (s *Server) PutOrder(o jd.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.OrderID] = o
}

// Notes lists the vendor remarks accepted, with the flag as JOS received it.
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

// Faults for the next call, whatever its method.
func (s *Server) CorruptNext()  { s.arm("corrupt") }
func (s *Server) HollowNext()   { s.arm("hollow") }
func (s *Server) FailNext()     { s.arm("fail") }
func (s *Server) ThrottleNext() { s.arm("throttle") }
func (s *Server) RejectNext()   { s.arm("reject") }

// Revoke makes every later call fail as with a revoked authorisation.
func (s *Server) Revoke() { s.mu.Lock(); s.revoked = true; s.mu.Unlock() }

func (s *Server) arm(f string) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e jd.APIError) {
	writeJSON(w, map[string]any{"error_response": e})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != jd.RouterPath {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, jd.APIError{Code: "1", ZhDesc: "参数错误", EnDesc: err.Error()})
		return
	}
	p := r.Form
	if e, ok := s.check(p); !ok {
		writeError(w, e)
		return
	}
	var params map[string]any
	if err := json.Unmarshal([]byte(p.Get("360buy_param_json")), &params); err != nil {
		writeError(w, jd.APIError{Code: "1", ZhDesc: "360buy_param_json 格式错误", EnDesc: "bad 360buy_param_json"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, p)
	if s.revoked {
		writeFault(w, "reject", p.Get("method"))
		return
	}
	if f := s.fault; f != "" {
		s.fault = ""
		writeFault(w, f, p.Get("method"))
		return
	}
	method := p.Get("method")
	answer, e := s.dispatch(method, params)
	if e != nil {
		writeError(w, *e)
		return
	}
	answer["code"] = "0"
	writeJSON(w, map[string]any{jd.ResponseKey(method): answer})
}

func (s *Server) check(p url.Values) (jd.APIError, bool) {
	for _, k := range []string{"method", "app_key", "timestamp", "v", "sign", "360buy_param_json"} {
		if p.Get(k) == "" {
			return jd.APIError{Code: "3", ZhDesc: "缺少参数" + k, EnDesc: "missing " + k}, false
		}
	}
	if p.Get("app_key") != s.AppKey {
		return jd.APIError{Code: "15", ZhDesc: "无效的app_key", EnDesc: "Invalid app_key"}, false
	}
	flat := map[string]string{}
	for k := range p {
		flat[k] = p.Get(k)
	}
	if p.Get("sign") != jd.Sign(s.Secret, flat) {
		return jd.APIError{Code: "14", ZhDesc: "签名无效", EnDesc: "Invalid signature"}, false
	}
	ts, err := time.Parse(jd.TimestampLayout, p.Get("timestamp"))
	if err != nil || time.Since(ts).Abs() > 10*time.Minute {
		return jd.APIError{Code: "9", ZhDesc: "时间戳错误", EnDesc: "Invalid timestamp"}, false
	}
	if p.Get("access_token") != s.AccessToken {
		return jd.APIError{Code: "19", ZhDesc: "token已过期或者不存在，请重新授权访问", EnDesc: "Invalid access_token"}, false
	}
	return jd.APIError{}, true
}

func writeFault(w http.ResponseWriter, f, method string) {
	switch f {
	case "corrupt":
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprintf(w, `{"%s":{"code":"0","searchorderinfo_result":{"orderTotal":2,"orderInfoList":[{"orderId":"`, jd.ResponseKey(method))
	case "hollow":
		writeJSON(w, map[string]any{})
	case "fail":
		writeError(w, jd.APIError{Code: "1", ZhDesc: "服务不可用", EnDesc: "Service unavailable"})
	case "throttle":
		writeError(w, jd.APIError{Code: "67", ZhDesc: "调用频率超过限制", EnDesc: "Call frequency over limit"})
	case "reject":
		writeError(w, jd.APIError{Code: "19", ZhDesc: "token已过期或者不存在，请重新授权访问", EnDesc: "Invalid access_token"})
	}
}

func ok() map[string]any { return map[string]any{"success": true, "numberCode": 10100000} }

func (s *Server) dispatch(method string, params map[string]any) (map[string]any, *jd.APIError) {
	str := func(k string) string { v, _ := params[k].(string); return v }
	switch method {
	case "jingdong.pop.order.search":
		return s.search(str("start_date"), str("end_date"), str("page"), str("page_size"))
	case "jingdong.pop.order.get":
		o, found := s.orders[str("order_id")]
		if !found {
			return map[string]any{"orderDetailInfo": map[string]any{"apiResult": map[string]any{
				"success": false, "numberCode": 10200002, "chineseErrCode": "订单不存在", "englishErrCode": "order not found"}}}, nil
		}
		return map[string]any{"orderDetailInfo": map[string]any{"apiResult": ok(), "orderInfo": o}}, nil
	case "jingdong.pop.order.modifyVenderRemark":
		id := str("order_id")
		if _, found := s.orders[id]; !found {
			return map[string]any{"modifyvenderremark_result": map[string]any{
				"success": false, "numberCode": 10200002, "chineseErrCode": "订单不存在", "englishErrCode": "order not found"}}, nil
		}
		flag, err := strconv.Atoi(str("flag"))
		if err != nil || flag < 0 || flag > 5 {
			return nil, &jd.APIError{Code: "1", ZhDesc: "flag 取值 0-5", EnDesc: "flag must be 0-5"}
		}
		s.notes = append(s.notes, adaptertest.NoteCall{OrderID: id, Flag: str("flag"), Note: str("remark")})
		return map[string]any{"modifyvenderremark_result": ok()}, nil
	}
	return nil, &jd.APIError{Code: "5", ZhDesc: "无效的方法", EnDesc: "Invalid method"}
}

func (s *Server) search(start, end, pageS, sizeS string) (map[string]any, *jd.APIError) {
	from, err1 := time.ParseInLocation(jd.TimeLayout, start, jd.CST)
	to, err2 := time.ParseInLocation(jd.TimeLayout, end, jd.CST)
	page, err3 := strconv.Atoi(pageS)
	size, err4 := strconv.Atoi(sizeS)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || to.Before(from) || page < 1 || size < 1 || size > 100 {
		return nil, &jd.APIError{Code: "1", ZhDesc: "参数错误", EnDesc: "Invalid start_date/end_date/page/page_size"}
	}
	var in []jd.Order
	for _, o := range s.orders {
		at, _ := time.ParseInLocation(jd.TimeLayout, o.Modified, jd.CST)
		if !at.Before(from) && !at.After(to) {
			in = append(in, o)
		}
	}
	sort.Slice(in, func(i, j int) bool {
		if in[i].Modified != in[j].Modified {
			return in[i].Modified < in[j].Modified
		}
		return in[i].OrderID < in[j].OrderID
	})
	lo := min((page-1)*size, len(in))
	return map[string]any{"searchorderinfo_result": map[string]any{
		"apiResult": ok(), "orderTotal": len(in), "orderInfoList": in[lo:min(lo+size, len(in))]}}, nil
}
