package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/seed"
	"github.com/chatbridge/chatbridge/internal/store"
)

const seedUsage = `Usage: chatbridge seed [flags]

Fills the configured MySQL/MariaDB (CHATBRIDGE_MYSQL_DSN) with a realistic shop: buyers
on several channels, their conversations in the three stages with mostly Chinese
messages, orders with statuses, addresses and parcels, and the conversation events.
Defaults are the scale-test sizes (100k buyers, 1M conversations, 10M messages); the
same -seed, sizes and -until give the same rows. Channel credentials are sealed with
CHATBRIDGE_SECRET_KEY, so the server must share it. Run it on a quiet database.

Flags:
`

func seedCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	o := seed.DefaultOptions()
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&o.ShopID, "shop", 0, "seed this existing shop (its channels and agents) instead of creating one")
	fs.StringVar(&o.ShopName, "shop-name", o.ShopName, "name of the new shop")
	fs.IntVar(&o.Buyers, "buyers", o.Buyers, "distinct buyers")
	fs.IntVar(&o.Conversations, "conversations", o.Conversations, "conversations (one per buyer and channel)")
	fs.IntVar(&o.Messages, "messages", o.Messages, "messages in all (at least one per conversation)")
	fs.IntVar(&o.Channels, "channels", 0, "channels of the new shop (0: as many as conversations/buyers needs, at least 4)")
	fs.IntVar(&o.Agents, "agents", o.Agents, "agents of the new shop")
	fs.Float64Var(&o.OrderShare, "order-share", o.OrderShare, "share of conversations whose buyer has orders")
	fs.IntVar(&o.Days, "days", o.Days, "days of history")
	until := fs.String("until", "", "end of the history, RFC 3339 (default today 00:00 UTC)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed")
	fs.StringVar(&o.Password, "password", o.Password, "password of the new shop's staff logins")
	fs.StringVar(&o.CallbackURL, "callback-url", o.CallbackURL, "callback URL of the new shop's generic channels")
	fs.IntVar(&o.Batch, "batch", o.Batch, "conversations per transaction")
	fs.IntVar(&o.Workers, "workers", o.Workers, "batches generated and written at once")
	fs.Usage = func() {
		fmt.Fprint(stderr, seedUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitForFlags(err)
	}
	if *until != "" {
		t, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			fmt.Fprintln(stderr, "chatbridge seed: -until must be an RFC 3339 time such as 2026-11-12T00:00:00Z")
			return 2
		}
		o.Until = t.UTC()
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "chatbridge seed:", err)
		return 2
	}
	if cfg.MySQLDSN == "" {
		fmt.Fprintln(stderr, "chatbridge seed: writes to MySQL/MariaDB only: set CHATBRIDGE_MYSQL_DSN")
		return 2
	}
	res, err := runSeed(ctx, cfg, o, stdout, log)
	if err != nil {
		fmt.Fprintln(stderr, "chatbridge seed:", err)
		return 1
	}
	secs := res.Elapsed.Seconds()
	fmt.Fprintf(stdout, "seeded shop %d in %.1f s: %d rows, %.0f rows/s (%.0f messages/s)\n", res.ShopID, secs,
		res.TotalRows(), float64(res.TotalRows())/secs, float64(res.Rows["messages"])/secs)
	for _, t := range []string{"customers", "conversations", "messages", "orders", "conversation_events"} {
		fmt.Fprintf(stdout, "  %-20s %d\n", t, res.Rows[t])
	}
	if len(res.Logins) > 0 {
		fmt.Fprintf(stdout, "  logins (password %s): %s\n", res.Password, strings.Join(res.Logins, ", "))
	}
	return 0
}

func runSeed(ctx context.Context, cfg config.Config, o seed.Options, stdout io.Writer, log *slog.Logger) (*seed.Result, error) {
	db, err := store.Open(ctx, store.Options{MySQLDSN: cfg.MySQLDSN, Logger: log})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	// The server creates its first admin only while there are no users: on a fresh
	// database the seeded staff would prevent that, so the admin is created here first.
	created, password, err := auth.NewService(db, nil, auth.Options{}).Bootstrap(ctx, cfg.AdminUser, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	switch {
	case created && password != "":
		fmt.Fprintf(stdout, "admin login: %s / %s   (shown once: write it down)\n", cfg.AdminUser, password)
	case created:
		fmt.Fprintf(stdout, "admin login: %s (password from CHATBRIDGE_ADMIN_PASSWORD)\n", cfg.AdminUser)
	}
	key, generated, err := secretbox.LoadOrCreateKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if generated {
		log.Warn("generated a secret key for channel credentials; the server must use the same (CHATBRIDGE_SECRET_KEY)")
	}
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	bulk, err := seed.OpenSQL(cfg.MySQLDSN, o.Workers)
	if err != nil {
		return nil, err
	}
	defer bulk.Close()
	chans := channels.NewService(db, box, adapters.NewRegistry(generic.New(nil)), strings.TrimRight(cfg.BaseURL, "/"))
	return seed.Run(ctx, seed.Deps{Store: db, SQL: bulk, Channels: chans, Progress: stdout}, o)
}
