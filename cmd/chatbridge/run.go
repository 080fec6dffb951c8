package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/config"
)

const usage = `Usage: chatbridge [--config FILE] [COMMAND]

Commands:
  all          the API, web inbox and workers in one process (default)
  serve        the API, web inbox, webhooks and WebSocket
  worker       the background workers (outbound delivery, reminders)
  migrate      bring the database schema up to date and exit
  demo         like all, plus a demo shop and a simulator of buyers
  healthcheck  GET --url (default http://127.0.0.1:8080/readyz); exit 0 on 200
  load         drive a running ChatBridge as platforms and agents do and measure it (load -h)
  seed         fill MySQL/MariaDB with a realistic shop for scale tests (seed -h)

Configuration: configs/chatbridge.yaml when present (see configs/chatbridge.example.yaml),
overridden by CHATBRIDGE_* environment variables.
`

// run is the whole program, testable: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	fs := flag.NewFlagSet("chatbridge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", "", "configuration file (default configs/chatbridge.yaml when present)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cmd := "all"
	rest := fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "healthcheck":
		return healthcheck(ctx, rest, stderr)
	case "load":
		return load(ctx, rest, stdout, stderr, environ)
	}
	path := *configPath
	if path == "" {
		path = lookupEnv(environ, "CHATBRIDGE_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("configs/chatbridge.yaml"); err == nil {
			path = "configs/chatbridge.yaml"
		}
	}
	cfg, err := config.Load(path, environ)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := newLogger(cfg, stderr)
	gin.SetMode(gin.ReleaseMode)

	if cmd == "seed" {
		return seedCommand(ctx, cfg, rest, stdout, stderr, log)
	}
	var roles app.Roles
	switch cmd {
	case "all":
		roles = app.Roles{Serve: true, Work: true}
	case "serve":
		roles = app.Roles{Serve: true}
	case "worker":
		roles = app.Roles{Work: true}
	case "demo":
		roles = app.Roles{Serve: true, Work: true, Demo: true}
	case "migrate":
		roles = app.Roles{MigrateOnly: true}
	default:
		fmt.Fprintf(stderr, "chatbridge: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := app.Run(ctx, cfg, app.Options{Roles: roles, Log: log, Out: stdout}); err != nil {
		log.Error("chatbridge stopped", "err", err)
		return 1
	}
	return 0
}

func lookupEnv(environ []string, key string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if len(environ[i]) > len(key) && environ[i][:len(key)+1] == key+"=" {
			return environ[i][len(key)+1:]
		}
	}
	return ""
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func healthcheck(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/readyz", "URL that must answer 200")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		fmt.Fprintf(stderr, "%s answered %d: %s\n", *url, resp.StatusCode, body)
		return 1
	}
	return 0
}
