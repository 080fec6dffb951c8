package jd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// DefaultBaseURL is JOS's gateway host; a channel's api_base_url replaces it.
const DefaultBaseURL = "https://api.jd.com"

// RouterPath is the gateway's JSON router under the host.
const RouterPath = "/routerjson"

// TimestampLayout is the timestamp format of the official signing example.
const TimestampLayout = "2006-01-02 15:04:05.000-0700"

// TimeLayout is JOS's format of times in business parameters and answers (GMT+8).
const TimeLayout = "2006-01-02 15:04:05"

// CST is GMT+8, the zone of JOS's times.
var CST = time.FixedZone("CST", 8*3600)

// APIError is JOS's error_response.
type APIError struct {
	Code   string `json:"code"`
	ZhDesc string `json:"zh_desc"`
	EnDesc string `json:"en_desc"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("jd: error %s %s %s", e.Code, e.EnDesc, e.ZhDesc)
}

// Gateway codes told apart. JOS's code list is not public in one place, so these are
// UNCONFIRMED: 19 (an access_token invalid or expired) and the signature and app key
// errors are permanent; a call-limit answer (its text says so) waits; anything else is
// retried.
var permanentCodes = map[string]bool{"19": true, "14": true, "15": true}

func classify(e *APIError) error {
	switch {
	case e.Code == "67" || strings.Contains(strings.ToLower(e.EnDesc), "limit") ||
		strings.Contains(e.ZhDesc, "频率") || strings.Contains(e.ZhDesc, "超过限制"):
		return &adapters.ThrottledError{After: time.Second, Err: e}
	case permanentCodes[e.Code]:
		return &adapters.PermanentError{Err: e}
	}
	return e
}

// ResponseKey is the key of a method's answer (JOS spells it "responce"):
// jingdong.pop.order.search → jingdong_pop_order_search_responce.
func ResponseKey(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_responce"
}

// ParamJSON encodes the business parameters as 360buy_param_json: compact, keys
// sorted (Go sorts map keys), no HTML escaping.
func ParamJSON(params map[string]any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// call signs and POSTs one API call and returns the method's answer object.
func (a *Adapter) call(ctx context.Context, cfg Config, method string, params map[string]any) ([]byte, error) {
	pj, err := ParamJSON(params)
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("jd: %s: %w", method, err)}
	}
	form := map[string]string{
		"method": method, "access_token": cfg.AccessToken, "app_key": cfg.AppKey,
		"timestamp": a.now().In(CST).Format(TimestampLayout), "v": "2.0", "360buy_param_json": pj,
	}
	values := url.Values{}
	for k, v := range form {
		values.Set(k, v)
	}
	values.Set("sign", Sign(cfg.AppSecret, form))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL()+RouterPath, strings.NewReader(values.Encode()))
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("jd: %s: %w", method, err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jd: %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("jd: %s: read answer: %w", method, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, &adapters.ThrottledError{After: time.Second, Err: fmt.Errorf("jd: %s answered 429", method)}
	}
	return body, nil
}

// ResponseObject picks the method's object out of a gateway answer and checks its
// code ("0" is success).
func ResponseObject(method string, body []byte) (json.RawMessage, error) {
	var envelope map[string]json.RawMessage
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, fmt.Errorf("jd: %s: answer is no JSON object: %w (%.200s)", method, err, body)
	}
	if raw, ok := envelope["error_response"]; ok {
		var e APIError
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("jd: %s: unreadable error_response: %w", method, err)
		}
		return nil, classify(&e)
	}
	raw, ok := envelope[ResponseKey(method)]
	if !ok {
		return nil, fmt.Errorf("jd: %s: answer without %s (%.200s)", method, ResponseKey(method), body)
	}
	var head struct {
		Code *string `json:"code"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.Code == nil || *head.Code != "0" {
		return nil, fmt.Errorf("jd: %s: answer code is not 0 (%.200s)", method, raw)
	}
	return raw, nil
}

// APIResult is the business result JOS puts beside the data.
type APIResult struct {
	Success        bool   `json:"success"`
	EnglishErrCode string `json:"englishErrCode"`
	ChineseErrCode string `json:"chineseErrCode"`
	NumberCode     int    `json:"numberCode"`
}

func (r *APIResult) err(method string) error {
	if r == nil {
		return fmt.Errorf("jd: %s answered no apiResult", method)
	}
	if r.Success {
		return nil
	}
	return fmt.Errorf("jd: %s refused: %d %s %s", method, r.NumberCode, r.EnglishErrCode, r.ChineseErrCode)
}
