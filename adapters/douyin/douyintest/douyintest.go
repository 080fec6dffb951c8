// Package douyintest is a fake Douyin shop open platform for tests: an httptest server
// that checks every call's signature (md5 or hmac-sha256 over the sorted param_json),
// app key, timestamp and access token, answers with the platform's envelope
// ({code, msg, sub_code, sub_msg, data}), serves the order search by update time with
// pages numbered from 0, order detail, and records remarks.
package douyintest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/chatbridge/chatbridge/adapters/adaptertest"
	"github.com/chatbridge/chatbridge/adapters/douyin"
)

// Server is the fake platform; its fields are the app and shop it accepts.
type Server struct {
	*httptest.Server
	AppKey, Secret, AccessToken string

	mu      sync.Mutex
	orders  map[string]douyin.ShopOrder
	notes   []adaptertest.NoteCall
	calls   []url.Values
	fault   string
	revoked bool
}

// New starts a fake platform; Close it when done.
func New(appKey, secret, accessToken string) *Server {
	s := &Server{AppKey: appKey, Secret: secret, AccessToken: accessToken, orders: map[string]douyin.ShopOrder{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// PutOrder stores (or replaces) an order.
func (s *Server) PutOrder(o douyin.ShopOrder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.OrderID] = o
}

// Notes lists the remarks accepted; Flag is the star ("" when is_add_star was false).
func (s *Server) Notes() []adaptertest.NoteCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes)
}

// Calls lists the query of every call whose signature checked out.
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

func answer(w http.ResponseWriter, code int, msg, subCode, subMsg string, data any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg, "sub_code": subCode, "sub_msg": subMsg,
		"log_id": "fake" + strconv.FormatInt(time.Now().UnixNano(), 36), "data": data})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	method := q.Get("method")
	if r.URL.Path != douyin.Path(method) {
		answer(w, 40001, "参数错误", "isv.method-path-mismatch", "路径与 method 不符", nil)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if code, sub, ok := s.check(q, body); !ok {
		answer(w, code, "鉴权失败", sub, sub, nil)
		return
	}
	var params map[string]any
	_ = json.Unmarshal([]byte(q.Get("param_json")), &params)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, q)
	if s.revoked {
		writeFault(w, "reject")
		return
	}
	if f := s.fault; f != "" {
		s.fault = ""
		writeFault(w, f)
		return
	}
	data, code, sub := s.dispatch(method, params)
	if code != douyin.CodeSuccess {
		answer(w, code, "业务处理失败", sub, sub, nil)
		return
	}
	answer(w, douyin.CodeSuccess, "success", "", "", data)
}

func (s *Server) check(q url.Values, body []byte) (int, string, bool) {
	for _, k := range []string{"app_key", "method", "param_json", "timestamp", "v", "sign"} {
		if q.Get(k) == "" {
			return 40001, "isv.missing-parameter:" + k, false
		}
	}
	if q.Get("app_key") != s.AppKey {
		return 30004, "isv.app-key-invalid", false
	}
	pj := q.Get("param_json")
	var generic any
	if err := json.Unmarshal([]byte(pj), &generic); err != nil || string(body) != pj {
		return 40001, "isv.param-json-invalid", false
	}
	if sorted, _ := douyin.ParamJSON(generic); sorted != pj {
		return 40004, "isv.param-json-not-sorted", false
	}
	method := q.Get("sign_method")
	if method == "" {
		method = douyin.SignMD5
	}
	want, err := douyin.Sign(method, s.Secret, q.Get("app_key"), q.Get("method"), pj, q.Get("timestamp"), q.Get("v"))
	if err != nil || q.Get("sign") != want {
		return 40004, "isv.sign-invalid", false
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 10*time.Minute {
		return 40001, "isv.timestamp-invalid", false
	}
	if q.Get("access_token") != s.AccessToken {
		return 30002, "isv.access-token-expired", false
	}
	return 0, "", true
}

func writeFault(w http.ResponseWriter, f string) {
	switch f {
	case "corrupt":
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprint(w, `{"code":10000,"msg":"success","data":{"shop_order_list":[{"order_id":"69`)
	case "hollow":
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		fmt.Fprint(w, `{}`)
	case "fail":
		answer(w, 20000, "服务不可用", "isp.service-unavailable", "系统繁忙", nil)
	case "throttle":
		answer(w, 50002, "业务处理失败", "isv.frequency-limit", "调用频率超过限制", nil)
	case "reject":
		answer(w, 30002, "access_token已过期", "isv.access-token-expired", "access_token已过期", nil)
	}
}

func (s *Server) dispatch(method string, p map[string]any) (any, int, string) {
	num := func(k string) (int64, bool) {
		f, ok := p[k].(float64)
		return int64(f), ok
	}
	switch method {
	case "order.searchList":
		from, ok1 := num("update_time_start")
		to, ok2 := num("update_time_end")
		page, ok3 := num("page")
		size, ok4 := num("size")
		if !ok1 || !ok2 || !ok3 || !ok4 || to < from || page < 0 || size < 1 || size > 100 {
			return nil, 40001, "isv.invalid-parameter"
		}
		var in []douyin.ShopOrder
		for _, o := range s.orders {
			if o.UpdateTime >= from && o.UpdateTime <= to {
				in = append(in, o)
			}
		}
		sort.Slice(in, func(i, j int) bool {
			if in[i].UpdateTime != in[j].UpdateTime {
				return in[i].UpdateTime < in[j].UpdateTime
			}
			return in[i].OrderID < in[j].OrderID
		})
		lo := min(int(page*size), len(in))
		return map[string]any{"shop_order_list": in[lo:min(lo+int(size), len(in))], "total": len(in), "page": page, "size": size}, douyin.CodeSuccess, ""
	case "order.orderDetail":
		id, _ := p["shop_order_id"].(string)
		o, ok := s.orders[id]
		if !ok {
			return nil, 50002, "isv.order-not-exist"
		}
		return map[string]any{"shop_order_detail": o}, douyin.CodeSuccess, ""
	case "order.addOrderRemark":
		id, _ := p["order_id"].(string)
		if _, ok := s.orders[id]; !ok {
			return nil, 50002, "isv.order-not-exist"
		}
		add, _ := p["is_add_star"].(string)
		star, _ := p["star"].(string)
		remark, _ := p["remark"].(string)
		if add != "true" && add != "false" {
			return nil, 40001, "isv.invalid-parameter:is_add_star"
		}
		if n, err := strconv.Atoi(star); add == "true" && (err != nil || n < 0 || n > 5) {
			return nil, 40001, "isv.invalid-parameter:star"
		}
		if add == "false" {
			star = ""
		}
		s.notes = append(s.notes, adaptertest.NoteCall{OrderID: id, Flag: star, Note: remark})
		return map[string]any{}, douyin.CodeSuccess, ""
	}
	return nil, 40001, "isv.method-not-exist"
}
