package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
