// Package app wires ChatBridge together: storage, Redis (or their embedded stand-ins),
// the adapters, the domain services, the HTTP server and the workers. The binary and the
// end-to-end tests both start it through Run.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/chatbridge/chatbridge/api"
	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/auth"
	"github.com/chatbridge/chatbridge/internal/channels"
	"github.com/chatbridge/chatbridge/internal/config"
	"github.com/chatbridge/chatbridge/internal/demo"
	"github.com/chatbridge/chatbridge/internal/handover"
	"github.com/chatbridge/chatbridge/internal/inbox"
	"github.com/chatbridge/chatbridge/internal/inquiry"
	"github.com/chatbridge/chatbridge/internal/media"
	"github.com/chatbridge/chatbridge/internal/metrics"
	"github.com/chatbridge/chatbridge/internal/orders"
	"github.com/chatbridge/chatbridge/internal/presence"
	"github.com/chatbridge/chatbridge/internal/quickreplies"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/redisconn"
	"github.com/chatbridge/chatbridge/internal/redislock"
	"github.com/chatbridge/chatbridge/internal/reports"
	"github.com/chatbridge/chatbridge/internal/satisfaction"
	"github.com/chatbridge/chatbridge/internal/secretbox"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/tickets"
	"github.com/chatbridge/chatbridge/internal/tracing"
	"github.com/chatbridge/chatbridge/web"
	"github.com/chatbridge/chatbridge/worker"
)

// Roles say what a process runs.
type Roles struct {
	Serve       bool // API, web app, webhooks, WebSocket
	Work        bool // asynq workers
	Demo        bool // demo shop and buyer simulator
	MigrateOnly bool // bring the schema up to date and return
}

// ErrSplitNeedsServers refuses separate serve/worker processes on the embedded default,
// whose Redis lives inside one process.
var ErrSplitNeedsServers = errors.New("serve and worker run as separate processes only with mysql_dsn and redis_addr set " +
	"(CHATBRIDGE_MYSQL_DSN, CHATBRIDGE_REDIS_ADDR); the embedded default runs both in one process: chatbridge all")

// Options tune Run beyond the configuration.
type Options struct {
	Roles Roles
	Log   *slog.Logger
	// Out receives the start-up banner.
	Out io.Writer
	// Ready, when set, is called with the listening address once the process serves.
	Ready func(addr string)
	// Now, when set, replaces the wall clock of the scheduled work (parcel tracking,
	// ticket reminders), of the service timers (rating windows, complaint deadlines,
	// report days) and of the times the store records: tests move it instead of waiting.
	Now func() time.Time
	// SpanExporter, when set, turns tracing on and receives the spans (tests keep them
	// in memory) instead of the configured OTLP endpoint.
	SpanExporter sdktrace.SpanExporter
	// SweepEvery is how often each worker process queues the timed service sweep
	// (default 15 s); tests shorten it.
	SweepEvery time.Duration
}

