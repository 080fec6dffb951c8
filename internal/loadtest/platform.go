package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatbridge/chatbridge/adapters/generic"
	"github.com/chatbridge/chatbridge/internal/chatcorpus"
	"github.com/chatbridge/chatbridge/models"
)

// signedWebhook builds a generic-channel webhook as a platform sends it: the body, and
// the timestamp and signature headers of the API contract.
func signedWebhook(ctx context.Context, url, secret string, body []byte, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(generic.HeaderTimestamp, ts)
	req.Header.Set(generic.HeaderSignature, generic.Sign(secret, ts, body))
	return req, nil
}

// messageBody is a generic-channel message event.
func messageBody(id, buyerID, buyerName, text string, sentAt time.Time) ([]byte, error) {
	return json.Marshal(map[string]any{"event": "message", "message": map[string]any{
		"id": id, "customer": map[string]string{"id": buyerID, "name": buyerName},
		"type": "text", "text": text, "sent_at": sentAt.UTC().Format(time.RFC3339),
	}})
}

// delivered is an acknowledged message kept for redelivery.
type delivered struct {
	channel int
	body    []byte
}

// redeliveryPool bounds how many acknowledged messages are kept as redelivery candidates.
const redeliveryPool = 4096

// platform plays the marketplaces: buyers of every channel writing, as signed webhooks,
// and now and then a platform delivering an acknowledged message again.
type platform struct {
	run       string
	start     time.Time
	channels  []channelSetup
	buyers    int
	redeliver float64
	client    *http.Client
	messages  *tracker // new messages, until seen on an agent's socket

	rngMu sync.Mutex
	rng   *rand.Rand
	names map[string]string // buyer → the name they write under

	poolMu sync.Mutex
	pool   []delivered
	next   int

	ack                          *Latency
	status                       *Counter
	sent, fresh, again           atomic.Int64
	accepted, duplicate, unclear atomic.Int64
}

func newPlatform(o *Options, run string, start time.Time, s *shopSetup, messages *tracker) *platform {
	return &platform{
		run: run, start: start, channels: s.Channels, buyers: o.Buyers, redeliver: o.Redeliver,
		client:   newHTTPClient(max(o.MaxInFlight, o.Concurrency)),
		messages: messages, rng: rand.New(rand.NewPCG(o.Seed, 0x10ad)), names: map[string]string{},
		ack: NewLatency(start, o.Interval), status: &Counter{},
	}
}

// newHTTPClient keeps as many connections open as requests may be in flight.
func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: t, Timeout: time.Minute}
}

// send makes webhook i, due at due: a redelivery with the configured probability (when
// an acknowledged message is there to repeat), else a new buyer message.
func (p *platform) send(ctx context.Context, i int64, due time.Time) {
	p.rngMu.Lock()
	again := p.rng.Float64() < p.redeliver
	var pick int
	if again {
		pick = p.rng.IntN(redeliveryPool)
	}
	p.rngMu.Unlock()
	if again {
		if d, ok := p.fromPool(pick); ok {
			p.sendAgain(ctx, d, due)
			return
		}
	}
	p.sendNew(ctx, i, due)
}

func (p *platform) sendNew(ctx context.Context, seq int64, due time.Time) {
	ci := int(seq % int64(len(p.channels)))
	p.rngMu.Lock()
	buyer := fmt.Sprintf("lb-%s-%d", p.run, p.rng.IntN(p.buyers))
	name, ok := p.names[buyer]
	if !ok {
		name = chatcorpus.BuyerName(p.rng)
		p.names[buyer] = name
	}
	text := chatcorpus.BuyerText(p.rng, models.Stages[p.rng.IntN(len(models.Stages))])
	p.rngMu.Unlock()
	text = appendTag(text, tag{Run: p.run, Kind: kindMessage, Seq: seq, Due: due.Sub(p.start)})
	body, err := messageBody(fmt.Sprintf("lt-%s-%d", p.run, seq), buyer, name, text, due)
	if err != nil {
		p.status.Add("error:encode")
		return
	}
	p.fresh.Add(1)
	p.messages.expect(seq)
	answer := p.post(ctx, ci, body, due)
	p.messages.settle(seq, answer == "accepted")
	switch answer {
	case "accepted":
		p.accepted.Add(1)
		p.toPool(delivered{channel: ci, body: body})
	case "duplicate":
		p.unclear.Add(1) // a new message id must never be taken for a redelivery
	}
}

func (p *platform) sendAgain(ctx context.Context, d delivered, due time.Time) {
	p.again.Add(1)
	switch p.post(ctx, d.channel, d.body, due) {
	case "duplicate":
		p.duplicate.Add(1)
	case "accepted":
		p.unclear.Add(1) // stored twice
	}
}

// post signs and sends one body, records the acknowledgement latency from due, and
// answers the "status" of a 200 ("accepted", "duplicate"), or "".
func (p *platform) post(ctx context.Context, channel int, body []byte, due time.Time) string {
	ch := p.channels[channel]
	p.sent.Add(1)
	req, err := signedWebhook(ctx, ch.Webhook, ch.Secret, body, time.Now())
	if err != nil {
		p.status.Add("error:request")
		return ""
	}
	resp, err := p.client.Do(req)
	if err != nil {
		p.status.Add(transportError(ctx, err))
		return ""
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	p.status.AddStatus(resp.StatusCode)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	p.ack.Record(due, time.Since(due))
	var out struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(raw, &out)
	return out.Status
}

// transportError names a failed request for the error counts.
func transportError(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		return "error:cancelled"
	case errors.As(err, &ne) && ne.Timeout():
		return "error:timeout"
	default:
		return "error:connection"
	}
}

func (p *platform) toPool(d delivered) {
	p.poolMu.Lock()
	defer p.poolMu.Unlock()
	if len(p.pool) < redeliveryPool {
		p.pool = append(p.pool, d)
		return
	}
	p.pool[p.next] = d
	p.next = (p.next + 1) % redeliveryPool
}

func (p *platform) fromPool(i int) (delivered, bool) {
	p.poolMu.Lock()
	defer p.poolMu.Unlock()
	if len(p.pool) == 0 {
		return delivered{}, false
	}
	return p.pool[i%len(p.pool)], true
}
