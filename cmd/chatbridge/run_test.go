package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
)

func TestRunRejectsWhatItCannotDo(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		environ []string
		code    int
		stderr  string
	}{
		{"unknown command", []string{"fly"}, nil, 2, `unknown command "fly"`},
		{"invalid setting names its variable", []string{"all"}, []string{"CHATBRIDGE_HTTP_ADDR=nope"}, 2, "CHATBRIDGE_HTTP_ADDR"},
		{"missing config file", []string{"--config", "/nonexistent/chatbridge.yaml", "all"}, nil, 2, "/nonexistent/chatbridge.yaml"},
		{"split processes need servers", []string{"serve"}, []string{"CHATBRIDGE_DATA_DIR=" + t.TempDir(), "CHATBRIDGE_LOG_FORMAT=text"}, 1, "CHATBRIDGE_MYSQL_DSN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr, tc.environ)
			if code != tc.code || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tc.code, tc.stderr)
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "redis: connection refused", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "--url", ok.URL}, &bytes.Buffer{}, &stderr, nil); code != 0 {
		t.Fatalf("healthy: exit %d: %s", code, stderr.String())
	}
	if code := run(context.Background(), []string{"healthcheck", "--url", down.URL}, &bytes.Buffer{}, &stderr, nil); code != 1 ||
		!strings.Contains(stderr.String(), "redis: connection refused") {
		t.Fatalf("unhealthy: exit %d: %s", code, stderr.String())
	}
}

func TestLoadCommandChecksItsFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		environ []string
		code    int
		out     string
	}{
		{"help lists the flags", []string{"load", "-h"}, []string{"CHATBRIDGE_ADMIN_PASSWORD=hunter2"}, 0, "-max-inflight"},
		{"no admin password", []string{"load", "-url", "http://127.0.0.1:1"}, nil, 2, "-admin-password"},
		{"bad rate", []string{"load", "-rate", "-3"}, []string{"CHATBRIDGE_ADMIN_PASSWORD=x"}, 2, "-rate"},
		{"baseline needs a database", []string{"load", "-baseline"}, []string{"CHATBRIDGE_ADMIN_PASSWORD=x"}, 2, "-mysql-dsn"},
		{"baseline command needs a database", []string{"load", "baseline"}, nil, 2, "-mysql-dsn"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr, tc.environ)
			if code != tc.code || !strings.Contains(stderr.String(), tc.out) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tc.code, tc.out)
			}
			if strings.Contains(stderr.String()+stdout.String(), "hunter2") {
				t.Fatal("the admin password from the environment was printed")
			}
		})
	}
}

func TestSeedCommandChecksItsFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		environ []string
		code    int
		out     string
	}{
		{"help lists the flags", []string{"seed", "-h"}, nil, 0, "-conversations"},
		{"needs MySQL", []string{"seed", "-conversations", "10", "-messages", "20"}, []string{"CHATBRIDGE_DATA_DIR=" + t.TempDir()}, 2, "CHATBRIDGE_MYSQL_DSN"},
		{"sizes that cannot work", []string{"seed", "-conversations", "10", "-messages", "5"}, nil, 2, "messages (5) must be at least conversations (10)"},
		{"bad until", []string{"seed", "-until", "yesterday"}, nil, 2, "-until"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, &stdout, &stderr, tc.environ)
			if code != tc.code || !strings.Contains(stderr.String(), tc.out) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tc.code, tc.out)
			}
		})
	}
}

// `chatbridge seed` on a fresh database, then the server on it: the admin exists (the
// seeded staff would otherwise keep the server from creating one) and sees the shop.
func TestSeedCommandThenServe(t *testing.T) {
	cfg := apptest.Config(t)
	environ := []string{
		"CHATBRIDGE_MYSQL_DSN=" + cfg.MySQLDSN, "CHATBRIDGE_REDIS_ADDR=" + cfg.RedisAddr,
		"CHATBRIDGE_SECRET_KEY=" + cfg.SecretKey, "CHATBRIDGE_DATA_DIR=" + cfg.DataDir,
		"CHATBRIDGE_ADMIN_PASSWORD=" + apptest.AdminPassword, "CHATBRIDGE_LOG_FORMAT=text",
	}
	var stdout, stderr bytes.Buffer
	args := []string{"seed", "-buyers", "20", "-conversations", "40", "-messages", "200", "-agents", "4", "-until", "2026-11-12T00:00:00Z"}
	if code := run(context.Background(), args, &stdout, &stderr, environ); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"admin login: admin (password from CHATBRIDGE_ADMIN_PASSWORD)", "seeded shop 1", "rows/s",
		"conversations        40", "messages             200", "shop1-supervisor"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	inst := apptest.Start(t, cfg, app.Roles{Serve: true, Work: true})
	var page struct {
		Items []struct {
			ShopID string `json:"shop_id"`
		} `json:"items"`
	}
	inst.Admin(t).Do("GET", "/api/v1/conversations?limit=100", nil, http.StatusOK, &page)
	if len(page.Items) != 40 || page.Items[0].ShopID != "1" {
		t.Fatalf("admin lists %d conversations, want the 40 seeded", len(page.Items))
	}
}
