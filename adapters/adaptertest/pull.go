package adaptertest

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// PullPlatform is what the pull-only suite needs of a marketplace whose orders arrive
// by polling its API (no webhooks to ChatBridge) and whose chat API is partner-only.
type PullPlatform struct {
	// Adapter must be an adapters.ScheduledPoller and an adapters.NoteWriter.
	Adapter adapters.Adapter
	// Channel points at the fake API (api_base_url) with credentials it accepts.
	Channel adapters.Channel
	// Want is every event the fake holds, in the order pulls from an empty cursor yield
	// them (following each answer's cursor while More is set). It must hold at least one
	// order without a refund.
	Want []adapters.Event
	// API is the fake platform API (an httptest server that checks every signature).
	API PullAPI
	// Flags maps each ChatBridge flag to the colour value the platform's remark API must
	// receive, as the fake records it ("" when no flag may be sent).
	Flags map[string]string
}

// PullAPI is the fake marketplace API as the pull suite drives it.
type PullAPI interface {
	// CorruptNext cuts the next answer short in the middle of its body.
	CorruptNext()
	// HollowNext makes the next answer well-formed JSON without the platform's
	// response object in it.
	HollowNext()
	// FailNext makes the next answer the platform's error body for a passing fault.
	FailNext()
	// ThrottleNext makes the next answer the platform's call-limit error.
	ThrottleNext()
	// RejectNext makes the next answer a refusal retrying cannot fix (a revoked session).
	RejectNext()
	// Notes lists the remark calls the fake accepted, oldest first.
	Notes() []NoteCall
}

// NoteCall is one remark the fake platform accepted.
type NoteCall struct {
	OrderID string
	// Flag is the colour value as the platform received it ("" when none was sent).
	Flag string
	Note string
}

// RunPull runs the pull-only suite on p.
func RunPull(t *testing.T, p PullPlatform) {
	t.Helper()
	poller, ok := p.Adapter.(adapters.ScheduledPoller)
	if !ok || p.API == nil || len(p.Want) == 0 {
		t.Fatal("adaptertest: PullPlatform needs a ScheduledPoller, an API and the events it holds")
	}
	if poller.PollEvery() <= 0 {
		t.Errorf("PollEvery is %s: a marketplace that pushes nothing must be pulled on a timer", poller.PollEvery())
	}
	t.Run("pages", func(t *testing.T) { testPages(t, p, poller) })
	t.Run("bad answers", func(t *testing.T) { testBadAnswers(t, p, poller) })
	t.Run("no chat, no webhooks", func(t *testing.T) { testNoChat(t, p) })
	t.Run("note write-back", func(t *testing.T) { testNotes(t, p) })
	t.Run("fetch order", func(t *testing.T) { testFetch(t, p) })
}

// testPages pulls everything the fake holds: a repeated pull from the same cursor
// yields the same events (ids and times), each cursor moves on, nothing comes twice,
// and a pull after the last page finds nothing new.
func testPages(t *testing.T, p PullPlatform, poller adapters.Poller) {
	ctx := context.Background()
	var got []adapters.Event
	seen := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatal("more than 100 pages: the cursor does not reach the end")
		}
		res, err := poller.Poll(ctx, p.Channel, cursor, "")
		if err != nil {
			t.Fatalf("page %d (cursor %q): %v", page, cursor, err)
		}
		again, err := poller.Poll(ctx, p.Channel, cursor, "")
		if err != nil {
			t.Fatalf("page %d pulled again: %v", page, err)
		}
		if a, b := keys(res.Events), keys(again.Events); !reflect.DeepEqual(a, b) {
			t.Errorf("page %d pulled again carries %v, the first pull %v", page, b, a)
		}
		for _, k := range keys(res.Events) {
			if seen[k] {
				t.Errorf("page %d repeats %s, already pulled from an earlier cursor", page, k)
			}
			seen[k] = true
		}
		got = append(got, res.Events...)
		if !res.More {
			if res.Cursor != "" {
				cursor = res.Cursor
			}
			break
		}
		if res.Cursor == "" || res.Cursor == cursor {
			t.Fatalf("page %d says More but the cursor did not move (%q)", page, res.Cursor)
		}
		cursor = res.Cursor
	}
	if !reflect.DeepEqual(got, p.Want) {
		t.Errorf("the pulls give\n%s\nwant\n%s", dump(got), dump(p.Want))
	}
	res, err := poller.Poll(ctx, p.Channel, cursor, "")
	if err != nil {
		t.Fatalf("pull after the last page: %v", err)
	}
	if len(res.Events) != 0 {
		t.Errorf("a pull after the last page gives again\n%s", dump(res.Events))
	}
}

