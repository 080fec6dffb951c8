package apptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chatbridge/chatbridge/internal/app"
)

// loginFrom logs in as user with password, claiming through X-Forwarded-For to come
// from client, and returns the status.
func loginFrom(t *testing.T, inst *Instance, client, user, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	req, err := http.NewRequest(http.MethodPost, inst.URL+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Behind a trusted proxy, failed logins count per client as X-Forwarded-For names it:
// one client's guesses do not lock the account for the others behind the same proxy.
// Without trusted proxies the header is ignored, so no client can dodge the limit by
// making one up.
func TestLoginLimiterBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		trusted []string
		other   int // what the right password answers from another client afterwards
	}{
		{"trusted", []string{"127.0.0.1"}, http.StatusOK},
		{"not trusted", nil, http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config(t)
			cfg.TrustedProxies = tc.trusted
			inst := Start(t, cfg, app.Roles{Serve: true, Work: true})
			for range cfg.LoginFailures {
				if got := loginFrom(t, inst, "203.0.113.7", "admin", "wrong-password"); got != http.StatusUnauthorized {
					t.Fatalf("a wrong password answered %d", got)
				}
			}
			if got := loginFrom(t, inst, "203.0.113.7", "admin", AdminPassword); got != http.StatusTooManyRequests {
				t.Fatalf("the guessing client logged in: %d", got)
			}
			if got := loginFrom(t, inst, "198.51.100.20", "admin", AdminPassword); got != tc.other {
				t.Fatalf("another client answered %d, want %d", got, tc.other)
			}
		})
	}
}
