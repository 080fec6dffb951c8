package loadtest

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Targets are the ChatBridge instances a run spreads over: -url is one base URL or
// several separated by commas (serve processes of one installation reached without a
// load balancer). The shop is set up through the first; webhooks go to each in turn,
// and agent k connects its socket to, and posts its replies through, instance k mod n.
func (o *Options) Targets() []string {
	var out []string
	for _, u := range strings.Split(o.URL, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// target is one instance as the run uses it: what was sent through it, and which
// buyer messages reached the agents connected to it.
type target struct {
	url      string
	agents   int
	webhooks atomic.Int64
	replies  atomic.Int64
	seen     *tracker // buyer messages, as the agents on this instance see them
}

// TargetReport is one instance of a run spread over several: the webhooks and replies
// sent through it, and the buyer messages its agents saw. Every accepted message must
// reach the agents of every instance, whichever instance took its webhook.
type TargetReport struct {
	URL      string `json:"url"`
	Agents   int    `json:"agents"`
	Webhooks int64  `json:"webhooks_sent"`
	Replies  int64  `json:"replies_posted"`
	trackCounts
}

// itemLog is what the sender tells about the items it sends: expected before sending,
// then settled as accepted or not.
type itemLog interface {
	expect(seq int64)
	settle(seq int64, accepted bool)
}

// fanLog tells several trackers the same: the run's, and each instance's.
type fanLog []*tracker

func (f fanLog) expect(seq int64) {
	for _, t := range f {
		t.expect(seq)
	}
}

func (f fanLog) settle(seq int64, accepted bool) {
	for _, t := range f {
		t.settle(seq, accepted)
	}
}

func targetReports(ts []*target) []TargetReport {
	if len(ts) < 2 {
		return nil
	}
	out := make([]TargetReport, len(ts))
	for i, t := range ts {
		out[i] = TargetReport{URL: t.url, Agents: t.agents, Webhooks: t.webhooks.Load(), Replies: t.replies.Load(), trackCounts: t.seen.counts()}
	}
	return out
}

func targetsText(ts []TargetReport) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s: %d webhooks, %d agents saw %d of %d messages (%d missing), %d replies",
			t.URL, t.Webhooks, t.Agents, t.Seen, t.Expected, t.Missing, t.Replies)
	}
	return strings.Join(parts, "\n    ")
}