// Run wires every part and runs until ctx ends, then shuts down gracefully: HTTP
// requests are drained and in-flight tasks finish (up to shutdown_timeout).
func Run(ctx context.Context, cfg config.Config, opts Options) error {
	roles, log, stdout := opts.Roles, opts.Log, opts.Out
	if cfg.Embedded() && !roles.MigrateOnly && !(roles.Serve && roles.Work) {
		return ErrSplitNeedsServers
	}
	db, err := store.Open(ctx, store.Options{
		MySQLDSN: cfg.MySQLDSN, SQLitePath: filepath.Join(cfg.DataDir, "chatbridge.db"), Logger: log,
		ReplicaDSN: cfg.MySQLReplicaDSN, Now: opts.Now,
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if roles.MigrateOnly {
		log.Info("schema is up to date", "dialect", db.Dialect())
		return nil
	}

	rdb, stopRedis, err := openRedis(cfg)
	if err != nil {
		return err
	}
	defer stopRedis()

	key, generated, err := secretbox.LoadOrCreateKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("secret key: %w", err)
	}
	if generated {
		log.Warn("generated a secret key for channel credentials; set CHATBRIDGE_SECRET_KEY to share one between processes",
			"file", filepath.Join(cfg.DataDir, "secret.key"))
	}
	box, err := secretbox.New(key)
	if err != nil {
		return err
	}

	tr, err := tracing.New(ctx, tracing.Options{
		Endpoint: cfg.OTelEndpoint, ServiceName: cfg.OTelServiceName, SampleRatio: cfg.OTelSampleRatio,
		Role: roles.name(), Exporter: opts.SpanExporter,
	})
	if err != nil {
		return err
	}
	defer flushTraces(tr, log)

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (CHATBRIDGE_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	defer ln.Close()

	registry := newRegistry(adapterDeps(rdb, tr))
	chans := channels.NewService(db, box, registry, baseURL(cfg, ln.Addr()))
	mets := metrics.New()
	pubsub := realtime.ChannelName(cfg.RedisDB)
	asynqClient := asynq.NewClientFromRedisClient(rdb)
	defer asynqClient.Close()
	tasks := worker.NewClient(asynqClient, cfg.OutboundMaxRetry, worker.CarryTrace(tr.TaskHeaders))
	shopSettings := settings.NewService(db, 10*time.Second)
	alertSvc := alerts.NewService(db, realtime.NewPublisher(rdb, pubsub), log)
	parcels := newLogistics(opts, db, box, alertSvc, shopSettings, tasks, realtime.NewPublisher(rdb, pubsub), baseURL(cfg, ln.Addr()), log)
	mediaStorage, err := newMediaStorage(cfg)
	if err != nil {
		return err
	}
	files := media.New(media.Deps{
		DB: db, Storage: mediaStorage, Channels: chans, Registry: registry, Pub: realtime.NewPublisher(rdb, pubsub), Log: log,
		MaxBytes: cfg.MediaMaxBytes, SignKey: media.DeriveSignKey(key), BaseURL: baseURL(cfg, ln.Addr()), URLTTL: cfg.MediaURLTTL,
	})
	ib := inbox.NewService(inbox.Deps{
		DB: db, Pub: realtime.NewPublisher(rdb, pubsub), Outbox: tasks, Channels: chans,
		Registry: registry, Metrics: mets, Locker: redislock.New(rdb), Log: log,
		Media: files, MediaQueue: tasks, Health: chans, Watchers: []inbox.OrderWatcher{parcels},
	})
	parcels.SetStager(ib)
	sessions := presence.New(rdb, db, ib, shopSettings, log)
	replies := quickreplies.NewService(db, ib, inbox.ForbiddenPhrases)
	orderSvc := orders.NewService(db, tasks, chans, registry, log)
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	inquirySvc := inquiry.NewService(db, shopSettings, ib, clock)
	ticketSvc := tickets.NewService(db, shopSettings, ib, alertSvc, log, clock)
	ratings := satisfaction.NewService(shopSettings, ib, log, clock)
	ib.OnResolve(ratings)
	ib.OnInbound(ratings)
	authn := auth.NewService(db, rdb, auth.Options{SessionTTL: cfg.SessionTTL, MaxFailures: cfg.LoginFailures, Window: cfg.LoginWindow})

	created, password, err := authn.Bootstrap(ctx, cfg.AdminUser, cfg.AdminPassword)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	goRun := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}

	hub := realtime.NewHub(256, log)
	if err := instrument(mets, db, rdb, hub, roles, log); err != nil {
		return err
	}
	deps := api.Deps{
		DB: db, Redis: rdb, Auth: authn, Inbox: ib, Orders: orderSvc, Channels: chans, Registry: registry, Settings: shopSettings, Alerts: alertSvc, Polls: tasks, Hub: hub,
		Presence: sessions, QuickReplies: replies,
		Inquiry: inquirySvc, Tickets: ticketSvc, Handovers: handover.NewService(db, ib, clock),
		Reports:   reports.NewService(db, shopSettings, clock),
		Logistics: parcels, Metrics: mets, Web: web.Handler(), Log: log, SessionTTL: cfg.SessionTTL, CookieSecure: cfg.CookieSecure,
		Media: files, TrustedProxies: cfg.TrustedProxies,
	}
	handler := api.NewOps(deps)
	if roles.Serve {
		handler = api.New(deps)
	}
	srv := &http.Server{Handler: tr.Handler(handler), ReadHeaderTimeout: 10 * time.Second}
	if roles.Serve {
		ready := make(chan struct{})
		goRun("realtime relay", func() error { return realtime.Relay(ctx, rdb, pubsub, hub, ready) })
		select {
		case <-ready:
		case <-ctx.Done():
		}
	}
	goRun("http", func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})

	var asynqSrv *asynq.Server
	if roles.Work {
		var mux *asynq.ServeMux
		asynqSrv, mux = worker.NewServer(rdb, worker.Handlers{Deliverer: ib, NoteSyncer: orderSvc, Poller: ib, Media: files, Parcels: parcels, Presence: sessions, Service: ticketSvc}, mets, log, worker.Options{
			Concurrency: cfg.WorkerConcurrency, RetryBase: cfg.OutboundRetryBase, ShutdownTimeout: cfg.ShutdownTimeout,
			Trace: tr.TaskMiddleware(),
		})
		if err := asynqSrv.Start(mux); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		goRun("outbound sweeper", func() error {
			worker.Sweep(ctx, db, tasks, log, 30*time.Second, time.Minute)
			return nil
		})
		goRun("media sweeper", func() error {
			worker.SweepMedia(ctx, db, tasks, log, 30*time.Second, time.Minute)
			return nil
		})
		goRun("scheduled pulls", func() error {
			worker.SchedulePolls(ctx, db, registry, tasks, log, 15*time.Second)
			return nil
		})
		if cfg.PresenceSweepEvery > 0 {
			goRun("presence sweep", func() error {
				worker.ScheduleSweeps(ctx, tasks, worker.TypePresenceSweep, time.Now, cfg.PresenceSweepEvery, log)
				return nil
			})
		}
		goRun("parcel sweeps", func() error {
			worker.ScheduleSweeps(ctx, tasks, worker.TypeParcelSweep, parcels.Now, cfg.LogisticsSweepInterval, log)
			return nil
		})
		goRun("service sweeps", func() error {
			every := opts.SweepEvery
			if every <= 0 {
				every = 15 * time.Second
			}
			worker.ScheduleSweeps(ctx, tasks, worker.TypeServiceSweep, clock, every, log)
			return nil
		})
		goRun("session pruner", func() error {
			worker.PruneSessions(ctx, db, log, time.Hour)
			return nil
		})
	}

	url := "http://" + displayAddr(ln.Addr())
	printBanner(stdout, cfg, roles, db.Dialect(), url, created, password)
	if opts.Ready != nil {
		opts.Ready(ln.Addr().String())
	}
	if roles.Demo {
		goRun("demo", func() error {
			return demo.Run(ctx, demo.Deps{DB: db, Channels: chans, BaseURL: url, Out: stdout, Log: log})
		})
	}

	<-ctx.Done()
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancelShutdown := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if asynqSrv != nil {
		asynqSrv.Shutdown() // waits for in-flight tasks up to ShutdownTimeout
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// openRedis connects to the configured Redis (one server, Sentinel or Cluster), or
// starts the embedded one.
func openRedis(cfg config.Config) (redis.UniversalClient, func(), error) {
	settings := redisSettings(cfg)
	stop := func() {}
	if !cfg.RedisConfigured() {
		mr := miniredis.NewMiniRedis()
		mr.ClockTTL(true) // keys expire with the wall clock, as in a real Redis
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("start embedded redis: %w", err)
		}
		settings.Addr, stop = mr.Addr(), mr.Close
	}
	rdb := redisconn.New(settings)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		stop()
		return nil, nil, fmt.Errorf("%s (CHATBRIDGE_REDIS_*): %w", settings, err)
	}
	return rdb, func() { _ = rdb.Close(); stop() }, nil
}

