package loadtest

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"time"
)

// Options are a load run's settings; Register binds them to command-line flags.
type Options struct {
	URL           string // the ChatBridge under test
	AdminUser     string
	AdminPassword string

	Channels int // generic channels of the load shop
	Buyers   int // buyers per channel
	Agents   int // agents connected by WebSocket

	Rate        float64 // new webhooks per second; 0: as fast as Concurrency senders go
	Duration    time.Duration
	Concurrency int // senders in the as-fast-as-possible mode, and the baseline's writers
	MaxInFlight int // open loop: webhooks outstanding at once before sends queue (and go late)
	Redeliver   float64

	ReplyShare float64       // share of buyer messages an agent answers
	OwnerWait  time.Duration // how long a message waits for its conversation's assignee before any agent takes it
	Drain      time.Duration // after sending, how long to wait for what is still on its way

	ReceiverAddr  string // where the callback receiver listens
	ReceiverURL   string // the receiver as ChatBridge reaches it (default: from ReceiverAddr)
	CallbackDelay time.Duration
	CallbackFail  float64

	Interval time.Duration // timeline step
	Out      string        // folder for report.json and report.svg
	Seed     uint64

	Baseline    bool   // also measure plain single-row inserts on MySQL after the load
	BaselineDSN string // MySQL DSN of the baseline
}

// DefaultOptions are the settings without flags.
func DefaultOptions() Options {
	return Options{
		URL: "http://127.0.0.1:8080", AdminUser: "admin",
		Channels: 4, Buyers: 2000, Agents: 50,
		Rate: 200, Duration: 30 * time.Second, Concurrency: 16, MaxInFlight: 2000, Redeliver: 0.05,
		ReplyShare: 1, OwnerWait: 2 * time.Second, Drain: 15 * time.Second,
		ReceiverAddr: "127.0.0.1:0", Interval: time.Second, Out: "load-report", Seed: 1,
	}
}

// Register binds the options to flags of fs, with o's values as the defaults.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.URL, "url", o.URL, "base URL of the ChatBridge under test")
	fs.StringVar(&o.AdminUser, "admin-user", o.AdminUser, "admin login used to set up the load shop (env CHATBRIDGE_ADMIN_USER)")
	fs.StringVar(&o.AdminPassword, "admin-password", o.AdminPassword, "admin password (env CHATBRIDGE_ADMIN_PASSWORD)")
	fs.IntVar(&o.Channels, "channels", o.Channels, "generic channels (platform accounts) of the load shop")
	fs.IntVar(&o.Buyers, "buyers", o.Buyers, "buyers per channel; each message comes from one at random")
	fs.IntVar(&o.Agents, "agents", o.Agents, "agents logged in, online, connected by WebSocket and replying")
	fs.Float64Var(&o.Rate, "rate", o.Rate, "webhooks per second, open loop (kept whatever the server does); 0 = as fast as -concurrency senders go")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long to send")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "senders when -rate 0, and writers of -baseline")
	fs.IntVar(&o.MaxInFlight, "max-inflight", o.MaxInFlight, "open loop: webhooks outstanding at once; beyond it sends queue, late (and the lateness is measured)")
	fs.Float64Var(&o.Redeliver, "redeliver", o.Redeliver, "share of webhooks that redeliver an acknowledged message (must answer duplicate)")
	fs.Float64Var(&o.ReplyShare, "reply-share", o.ReplyShare, "share of buyer messages an agent answers")
	fs.DurationVar(&o.OwnerWait, "owner-wait", o.OwnerWait, "how long a message waits for its conversation's assigned agent before another agent answers")
	fs.DurationVar(&o.Drain, "drain", o.Drain, "after sending, how long to wait for live events and callbacks still on their way")
	fs.StringVar(&o.ReceiverAddr, "receiver-addr", o.ReceiverAddr, "listen address of the callback receiver")
	fs.StringVar(&o.ReceiverURL, "receiver-url", o.ReceiverURL, "the receiver's URL as ChatBridge reaches it (default http://<receiver-addr>)")
	fs.DurationVar(&o.CallbackDelay, "callback-delay", o.CallbackDelay, "the receiver answers each callback after this delay (a slow platform)")
	fs.Float64Var(&o.CallbackFail, "callback-fail", o.CallbackFail, "share of callbacks the receiver answers 500 (a failing platform); POST /control?delay=&fail= changes both during the run")
	fs.DurationVar(&o.Interval, "interval", o.Interval, "step of the latency-over-time timeline")
	fs.StringVar(&o.Out, "out", o.Out, "folder for report.json and report.svg")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed (buyers, texts, redeliveries)")
	fs.BoolVar(&o.Baseline, "baseline", o.Baseline, "after the load, measure plain single-row inserts on the same MySQL with -concurrency writers for -duration")
	fs.StringVar(&o.BaselineDSN, "mysql-dsn", o.BaselineDSN, "MySQL DSN for -baseline (env CHATBRIDGE_MYSQL_DSN)")
}

// Validate names the first setting that cannot work.
func (o *Options) Validate() error {
	u, err := url.Parse(o.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("-url %q: must be an absolute http(s) URL", o.URL)
	case o.AdminPassword == "":
		return errors.New("-admin-password (or CHATBRIDGE_ADMIN_PASSWORD) is required to set up the load shop")
	case o.Channels < 1:
		return errors.New("-channels must be at least 1")
	case o.Buyers < 1:
		return errors.New("-buyers must be at least 1")
	case o.Agents < 1:
		return errors.New("-agents must be at least 1")
	case o.Rate < 0:
		return errors.New("-rate must be 0 (as fast as possible) or more")
	case o.Duration <= 0:
		return errors.New("-duration must be positive")
	case o.Concurrency < 1:
		return errors.New("-concurrency must be at least 1")
	case o.MaxInFlight < 1:
		return errors.New("-max-inflight must be at least 1")
	case o.Redeliver < 0 || o.Redeliver >= 1:
		return errors.New("-redeliver must be in [0, 1)")
	case o.ReplyShare < 0 || o.ReplyShare > 1:
		return errors.New("-reply-share must be in [0, 1]")
	case o.CallbackFail < 0 || o.CallbackFail > 1:
		return errors.New("-callback-fail must be in [0, 1]")
	case o.Interval <= 0:
		return errors.New("-interval must be positive")
	case o.Baseline && o.BaselineDSN == "":
		return errors.New("-baseline needs -mysql-dsn (or CHATBRIDGE_MYSQL_DSN)")
	}
	return nil
}
