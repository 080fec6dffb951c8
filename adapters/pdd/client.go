package pdd

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

// DefaultBaseURL is Pinduoduo's gateway host; a channel's api_base_url replaces it.
const DefaultBaseURL = "https://gw-api.pinduoduo.com"

// RouterPath is the gateway's path under the host.
const RouterPath = "/api/router"

// APIError is Pinduoduo's error_response.
type APIError struct {
	Code    int    `json:"error_code"`
	Msg     string `json:"error_msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("pdd: error %d %s", e.Code, e.Msg)
	if e.SubCode != "" || e.SubMsg != "" {
		s += fmt.Sprintf(" (%s: %s)", e.SubCode, e.SubMsg)
	}
	return s
}

// Error codes told apart. The numbers are those public integrations handle; the
// platform's full code list is not public, so they are UNCONFIRMED: a credential error
// is permanent, a call limit waits, anything else is retried.
var (
	permanentCodes = map[int]bool{
		10019: true, // access_token expired or revoked
		10020: true, // client_id or client_secret wrong
		20004: true, // signature does not match
		20005: true, // client_id unknown
	}
	throttleCodes = map[int]bool{
		70031: true, // calls over the app's limit
		70032: true, // calls over the shop's limit
	}
)

func classify(e *APIError) error {
	switch {
	case throttleCodes[e.Code]:
		return &adapters.ThrottledError{After: time.Second, Err: e}
	case permanentCodes[e.Code]:
		return &adapters.PermanentError{Err: e}
	}
	return e
}

// call signs and POSTs one API call and returns the object under responseKey. An
// answer without it is an error, never an empty result.
func (a *Adapter) call(ctx context.Context, cfg Config, typ, responseKey string, params map[string]string) (json.RawMessage, error) {
	body, err := a.raw(ctx, cfg, typ, params)
	if err != nil {
		return nil, err
	}
	return ResponseObject(typ, responseKey, body)
}

// raw signs and POSTs one API call and returns the answer's body.
func (a *Adapter) raw(ctx context.Context, cfg Config, typ string, params map[string]string) ([]byte, error) {
	form := map[string]string{
		"type": typ, "client_id": cfg.ClientID, "access_token": cfg.AccessToken,
		"timestamp": strconv.FormatInt(a.now().Unix(), 10), "data_type": "JSON", "version": "V1",
	}
	for k, v := range params {
		form[k] = v
	}
	values := url.Values{}
	for k, v := range form {
		values.Set(k, v)
	}
	values.Set("sign", Sign(cfg.ClientSecret, form))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.baseURL()+RouterPath, strings.NewReader(values.Encode()))
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("pdd: %s: %w", typ, err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("pdd: %s: %w", typ, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("pdd: %s: read answer: %w", typ, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, &adapters.ThrottledError{After: time.Second, Err: fmt.Errorf("pdd: %s answered 429", typ)}
	}
	return body, nil
}

// ResponseObject picks the object under key out of a gateway answer.
func ResponseObject(typ, key string, body []byte) (json.RawMessage, error) {
	var envelope map[string]json.RawMessage
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, fmt.Errorf("pdd: %s: answer is no JSON object: %w (%.200s)", typ, err, body)
	}
	if raw, ok := envelope["error_response"]; ok {
		var e APIError
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("pdd: %s: unreadable error_response: %w", typ, err)
		}
		return nil, classify(&e)
	}
	raw, ok := envelope[key]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fmt.Errorf("pdd: %s: answer without %s (%.200s)", typ, key, body)
	}
	return raw, nil
}
