// Package adaptertest is the conformance suite every channel adapter passes: webhook
// verification rejects forgeries and replays, a redelivery parses to the same platform
// ids (so the store keeps it once), parsing gives exactly the unified events, and
// sending retries, throttles and refuses as the platform answers, with ChatBridge's
// message id as the idempotency key where the platform has one.
//
// An adapter's own test describes its platform in a Platform (how the platform signs a
// delivery, what each delivery must parse to, a fake of its API) and calls Run. The
// platform's API is only ever an httptest server speaking its documented protocol.
package adaptertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Platform is what the suite needs to know of one adapter and its platform.
type Platform struct {
	Adapter adapters.Adapter
	// Channel is a channel of the adapter's type whose config points at the fake API
	// (api_base_url) and whose secrets match what Deliver signs with.
	Channel adapters.Channel

	// Deliver builds the n-th distinct webhook delivery (n from 1) exactly as the
	// platform sends it (signed, encrypted), and the events it must parse to. Called again
	// with the same n it must build a redelivery of the same platform event (a new
	// nonce or timestamp is fine).
	Deliver func(t *testing.T, n int) (req *http.Request, want []adapters.Event)
	// Forge builds delivery n with a signature that does not check out (signed with
	// another secret, or tampered after signing).
	Forge func(t *testing.T, n int) *http.Request
	// Stale builds delivery n as a replay after the platform's freshness window. Nil
	// when the platform signs no time; NoFreshness then says what stops replays instead.
	Stale       func(t *testing.T, n int) *http.Request
	NoFreshness string

	// Pulled, for platforms whose callback only says that something is waiting (its
	// events are a Poll), gives the events the pull after delivery n must yield; the
	// fake API must serve them.
	Pulled func(t *testing.T, n int) []adapters.Event

	// API is the fake platform API that Send talks to; nil for a platform without a
	// chat API (NoChat), whose Send must refuse for good.
	API FakeAPI
	// ThrottleWait is the wait the adapter answers to a rate-limit reply that carries
	// no hint of its own (WeCom's 45009, WhatsApp's 130429); the suite then expects it
	// instead of the hint given to ThrottleNext. 0: the platform's reply has a hint.
	ThrottleWait time.Duration
}

// FakeAPI is the fake platform's send side, as the suite drives it.
type FakeAPI interface {
	// Sent lists the replies the fake platform accepted, in order.
	Sent() []SentReply
	// FailNext makes the next n sends fail as the platform does when it is briefly
	// unwell (a 5xx, "system busy").
	FailNext(n int)
	// ThrottleNext makes the next send answer the platform's rate-limit reply carrying
	// the hint after (Telegram's retry_after, a Retry-After header).
	ThrottleNext(after time.Duration)
	// RejectNext makes the next send answer a refusal that retrying cannot fix (a bad
	// credential, a buyer who blocked the shop). It answers false for a protocol that
	// has no such answer (the generic channel retries every non-2xx, by its contract).
	RejectNext() bool
}

// SentReply is one reply the fake platform received.
type SentReply struct {
	// Key is the idempotency key the platform saw (WeCom's msgid, the generic channel's
	// message id); "" where the platform has none.
	Key     string
	BuyerID string
	Text    string
}

// Run runs the whole suite on p.
func Run(t *testing.T, p Platform) {
	t.Helper()
	if p.Adapter == nil || p.Deliver == nil || p.Forge == nil {
		t.Fatal("adaptertest: Platform needs Adapter, Deliver and Forge")
	}
	if p.Stale == nil && p.NoFreshness == "" {
		t.Fatal("adaptertest: give Stale, or say in NoFreshness what stops replays")
	}
	t.Run("verification", func(t *testing.T) { testVerification(t, p) })
	t.Run("parse", func(t *testing.T) { testParse(t, p) })
	t.Run("redelivery", func(t *testing.T) { testRedelivery(t, p) })
	t.Run("send", func(t *testing.T) { testSend(t, p) })
}

