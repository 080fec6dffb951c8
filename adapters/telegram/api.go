package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// APIError is the Bot API's answer {"ok":false,"error_code","description"}.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
}

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// classify turns a Bot API error into what the worker does with it: 429 waits the
// time Telegram asks, 5xx is retried, other 4xx (a bot the buyer blocked, a chat that
// is gone, a revoked token) are refused for good.
func classify(e *APIError) error {
	switch {
	case e.Code == http.StatusTooManyRequests:
		after := time.Duration(e.RetryAfter) * time.Second
		if after <= 0 {
			after = time.Second
		}
		return &adapters.ThrottledError{After: after, Err: e}
	case e.Code == http.StatusForbidden:
		return &adapters.PermanentError{Err: fmt.Errorf("the buyer blocked the bot or left the chat; Telegram refuses messages to them: %w", e)}
	case e.Code == http.StatusUnauthorized:
		return &adapters.PermanentError{Err: fmt.Errorf("Telegram refused the bot token; check the channel's bot_token: %w", e)}
	case e.Code >= 400 && e.Code < 500:
		return &adapters.PermanentError{Err: e}
	}
	return e
}

// call POSTs params as JSON to a Bot API method and decodes its result into out.
func (a *Adapter) call(ctx context.Context, cfg Config, method string, params any, out any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("telegram: encode %s: %w", method, err)}
	}
	return a.post(ctx, cfg, method, "application/json", raw, out)
}

// callMultipart POSTs form fields and one file.
func (a *Adapter) callMultipart(ctx context.Context, cfg Config, method string, fields map[string]string, fileField string, att *adapters.Attachment, out any) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			return &adapters.PermanentError{Err: err}
		}
	}
	name := att.FileName
	if name == "" {
		name = "image"
	}
	part, err := w.CreateFormFile(fileField, name)
	if err == nil {
		_, err = part.Write(att.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("telegram: build %s: %w", method, err)}
	}
	return a.post(ctx, cfg, method, w.FormDataContentType(), buf.Bytes(), out)
}

func (a *Adapter) post(ctx context.Context, cfg Config, method, contentType string, body []byte, out any) error {
	u := cfg.base() + "/bot" + cfg.BotToken + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return &adapters.PermanentError{Err: fmt.Errorf("telegram: %s request: %w", method, adapters.RedactURL(err))}
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := a.deps.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, adapters.RedactURL(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("telegram: %s: read answer: %w", method, err)
	}
	var ans answer
	if err := json.Unmarshal(raw, &ans); err != nil {
		// Not the Bot API speaking (a proxy's error page): retried unless a 4xx.
		e := &APIError{Method: method, Code: resp.StatusCode, Description: "HTTP " + strconv.Itoa(resp.StatusCode)}
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			return e
		}
		return classify(e)
	}
	if !ans.OK {
		code := ans.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return classify(&APIError{Method: method, Code: code, Description: ans.Description, RetryAfter: ans.Parameters.RetryAfter})
	}
	if out != nil {
		if err := json.Unmarshal(ans.Result, out); err != nil {
			return fmt.Errorf("telegram: %s: decode result: %w", method, err)
		}
	}
	return nil
}
