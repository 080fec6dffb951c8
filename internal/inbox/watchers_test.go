package inbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
)

// recordingWatcher keeps what it was told, and fails when asked to.
type recordingWatcher struct {
	changes []OrderChange
	after   int
	fail    error
}

func (w *recordingWatcher) OrderChanged(_ context.Context, _ *store.DB, c OrderChange) (func(context.Context), error) {
	if w.fail != nil {
		return nil, w.fail
	}
	w.changes = append(w.changes, c)
	return func(context.Context) { w.after++ }, nil
}

func orderEvent(status models.OrderStatus, at time.Time, refund *adapters.Refund) adapters.Event {
	return adapters.Event{Order: &adapters.OrderEvent{
		ExternalID: "T1", CustomerID: "buyer-1", Status: status, UpdatedAt: at,
		Address: &models.Address{Name: "王", Detail: "西湖区 1 号"}, Refund: refund,
	}}
}

// Watchers see each applied order change, with the order before and after, inside the
// ingest transaction; a stale event tells them nothing; a failing watcher rolls the
// order change back, so the platform's redelivery is applied again.
func TestOrderWatchersSeeEachAppliedChange(t *testing.T) {
	ctx := context.Background()
	w := &recordingWatcher{}
	svc, db, ch, _ := newPollInbox(t, &pullPlatform{})
	svc.watchers = []OrderWatcher{w}
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

	if err := svc.Ingest(ctx, ch, orderEvent(models.OrderPaid, t0, nil)); err != nil {
		t.Fatal(err)
	}
	// The buyer writes, so later changes know the conversation.
	err := svc.Ingest(ctx, ch, adapters.Event{Message: &adapters.InboundMessage{
		ExternalID: "m1", Customer: adapters.Customer{ID: "buyer-1"}, Type: "text", Text: "改地址",
	}})
	if err != nil {
		t.Fatal(err)
	}
	refund := &adapters.Refund{ExternalID: "R1", Type: "refund_only", Status: "requested", DeadlineAt: t0.Add(48 * time.Hour)}
	if err := svc.Ingest(ctx, ch, orderEvent(models.OrderRefunding, t0.Add(time.Minute), refund)); err != nil {
		t.Fatal(err)
	}
	if err := svc.Ingest(ctx, ch, orderEvent(models.OrderPaid, t0, nil)); err != nil { // stale
		t.Fatal(err)
	}
	if len(w.changes) != 2 || w.after != 2 {
		t.Fatalf("watcher told of %d changes (%d after commit), want 2 and 2", len(w.changes), w.after)
	}
	first, second := w.changes[0], w.changes[1]
	if first.Prev != nil || first.Order.Status != models.OrderPaid || first.ConversationID != 0 || first.Order.ID == 0 {
		t.Errorf("first change = prev %v, order %+v, conversation %d; want a new paid order, no conversation",
			first.Prev, first.Order, first.ConversationID)
	}
	if second.Prev == nil || second.Prev.Status != models.OrderPaid || second.Order.Status != models.OrderRefunding ||
		second.Refund != refund || second.ConversationID == 0 || second.Order.ID != first.Order.ID {
		t.Errorf("second change = %+v; want paid → refunding with the refund and the conversation", second)
	}

	w.fail = errors.New("alert store down")
	if err := svc.Ingest(ctx, ch, orderEvent(models.OrderRefunded, t0.Add(2*time.Minute), nil)); err == nil {
		t.Fatal("ingest succeeded although a watcher failed")
	}
	o, err := db.Order(ctx, 0, first.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != models.OrderRefunding {
		t.Fatalf("after a failed watcher the order is %s, want the change rolled back (refunding)", o.Status)
	}
}
