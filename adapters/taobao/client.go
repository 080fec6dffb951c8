package taobao

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// DefaultBaseURL is TOP's gateway host; a channel's api_base_url replaces it.
const DefaultBaseURL = "https://gw.api.taobao.com"

// GatewayPath is the path of the REST gateway under the host.
const GatewayPath = "/router/rest"

// TimeLayout is TOP's time format, always in China Standard Time (GMT+8).
const TimeLayout = "2006-01-02 15:04:05"

// CST is GMT+8, the zone of every TOP time.
var CST = time.FixedZone("CST", 8*3600)

// APIError is TOP's error_response.
type APIError struct {
	Code    int    `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("taobao: error %d %s", e.Code, e.Msg)
	if e.SubCode != "" || e.SubMsg != "" {
		s += fmt.Sprintf(" (%s: %s)", e.SubCode, e.SubMsg)
	}
	return s
}

// TOP's top-level error codes that this adapter tells apart (the gateway's published
// list): 7 the app's call limit, 15 a business refusal (sub_code isv.*) or a platform
// fault (isp.*), and the credential and permission errors that no retry fixes.
const (
	codeCallLimited   = 7
	codeRemoteService = 15
)

var permanentCodes = map[int]bool{
	11: true, // insufficient ISV permissions
	12: true, // insufficient user permissions
	25: true, // invalid signature
	26: true, // missing session
	27: true, // invalid session
	28: true, // missing app key
	29: true, // invalid app key
	53: true, // session expired (revoked authorisation)
}

// banFor reads the wait out of the call-limit message ("This ban will last for 12
// more seconds").
var banFor = regexp.MustCompile(`(\d+)\s*more seconds`)

// classify turns TOP's error into the adapters' error kinds.
func classify(e *APIError) error {
	switch {
	case e.Code == codeCallLimited:
		wait := time.Second
		if m := banFor.FindStringSubmatch(e.SubMsg); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 && n < 86400 {
				wait = time.Duration(n) * time.Second
			}
		}
		return &adapters.ThrottledError{After: wait, Err: e}
	case permanentCodes[e.Code]:
		return &adapters.PermanentError{Err: e}
	case e.Code == codeRemoteService && strings.HasPrefix(e.SubCode, "isv."):
		return &adapters.PermanentError{Err: e}
	}
	return e
}

// call signs and POSTs one API call and returns the method's response object
// ("trade_fullinfo_get_response" for taobao.trade.fullinfo.get). An answer that is not
// the method's JSON is an error, never an empty result.
func (a *Adapter) call(ctx context.Context, cfg Config, method string, params map[string]string) (json.RawMessage, error) {
	form := map[string]string{
		"method": method, "app_key": cfg.AppKey, "session": cfg.Session,
		"timestamp": a.now().In(CST).Format(TimeLayout), "format": "json", "v": "2.0",
		"sign_method": cfg.signMethod(),
	}
	for k, v := range params {
		form[k] = v
	}
	sign, err := Sign(cfg.signMethod(), cfg.AppSecret, form)
	if err != nil {
		return nil, &adapters.PermanentError{Err: err}
	}
	values := url.Values{}
	for k, v := range form {
		values.Set(k, v)
	}
	values.Set("sign", sign)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL()+GatewayPath, strings.NewReader(values.Encode()))
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("taobao: %s: %w", method, err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("taobao: %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("taobao: %s: read answer: %w", method, err)
	}
	return responseObject(method, resp.StatusCode, body)
}

// ResponseKey is the key of a method's answer object: taobao.trade.fullinfo.get →
// trade_fullinfo_get_response.
func ResponseKey(method string) string {
	return strings.ReplaceAll(strings.TrimPrefix(method, "taobao."), ".", "_") + "_response"
}

// responseObject picks the method's object out of a gateway answer.
func responseObject(method string, status int, body []byte) (json.RawMessage, error) {
	var envelope map[string]json.RawMessage
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, fmt.Errorf("taobao: %s answered %d with no JSON object: %w (%.200s)", method, status, err, body)
	}
	if raw, ok := envelope["error_response"]; ok {
		var e APIError
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("taobao: %s: unreadable error_response: %w", method, err)
		}
		return nil, classify(&e)
	}
	raw, ok := envelope[ResponseKey(method)]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fmt.Errorf("taobao: %s answered %d without %s (%.200s)", method, status, ResponseKey(method), body)
	}
	return raw, nil
}

// decode reads a response object strictly enough to notice a wrong shape.
func decode(method string, raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("taobao: %s: unreadable answer: %w", method, err)
	}
	return nil
}

// isBusinessRefusal reports a TOP business refusal (error 15, sub_code isv.*).
func isBusinessRefusal(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == codeRemoteService && strings.HasPrefix(e.SubCode, "isv.")
}