func redisSettings(cfg config.Config) redisconn.Settings {
	return redisconn.Settings{
		Addr: cfg.RedisAddr, Username: cfg.RedisUsername, Password: cfg.RedisPassword, DB: cfg.RedisDB,
		SentinelAddrs: cfg.RedisSentinelAddrs, MasterName: cfg.RedisMasterName, SentinelPassword: cfg.RedisSentinelPassword,
		ClusterAddrs: cfg.RedisClusterAddrs,
	}
}

// baseURL is the configured public URL, else this machine's address as listened on.
func baseURL(cfg config.Config, listening net.Addr) string {
	if cfg.BaseURL != "" {
		return strings.TrimRight(cfg.BaseURL, "/")
	}
	return "http://" + displayAddr(listening)
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func printBanner(w io.Writer, cfg config.Config, roles Roles, dialect store.Dialect, url string, created bool, password string) {
	var b strings.Builder
	b.WriteString("\n  ChatBridge is running\n")
	fmt.Fprintf(&b, "  Web inbox and API: %s\n", url)
	if cfg.Embedded() {
		fmt.Fprintf(&b, "  Storage: single-machine default (embedded SQLite in %s, in-process Redis).\n", cfg.DataDir)
		b.WriteString("  For production set CHATBRIDGE_MYSQL_DSN and CHATBRIDGE_REDIS_ADDR.\n")
	} else {
		fmt.Fprintf(&b, "  Storage: %s, %s\n", dialect, redisSettings(cfg))
	}
	switch {
	case created && password != "":
		fmt.Fprintf(&b, "  Admin login: %s / %s   (shown once: write it down)\n", cfg.AdminUser, password)
	case created:
		fmt.Fprintf(&b, "  Admin login: %s (password from CHATBRIDGE_ADMIN_PASSWORD)\n", cfg.AdminUser)
	}
	if !roles.Demo {
		b.WriteString("  New here? `make demo` (chatbridge demo) opens a demo shop with buyers chatting.\n")
	}
	fmt.Fprintln(w, b.String())
}
