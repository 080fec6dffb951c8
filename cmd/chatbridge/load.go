package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/chatbridge/chatbridge/internal/loadtest"
)

const loadUsage = `Usage: chatbridge load [flags]            drive a running ChatBridge and measure it
       chatbridge load baseline [flags]   measure plain single-row inserts on MySQL

load sets up a shop of its own on the server (through the API, as the admin), connects
-agents agents by WebSocket, sends signed generic-channel webhooks for -duration at -rate
per second (open loop: the rate holds whatever the server does, and every latency is
measured from the time the request was due), answers the buyers as the agents, and takes
the replies at a callback receiver. It writes report.json and report.svg into -out and
prints a summary. See docs/load.md.

Flags:
`

// load runs `chatbridge load` and `chatbridge load baseline`.
func load(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	if len(args) > 0 && args[0] == "baseline" {
		return loadBaseline(ctx, args[1:], stdout, stderr, environ)
	}
	o := loadtest.DefaultOptions()
	if v := lookupEnv(environ, "CHATBRIDGE_ADMIN_USER"); v != "" {
		o.AdminUser = v
	}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.Register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, loadUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitForFlags(err)
	}
	// Secrets from the environment are read after the flags, so that -h never prints them.
	if o.AdminPassword == "" {
		o.AdminPassword = lookupEnv(environ, "CHATBRIDGE_ADMIN_PASSWORD")
	}
	if o.BaselineDSN == "" {
		o.BaselineDSN = lookupEnv(environ, "CHATBRIDGE_MYSQL_DSN")
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "chatbridge load:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, err := loadtest.Run(ctx, o, log)
	if r != nil {
		loadtest.WriteSummary(stdout, r)
		if werr := loadtest.WriteFiles(r, o.Out); werr != nil {
			fmt.Fprintln(stderr, "chatbridge load: write report:", werr)
			return 1
		}
		fmt.Fprintf(stdout, "  report: %s, %s\n", filepath.Join(o.Out, "report.json"), filepath.Join(o.Out, "report.svg"))
	}
	if err != nil {
		fmt.Fprintln(stderr, "chatbridge load:", err)
		return 1
	}
	return 0
}

func loadBaseline(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	o := loadtest.DefaultOptions()
	fs := flag.NewFlagSet("load baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("mysql-dsn", "", "MySQL DSN (env CHATBRIDGE_MYSQL_DSN)")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "connections inserting at once")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long to insert")
	fs.StringVar(&o.Out, "out", o.Out, "folder for report.json and report.svg")
	fs.Usage = func() {
		fmt.Fprint(stderr, loadUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitForFlags(err)
	}
	if *dsn == "" {
		*dsn = lookupEnv(environ, "CHATBRIDGE_MYSQL_DSN")
	}
	if *dsn == "" || o.Concurrency < 1 || o.Duration <= 0 {
		fmt.Fprintln(stderr, "chatbridge load baseline: -mysql-dsn (or CHATBRIDGE_MYSQL_DSN), a positive -concurrency and -duration are required")
		return 2
	}
	b, err := loadtest.RunBaseline(ctx, loadtest.BaselineOptions{DSN: *dsn, Concurrency: o.Concurrency, Duration: o.Duration, Interval: o.Interval})
	if err != nil {
		fmt.Fprintln(stderr, "chatbridge load baseline:", err)
		return 1
	}
	r := &loadtest.Report{Run: "baseline", Target: "MySQL", StartedAt: b.StartedAt, Mode: "closed-loop",
		Settings: loadtest.Settings{Concurrency: o.Concurrency, Duration: o.Duration.String()}, Baseline: b}
	loadtest.WriteSummary(stdout, r)
	if err := loadtest.WriteFiles(r, o.Out); err != nil {
		fmt.Fprintln(stderr, "chatbridge load baseline: write report:", err)
		return 1
	}
	fmt.Fprintf(stdout, "  report: %s, %s\n", filepath.Join(o.Out, "report.json"), filepath.Join(o.Out, "report.svg"))
	return 0
}

// exitForFlags is 0 for -h (the usage was asked for), 2 for a bad flag.
func exitForFlags(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
