package wecomkf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// APIError is WeCom's answer {errcode, errmsg} with a non-zero code.
type APIError struct {
	Op      string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wecom_kf: %s: errcode %d: %s", e.Op, e.Code, e.Message)
}

// tokenRejected are the codes of an access_token WeCom no longer takes: the cached
// token is dropped and the call made once more with a fresh one.
func tokenRejected(code int) bool { return code == 40014 || code == 42001 || code == 40001 }

// ThrottleWait is how long a call waits after WeCom's frequency limits (45009 and
// kin), which carry no hint of their own.
const ThrottleWait = time.Minute

// classify turns a WeCom error into what the worker does with it.
func classify(err *APIError) error {
	switch {
	case err.Code == -1:
		return err // system busy: retried with backoff
	case err.Code == 45009 || err.Code == 45011 || err.Code == 45033:
		return &adapters.ThrottledError{After: ThrottleWait, Err: err}
	case err.Code >= 95000 && err.Code < 96000:
		return &adapters.PermanentError{Err: sessionError(err)}
	case err.Code == 40001 || err.Code == 40013 || err.Code == 40014 || err.Code == 42001 ||
		err.Code == 48002 || err.Code == 60020:
		return &adapters.PermanentError{Err: fmt.Errorf("WeCom refused the channel's credentials or server; check corp_id, secret and the trusted IPs: %w", err)}
	case err.Code >= 40000 && err.Code < 50000:
		return &adapters.PermanentError{Err: err} // a request WeCom will never take
	}
	return err
}

// sessionError explains WeCom's customer-service session rules to an agent.
func sessionError(err *APIError) error {
	switch err.Code {
	case 95001:
		return fmt.Errorf("WeCom allows at most 5 replies within 48 hours of the buyer's last message; wait for the buyer to write again: %w", err)
	case 95013:
		return fmt.Errorf("the WeCom customer-service session has ended; the buyer must write again before a reply can reach them: %w", err)
	}
	return fmt.Errorf("WeCom customer service refused the reply (only 5 replies within 48 hours of the buyer's last message, while the session is open): %w", err)
}

// token returns the corp+secret's access_token, fetched once for every process.
func (a *Adapter) token(ctx context.Context, cfg Config) (string, error) {
	if a.deps.Tokens == nil {
		tok, _, err := a.fetchToken(ctx, cfg)
		return tok, err
	}
	return a.deps.Tokens.Token(ctx, cfg.tokenKey(), func(ctx context.Context) (string, time.Duration, error) {
		return a.fetchToken(ctx, cfg)
	})
}

func (a *Adapter) fetchToken(ctx context.Context, cfg Config) (string, time.Duration, error) {
	q := url.Values{"corpid": {cfg.CorpID}, "corpsecret": {cfg.Secret}}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := a.do(ctx, http.MethodGet, cfg.base()+"/cgi-bin/gettoken?"+q.Encode(), "", nil, "gettoken", &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" {
		return "", 0, errors.New("wecom_kf: gettoken answered no access_token")
	}
	ttl := time.Duration(out.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 7200 * time.Second
	}
	return out.AccessToken, ttl, nil
}

// call POSTs body as JSON to path with the access token, re-fetching the token once
// when WeCom rejects it, and decodes the answer into out.
func (a *Adapter) call(ctx context.Context, cfg Config, path, op string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("wecom_kf: encode %s: %w", op, err)}
	}
	return a.withToken(ctx, cfg, func(tok string) error {
		u := cfg.base() + path + "?access_token=" + url.QueryEscape(tok)
		return a.do(ctx, http.MethodPost, u, "application/json", raw, op, out)
	})
}

// withToken runs fn with the access token; when WeCom rejects the token, the cached
// one is invalidated (only if no other process replaced it) and fn runs once more.
func (a *Adapter) withToken(ctx context.Context, cfg Config, fn func(tok string) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := a.token(ctx, cfg)
		if err != nil {
			return tokenError(err)
		}
		err = fn(tok)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !tokenRejected(apiErr.Code) || attempt > 0 {
			return tokenError(err)
		}
		if a.deps.Tokens != nil {
			if err := a.deps.Tokens.Invalidate(ctx, cfg.tokenKey(), tok); err != nil {
				return err
			}
		}
	}
}

// tokenError classifies a WeCom error answer; other errors pass unchanged.
func tokenError(err error) error {
	var apiErr *APIError
	if err != nil && errors.As(err, &apiErr) {
		return classify(apiErr)
	}
	return err
}

// do sends one request and decodes WeCom's JSON answer; a non-zero errcode is an
// *APIError, a network failure or 5xx a plain (retryable) error.
func (a *Adapter) do(ctx context.Context, method, u, contentType string, body []byte, op string, out any) error {
	resp, err := a.send(ctx, method, u, contentType, body, op)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("wecom_kf: %s: read answer: %w", op, err)
	}
	return decodeAnswer(op, raw, out)
}

func (a *Adapter) send(ctx context.Context, method, u, contentType string, body []byte, op string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, &adapters.PermanentError{Err: fmt.Errorf("wecom_kf: %s request: %w", op, err)}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.deps.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wecom_kf: %s: %w", op, adapters.RedactURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		resp.Body.Close()
		return nil, fmt.Errorf("wecom_kf: %s: HTTP %d: %s", op, resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return resp, nil
}

func decodeAnswer(op string, raw []byte, out any) error {
	var head struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("wecom_kf: %s: answer is not JSON: %w", op, err)
	}
	if head.ErrCode != 0 {
		return &APIError{Op: op, Code: head.ErrCode, Message: head.ErrMsg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wecom_kf: %s: decode answer: %w", op, err)
	}
	return nil
}
