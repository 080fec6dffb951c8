// Package loadtest drives a running ChatBridge the way its platforms and agents do, and
// measures it: buyers of several generic channels send signed webhooks at a fixed rate
// (open loop) with a share of redeliveries, agents connected by WebSocket answer what
// they see, and a callback receiver takes the signed replies. It reports throughput,
// errors by status and latency distributions (HDR histograms) of three paths — webhook
// acknowledged, webhook to an agent's socket, reply to callback — as JSON and as an SVG
// chart. RunBaseline measures what the database alone commits, for comparison.
package loadtest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Run modes.
const (
	modeOpen   = "open-loop"
	modeClosed = "closed-loop"
)

// Run sets up a load shop on the server, sends for o.Duration, waits up to o.Drain for
// what is still on its way, and reports. The server must be running; Run creates a
// shop, agents and channels of its own on it (named after the run) and leaves them.
func Run(ctx context.Context, o Options, log *slog.Logger) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	run := randomHex(3)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	recv, err := startReceiver(o.ReceiverAddr, run, o.CallbackDelay, o.CallbackFail, o.Seed)
	if err != nil {
		return nil, err
	}
	defer recv.shutdown()
	callbackBase := strings.TrimRight(o.ReceiverURL, "/")
	if callbackBase == "" {
		callbackBase = recv.URL()
	}

	a := &api{base: strings.TrimRight(o.URL, "/"), client: newHTTPClient(o.Agents * replyWorkers)}
	log.Info("setting up the load shop", "run", run, "channels", o.Channels, "agents", o.Agents)
	shop, err := setUp(ctx, a, &o, run, callbackBase)
	if err != nil {
		return nil, fmt.Errorf("set up the load shop: %w", err)
	}
	defer goOffline(context.WithoutCancel(ctx), a, shop)
	secrets := make([]string, len(shop.Channels))
	for i, ch := range shop.Channels {
		secrets[i] = ch.Secret
	}
	// The run's clock starts now, just before the agents connect and the sending begins:
	// tags carry offsets from it, and the timelines count from it.
	start := time.Now()
	messages, replies := newTracker(start, o.Interval), newTracker(start, o.Interval)
	recv.expect(secrets, replies)

	agentsCtx, stopAgents := context.WithCancel(ctx)
	defer stopAgents()
	var agentsWG sync.WaitGroup
	d := newDesk(&o, run, start, a, shop, messages, replies)
	if err := connectWithin(agentsCtx, d, &agentsWG, time.Minute); err != nil {
		return nil, err
	}

	p := newPlatform(&o, run, start, shop, messages)
	log.Info("sending", "run", run, "rate", o.Rate, "duration", o.Duration)
	sendStart := time.Now()
	var pace PaceStats
	mode := modeOpen
	if o.Rate > 0 {
		pacer := &Pacer{Rate: o.Rate, MaxInFlight: o.MaxInFlight}
		pace = pacer.Run(ctx, sendStart, o.Duration, p.send)
	} else {
		mode = modeClosed
		pace.Started = RunClosed(ctx, nil, o.Concurrency, o.Duration, p.send)
		pace.Lag = NewLatency(sendStart, o.Interval)
	}
	elapsed := time.Since(sendStart).Seconds()

	log.Info("draining", "run", run, "up_to", o.Drain)
	waitFor(ctx, o.Drain, func() bool {
		return messages.done() && d.idle() && replies.done()
	})
	stopAgents()
	agentsWG.Wait()

	r := &Report{
		Run: run, Target: a.base, StartedAt: start.UTC(), Mode: mode, Elapsed: elapsed,
		Settings: Settings{
			Rate: o.Rate, Duration: o.Duration.String(), Channels: o.Channels, Buyers: o.Buyers, Agents: o.Agents,
			Concurrency: o.Concurrency, MaxInFlight: o.MaxInFlight, Redeliver: o.Redeliver, ReplyShare: o.ReplyShare,
			Callback: fmt.Sprintf("delay %s, fail %.2f", o.CallbackDelay, o.CallbackFail),
		},
		Webhooks: WebhookReport{
			Sent: p.sent.Load(), New: p.fresh.Load(), Redeliveries: p.again.Load(), Accepted: p.accepted.Load(),
			Duplicate: p.duplicate.Load(), Wrong: p.unclear.Load(), Status: p.status.Snapshot(),
			PerSecond: float64(p.accepted.Load()+p.duplicate.Load()) / elapsed,
			Latency:   p.ack.Summary(), Percentiles: p.ack.Percentiles(), Timeline: p.ack.Timeline(),
		},
		Delivery: pathReport(messages, elapsed),
		Replies: ReplyReport{
			Posted: d.replySeq.Load(), Status: d.replyCode.Snapshot(), NotQueued: d.dropped.Load(),
			Latency: d.replyAck.Summary(), Reconnects: d.reconnects.Load(), Frames: d.frames.Load(),
		},
		Callbacks: CallbackReport{
			PathReport: pathReport(replies, elapsed), Answered: recv.answered.Snapshot(),
			BadSignature: recv.badSignature.Load(), Redelivered: recv.repeats.Load(), OtherEvents: recv.otherEvents.Load(),
			Unsolicited: recv.unsolicited.Load(),
		},
		Sender: SenderReport{Started: pace.Started, PeakInFlight: pace.PeakInFlight, Lag: pace.Lag.Summary()},
	}
	if o.Baseline {
		log.Info("measuring the baseline", "concurrency", o.Concurrency, "duration", o.Duration)
		b, err := RunBaseline(ctx, BaselineOptions{DSN: o.BaselineDSN, Concurrency: o.Concurrency, Duration: o.Duration, Interval: o.Interval})
		if err != nil {
			return r, err
		}
		r.Baseline = b
	}
	return r, nil
}

// connectWithin connects the agents, giving up after timeout.
func connectWithin(ctx context.Context, d *desk, wg *sync.WaitGroup, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.connect(ctx, wg) }()
	select {
	case err := <-done:
		return err
	case <-cctx.Done():
		return fmt.Errorf("agents' WebSockets not ready within %s", timeout)
	}
}
