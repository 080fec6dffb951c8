package adapters

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CheckAPIBaseURL checks a channel's api_base_url, which replaces the platform's host
// in every call (a proxy, a test double): empty, or an absolute http(s) URL.
func CheckAPIBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &BadRequestError{Field: "config.api_base_url", Reason: "must be an absolute http(s) URL"}
	}
	return nil
}

// APIBase is the host calls go to: the channel's api_base_url, else the platform's.
func APIBase(apiBaseURL, platformDefault string) string {
	if apiBaseURL != "" {
		return strings.TrimRight(apiBaseURL, "/")
	}
	return platformDefault
}

// RedactURL drops the request URL from a transport error: platforms put secrets and
// tokens in it (WeCom's corpsecret, Telegram's bot token), and errors are stored and
// shown to agents.
func RedactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// WithDefaults fills what a test or a small tool may leave out: an HTTP client with a
// timeout and the wall clock. Tokens and Limiter stay nil (no sharing).
func (d Deps) WithDefaults() Deps {
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}
