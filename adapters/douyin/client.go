package douyin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// DefaultBaseURL is the shop open platform's API host; a channel's api_base_url
// replaces it.
const DefaultBaseURL = "https://openapi-fxg.jinritemai.com"

// CodeSuccess is the platform's code of a successful call.
const CodeSuccess = 10000

// Answer is the platform's envelope of every answer.
type Answer struct {
	Code    *int            `json:"code"`
	Msg     string          `json:"msg"`
	SubCode string          `json:"sub_code"`
	SubMsg  string          `json:"sub_msg"`
	LogID   string          `json:"log_id"`
	Data    json.RawMessage `json:"data"`
}

// APIError is an answer whose code is not success.
type APIError struct {
	Code    int
	Msg     string
	SubCode string
	SubMsg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("douyin: error %d %s (%s: %s)", e.Code, e.Msg, e.SubCode, e.SubMsg)
}

// Codes told apart. 30001/30002 (authorisation missing or access_token expired) and
// 40004 (bad signature) cannot be fixed by retrying; a call-limit answer (sub_code
// naming a limit, or its message saying 频率/限流) waits. The platform's full code list
// is not public, so these are UNCONFIRMED; anything else is retried.
var permanentCodes = map[int]bool{30001: true, 30002: true, 30005: true, 40004: true}

func classify(e *APIError) error {
	switch {
	case strings.Contains(strings.ToLower(e.SubCode), "limit") || strings.Contains(e.SubMsg, "频率") ||
		strings.Contains(e.SubMsg, "限流") || strings.Contains(e.Msg, "限流"):
		return &adapters.ThrottledError{After: time.Second, Err: e}
	case permanentCodes[e.Code]:
		return &adapters.PermanentError{Err: e}
	}
	return e
}

// Path is where a method is served: order.searchList → /order/searchList.
func Path(method string) string { return "/" + strings.ReplaceAll(method, ".", "/") }

// call signs and POSTs one method with its business parameters and returns the
// answer's data. An answer that is not the platform's envelope, or carries no data, is
// an error, never an empty result.
func (a *Adapter) call(ctx context.Context, cfg Config, method string, params any) (json.RawMessage, error) {
	body, err := a.raw(ctx, cfg, method, params)
	if err != nil {
		return nil, err
	}
	return ParseAnswer(method, body)
}

func (a *Adapter) raw(ctx context.Context, cfg Config, method string, params any) ([]byte, error) {
	pj, err := ParamJSON(params)
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("douyin: %s: %w", method, err)}
	}
	ts := strconv.FormatInt(a.now().Unix(), 10)
	sign, err := Sign(cfg.signMethod(), cfg.AppSecret, cfg.AppKey, method, pj, ts, "2")
	if err != nil {
		return nil, &adapters.PermanentError{Err: err}
	}
	q := url.Values{"app_key": {cfg.AppKey}, "method": {method}, "access_token": {cfg.AccessToken}, "param_json": {pj},
		"timestamp": {ts}, "v": {"2"}, "sign": {sign}, "sign_method": {cfg.signMethod()}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL()+Path(method)+"?"+q.Encode(), strings.NewReader(pj))
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("douyin: %s: %w", method, err)}
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("douyin: %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("douyin: %s: read answer: %w", method, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, &adapters.ThrottledError{After: time.Second, Err: fmt.Errorf("douyin: %s answered 429", method)}
	}
	return body, nil
}

// ParseAnswer checks the envelope's code and returns its data.
func ParseAnswer(method string, body []byte) (json.RawMessage, error) {
	var ans Answer
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&ans); err != nil {
		return nil, fmt.Errorf("douyin: %s: answer is no JSON object: %w (%.200s)", method, err, body)
	}
	if ans.Code == nil {
		return nil, fmt.Errorf("douyin: %s: answer without code (%.200s)", method, body)
	}
	if *ans.Code != CodeSuccess {
		return nil, classify(&APIError{Code: *ans.Code, Msg: ans.Msg, SubCode: ans.SubCode, SubMsg: ans.SubMsg})
	}
	if len(ans.Data) == 0 {
		return nil, fmt.Errorf("douyin: %s: answer without data (%.200s)", method, body)
	}
	return ans.Data, nil
}