// parse reads a built request the way the webhook endpoint does.
func parse(t *testing.T, p Platform, req *http.Request) ([]adapters.Event, error) {
	t.Helper()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatalf("read the built request: %v", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return p.Adapter.ParseWebhook(context.Background(), p.Channel, req, body)
}

func testVerification(t *testing.T, p Platform) {
	if _, err := parse(t, p, mustDeliver(t, p, 1)); err != nil {
		t.Fatalf("a genuine delivery is refused: %v", err)
	}
	if _, err := parse(t, p, p.Forge(t, 1)); !errors.Is(err, adapters.ErrUnauthorized) {
		t.Errorf("a forged delivery answers %v, want ErrUnauthorized", err)
	}
	if p.Stale != nil {
		if _, err := parse(t, p, p.Stale(t, 1)); !errors.Is(err, adapters.ErrUnauthorized) {
			t.Errorf("a replay after the freshness window answers %v, want ErrUnauthorized", err)
		}
	} else {
		t.Logf("no freshness check: %s", p.NoFreshness)
	}
	// Anything unsigned is refused before it is read, whatever it holds.
	genuine := mustDeliver(t, p, 1)
	for name, body := range map[string]string{"empty": "", "garbage": "\x00\xff not a delivery", "json": `{"event":"message"}`} {
		req := genuine.Clone(context.Background())
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
		events, err := parse(t, p, req)
		if err == nil {
			t.Errorf("%s body under a genuine delivery's headers was accepted: %+v", name, events)
		}
		var bad *adapters.BadRequestError
		if err != nil && !errors.Is(err, adapters.ErrUnauthorized) && !errors.As(err, &bad) {
			t.Errorf("%s body answers %v, want ErrUnauthorized or a BadRequestError", name, err)
		}
	}
}

func mustDeliver(t *testing.T, p Platform, n int) *http.Request {
	t.Helper()
	req, _ := p.Deliver(t, n)
	return req
}

func testParse(t *testing.T, p Platform) {
	for n := 1; n <= 3; n++ {
		req, want := p.Deliver(t, n)
		got, err := parse(t, p, req)
		if err != nil {
			t.Fatalf("delivery %d: %v", n, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("delivery %d parses to\n%s\nwant\n%s", n, dump(got), dump(want))
		}
		if p.Pulled != nil && hasPoll(got) {
			testPull(t, p, n, got)
		}
	}
}

func hasPoll(events []adapters.Event) bool {
	for _, ev := range events {
		if ev.Poll != nil {
			return true
		}
	}
	return false
}

func testPull(t *testing.T, p Platform, n int, events []adapters.Event) {
	t.Helper()
	poller, ok := p.Adapter.(adapters.Poller)
	if !ok {
		t.Fatalf("delivery %d asks for a pull, but the adapter is no Poller", n)
	}
	var hint string
	for _, ev := range events {
		if ev.Poll != nil {
			hint = ev.Poll.Hint
		}
	}
	res, err := poller.Poll(context.Background(), p.Channel, "", hint)
	if err != nil {
		t.Fatalf("pull after delivery %d: %v", n, err)
	}
	if want := p.Pulled(t, n); !reflect.DeepEqual(res.Events, want) {
		t.Errorf("pull after delivery %d gives\n%s\nwant\n%s", n, dump(res.Events), dump(want))
	}
}

// testRedelivery: a platform's retry of one event must carry the same platform ids, so
// the store's unique key keeps it once; distinct events must not collide.
func testRedelivery(t *testing.T, p Platform) {
	first, err := parse(t, p, mustDeliver(t, p, 1))
	if err != nil {
		t.Fatal(err)
	}
	again, err := parse(t, p, mustDeliver(t, p, 1))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := keys(first), keys(again); !reflect.DeepEqual(a, b) {
		t.Errorf("a redelivery carries ids %v, the first delivery %v", b, a)
	}
	other, err := parse(t, p, mustDeliver(t, p, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys(other) {
		for _, f := range keys(first) {
			if k == f && !strings.HasPrefix(k, "poll:") {
				t.Errorf("two different deliveries share the id %q", k)
			}
		}
	}
}

// keys are the identities the store de-duplicates on.
func keys(events []adapters.Event) []string {
	var out []string
	for _, ev := range events {
		switch {
		case ev.Message != nil:
			out = append(out, "message:"+ev.Message.ExternalID)
		case ev.Order != nil:
			out = append(out, "order:"+ev.Order.ExternalID+"@"+ev.Order.UpdatedAt.UTC().Format(time.RFC3339Nano))
		case ev.Poll != nil:
			out = append(out, "poll:")
		}
	}
	return out
}

func testSend(t *testing.T, p Platform) {
	ctx := context.Background()
	msg := adapters.OutboundMessage{
		ID: "90210", ConversationID: "31", CustomerID: "buyer-conformance", Type: "text",
		Text: "您好，今天发货。Ships today.", CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	if p.API == nil {
		var perm *adapters.PermanentError
		if _, err := p.Adapter.Send(ctx, p.Channel, msg); !errors.As(err, &perm) {
			t.Fatalf("a platform without a chat API answers Send with %v, want a PermanentError", err)
		}
		return
	}
	// Briefly unwell: a retryable error, then the retry lands with the same key.
	p.API.FailNext(1)
	_, err := p.Adapter.Send(ctx, p.Channel, msg)
	var perm *adapters.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("a transient platform failure answers %v, want a retryable error", err)
	}
	if _, err := p.Adapter.Send(ctx, p.Channel, msg); err != nil {
		t.Fatalf("the retry fails: %v", err)
	}
	sent := p.API.Sent()
	if len(sent) == 0 {
		t.Fatal("the fake platform received nothing")
	}
	last := sent[len(sent)-1]
	if last.BuyerID != msg.CustomerID || last.Text != msg.Text {
		t.Errorf("the platform received %+v, want buyer %q and text %q", last, msg.CustomerID, msg.Text)
	}
	for _, s := range sent {
		if s.Key != last.Key {
			t.Errorf("a retry carried the idempotency key %q, the first try %q", last.Key, s.Key)
		}
	}

	// Rate-limited: the platform's own hint is honoured.
	p.API.ThrottleNext(3 * time.Second)
	_, err = p.Adapter.Send(ctx, p.Channel, msg)
	wantWait := 3 * time.Second
	if p.ThrottleWait > 0 {
		wantWait = p.ThrottleWait
	}
	if after, ok := waitHint(err); !ok || after != wantWait {
		t.Errorf("a rate-limited send answers %v, want a ThrottledError or RetryAfterError of %s", err, wantWait)
	}

	// Refused for good: not retried.
	if !p.API.RejectNext() {
		return
	}
	if _, err := p.Adapter.Send(ctx, p.Channel, msg); !errors.As(err, &perm) {
		t.Errorf("a permanent refusal answers %v, want a PermanentError", err)
	}
}

func waitHint(err error) (time.Duration, bool) {
	var th *adapters.ThrottledError
	if errors.As(err, &th) {
		return th.After, true
	}
	var ra *adapters.RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}