// testBadAnswers: whatever goes wrong on the platform's side is an error, never a
// page that looks empty (the cursor would move past orders never read).
func testBadAnswers(t *testing.T, p PullPlatform, poller adapters.Poller) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		arm  func()
	}{
		{"an answer cut short", p.API.CorruptNext},
		{"an answer without the response object", p.API.HollowNext},
		{"a platform fault", p.API.FailNext},
		{"a revoked session", p.API.RejectNext},
	} {
		c.arm()
		res, err := poller.Poll(ctx, p.Channel, "", "")
		if err == nil {
			t.Errorf("%s answers a page of %d events and no error", c.name, len(res.Events))
		}
	}
	p.API.ThrottleNext()
	_, err := poller.Poll(ctx, p.Channel, "", "")
	var th *adapters.ThrottledError
	if !errors.As(err, &th) {
		t.Errorf("the platform's call limit answers %v, want a ThrottledError", err)
	}
	if _, err := poller.Poll(ctx, p.Channel, "", ""); err != nil {
		t.Errorf("a pull after the faults fails: %v", err)
	}
}

func testNoChat(t *testing.T, p PullPlatform) {
	ctx := context.Background()
	_, err := p.Adapter.Send(ctx, p.Channel, adapters.OutboundMessage{ID: "1", CustomerID: "buyer", Type: "text", Text: "您好"})
	var perm *adapters.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("Send answers %v, want a PermanentError (the chat API is partner-only)", err)
	}
	tp, ok := p.Adapter.(adapters.TraitsProvider)
	if !ok || !tp.Traits().NoChat {
		t.Error("the adapter must report Traits{NoChat: true}")
	}
	req := httptest.NewRequest("POST", "/webhooks/"+p.Adapter.Type()+"/1", strings.NewReader(`{"order_id":"1"}`))
	events, err := p.Adapter.ParseWebhook(ctx, p.Channel, req, []byte(`{"order_id":"1"}`))
	var bad *adapters.BadRequestError
	if !errors.As(err, &bad) || len(events) != 0 {
		t.Errorf("a webhook answers %v with %d events, want a BadRequestError (this platform delivers no webhooks)", err, len(events))
	} else if !strings.Contains(strings.ToLower(bad.Error()), "webhook") {
		t.Errorf("the webhook refusal %q does not say that the platform delivers no webhooks", bad.Error())
	}
}

func testNotes(t *testing.T, p PullPlatform) {
	ctx := context.Background()
	w, ok := p.Adapter.(adapters.NoteWriter)
	if !ok {
		t.Fatal("the adapter is no NoteWriter")
	}
	order := firstOrder(t, p)
	flags := make([]string, 0, len(p.Flags))
	for f := range p.Flags {
		flags = append(flags, f)
	}
	slices.Sort(flags)
	for i, flag := range flags {
		note := "改地址: 杭州市西湖区文三路99号 " + flag
		if err := w.WriteNote(ctx, p.Channel, adapters.OrderNote{OrderID: order.ExternalID, Flag: flag, Note: note}); err != nil {
			t.Fatalf("write a %s note: %v", flag, err)
		}
		calls := p.API.Notes()
		if len(calls) == 0 {
			t.Fatalf("the platform received no remark for the %s note", flag)
		}
		want := NoteCall{OrderID: order.ExternalID, Flag: p.Flags[flag], Note: note}
		if got := calls[len(calls)-1]; got != want {
			t.Errorf("note %d (%s): the platform received %+v, want %+v", i, flag, got, want)
		}
	}
	p.API.RejectNext()
	var perm *adapters.PermanentError
	if err := w.WriteNote(ctx, p.Channel, adapters.OrderNote{OrderID: order.ExternalID, Flag: "red", Note: "x"}); !errors.As(err, &perm) {
		t.Errorf("a refused remark answers %v, want a PermanentError", err)
	}
	p.API.FailNext()
	if err := w.WriteNote(ctx, p.Channel, adapters.OrderNote{OrderID: order.ExternalID, Flag: "red", Note: "x"}); err == nil || errors.As(err, &perm) {
		t.Errorf("a passing platform fault answers %v, want an error to retry", err)
	}
	p.API.ThrottleNext()
	var th *adapters.ThrottledError
	if err := w.WriteNote(ctx, p.Channel, adapters.OrderNote{OrderID: order.ExternalID, Flag: "red", Note: "x"}); !errors.As(err, &th) {
		t.Errorf("the call limit answers %v, want a ThrottledError", err)
	}
}

func testFetch(t *testing.T, p PullPlatform) {
	f, ok := p.Adapter.(adapters.OrderFetcher)
	if !ok {
		t.Fatal("the adapter is no OrderFetcher")
	}
	want := firstOrder(t, p)
	got, err := f.FetchOrder(context.Background(), p.Channel, want.ExternalID)
	if err != nil {
		t.Fatalf("fetch order %s: %v", want.ExternalID, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fetch gives\n%s\nwant\n%s", dump([]adapters.Event{{Order: got}}), dump([]adapters.Event{{Order: want}}))
	}
	if _, err := f.FetchOrder(context.Background(), p.Channel, "no-such-order-404"); err == nil {
		t.Error("fetching an order the platform does not hold answers no error")
	}
}

// firstOrder is the first wanted order without a refund case.
func firstOrder(t *testing.T, p PullPlatform) *adapters.OrderEvent {
	t.Helper()
	for _, ev := range p.Want {
		if ev.Order != nil && ev.Order.Refund == nil {
			return ev.Order
		}
	}
	t.Fatal("adaptertest: Want holds no order without a refund")
	return nil
}

// FixedClock is a clock for pull tests: marketplace windows are computed from it.
func FixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }
