package tickets_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/alerts"
	"github.com/chatbridge/chatbridge/internal/realtime"
	"github.com/chatbridge/chatbridge/internal/settings"
	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/internal/testenv"
	"github.com/chatbridge/chatbridge/internal/tickets"
	"github.com/chatbridge/chatbridge/models"
)

// announced counts the alert.created events the alert service publishes, per kind.
type announced struct {
	mu    sync.Mutex
	kinds map[string]int
}

func (a *announced) Publish(_ context.Context, ev realtime.Event) error {
	if ev.Type != realtime.AlertCreated {
		return nil
	}
	var v struct{ Kind string }
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kinds[v.Kind]++
	return nil
}

func (a *announced) count(kind string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kinds[kind]
}

// outbox records the messages a closing ticket sends; the app tests use the real inbox.
type outbox struct{ sent []*models.Message }

func (o *outbox) QueueOutbound(ctx context.Context, tx *store.DB, conv *models.Conversation, sender *models.User, text string, override bool) (*models.Message, func(context.Context), error) {
	m := &models.Message{ShopID: conv.ShopID, ChannelID: conv.ChannelID, ConversationID: conv.ID, Direction: models.DirectionOut,
		Type: "text", Text: text, Status: models.MessagePending, SenderID: &sender.ID}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return nil, nil, err
	}
	return m, func(context.Context) { o.sent = append(o.sent, m) }, nil
}
func newService(db *store.DB, pub *announced, out *outbox, now time.Time) *tickets.Service {
	log := slog.New(slog.DiscardHandler)
	return tickets.NewService(db, settings.NewService(db, time.Minute), out, alerts.NewService(db, pub, log), log,
		func() time.Time { return now })
}

type fixture struct {
	shop  *models.Shop
	conv  *store.ConversationRow
	agent *models.User
	owner *models.User
}

func seed(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	shop, err := db.CreateShop(ctx, "工单店")
	if err != nil {
		t.Fatal(err)
	}
	ch := &models.Channel{ShopID: shop.ID, Type: "generic", Name: "web", ConfigEnc: []byte("x"), SecretEnc: []byte("y")}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	cust, err := db.EnsureCustomer(ctx, shop.ID, ch.ID, "buyer-1", "小林")
	if err != nil {
		t.Fatal(err)
	}
	conv := &models.Conversation{ShopID: shop.ID, ChannelID: ch.ID, CustomerID: cust.ID,
		Stage: models.StageAfterSale, Status: models.StatusOpen, LastMessageAt: time.Now().UTC()}
	if _, err := db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	row, err := db.ConversationRow(ctx, shop.ID, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string, role models.Role) *models.User {
		u := &models.User{ShopID: &shop.ID, Username: name, PasswordHash: "x", Role: role, DisplayName: name}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	return fixture{shop: shop, conv: row, agent: user("t-agent", models.RoleAgent), owner: user("t-owner", models.RoleAgent)}
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// The owner hears once when the ticket comes due (60 min before, the default) and once
// when it is overdue; nothing before; a closed ticket is not reminded; a new due time
// brings both reminders back.
func TestRemindersComeOnceAtTheirTimes(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seed(t, db)
		pub, out := &announced{kinds: map[string]int{}}, &outbox{}
		svc := newService(db, pub, out, t0)
		tk, err := svc.Create(ctx, f.agent, f.conv, tickets.NewTicket{Category: models.CategoryLogistics,
			Title: "联系快递查件", OwnerID: f.owner.ID, DueAt: t0.Add(3 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if !tk.RemindAt.Equal(t0.Add(2 * time.Hour)) {
			t.Fatalf("remind at %s, want an hour before the due time", tk.RemindAt)
		}
		if pub.count(tickets.AlertAssigned) != 1 {
			t.Fatalf("the owner was told %d times of the new ticket", pub.count(tickets.AlertAssigned))
		}
		remind := func(at time.Time) int {
			t.Helper()
			n, err := svc.Remind(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := remind(t0.Add(2*time.Hour - time.Second)); n != 0 {
			t.Fatalf("%d reminders a second before the reminder time", n)
		}
		if n := remind(t0.Add(2 * time.Hour)); n != 1 || pub.count(tickets.AlertDue) != 1 {
			t.Fatalf("at the reminder time: %d sent, %d due alerts", n, pub.count(tickets.AlertDue))
		}
		if n := remind(t0.Add(2*time.Hour + 30*time.Minute)); n != 0 {
			t.Fatalf("the due reminder went out again (%d)", n)
		}
		if n := remind(t0.Add(3 * time.Hour)); n != 1 || pub.count(tickets.AlertOverdue) != 1 {
			t.Fatalf("at the due time: %d sent, %d overdue alerts", n, pub.count(tickets.AlertOverdue))
		}
		if n := remind(t0.Add(5 * time.Hour)); n != 0 {
			t.Fatalf("the overdue reminder went out again (%d)", n)
		}
		due, err := db.ListAlerts(ctx, store.AlertFilter{ShopID: f.shop.ID, Kinds: []string{tickets.AlertDue, tickets.AlertOverdue}})
		if err != nil || len(due) != 2 {
			t.Fatalf("stored reminders: %d (%v)", len(due), err)
		}
		for _, a := range due {
			if a.UserID == nil || *a.UserID != f.owner.ID || a.Audience != models.RoleAgent || a.ConversationID == nil || *a.ConversationID != f.conv.ID {
				t.Errorf("reminder %s is for user %v (%s) on conversation %v; want the owner %d", a.Kind, a.UserID, a.Audience, a.ConversationID, f.owner.ID)
			}
		}

		// A new due time brings both reminders back, for the new time.
		row, _ := db.Ticket(ctx, f.shop.ID, tk.ID)
		later := newService(db, pub, out, t0.Add(5*time.Hour))
		newDue := t0.Add(8 * time.Hour)
		if err := later.Update(ctx, f.agent, row, tickets.Change{DueAt: &newDue}); err != nil {
			t.Fatal(err)
		}
		if n := remind(t0.Add(7 * time.Hour)); n != 1 || pub.count(tickets.AlertDue) != 2 {
			t.Fatalf("after rescheduling, at the new reminder time: %d sent, %d due alerts in all", n, pub.count(tickets.AlertDue))
		}

		// Closed, it is not reminded when overdue; closing twice is a conflict.
		row, _ = db.Ticket(ctx, f.shop.ID, tk.ID)
		if err := later.Close(ctx, f.owner, row, tickets.Closing{Outcome: "快递已找回，明天送达", NotifyBuyer: true}); err != nil {
			t.Fatal(err)
		}
		if len(out.sent) != 1 || out.sent[0].Text != "快递已找回，明天送达" || *out.sent[0].SenderID != f.owner.ID {
			t.Fatalf("the buyer was sent %+v, want the outcome from the owner", out.sent)
		}
		if n := remind(t0.Add(9 * time.Hour)); n != 0 {
			t.Fatalf("a closed ticket was reminded (%d)", n)
		}
		var confl *models.ConflictError
		if err := later.Close(ctx, f.owner, row, tickets.Closing{Outcome: "again"}); !errors.As(err, &confl) {
			t.Fatalf("closing twice: %v, want a conflict", err)
		}
		closed, _ := db.Ticket(ctx, f.shop.ID, tk.ID)
		if closed.Status != models.TicketClosed || closed.ClosedBy == nil || *closed.ClosedBy != f.owner.ID ||
			closed.OutcomeMessageID == nil || *closed.OutcomeMessageID != out.sent[0].ID || closed.Outcome != "快递已找回，明天送达" {
			t.Fatalf("closed ticket %+v", closed.Ticket)
		}
	})
}

// A ticket the sweep first sees past its due time gets the overdue reminder only.
func TestALateSweepSendsOnlyTheOverdueReminder(t *testing.T) {
	testenv.Stores(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seed(t, db)
		pub, out := &announced{kinds: map[string]int{}}, &outbox{}
		svc := newService(db, pub, out, t0)
		if _, err := svc.Create(ctx, f.agent, f.conv, tickets.NewTicket{Category: models.CategoryOrder,
			Title: "补发赠品", OwnerID: f.owner.ID, DueAt: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		n, err := svc.Remind(ctx, t0.Add(6*time.Hour))
		if err != nil || n != 1 || pub.count(tickets.AlertOverdue) != 1 || pub.count(tickets.AlertDue) != 0 {
			t.Fatalf("late sweep: %d sent (%v), overdue %d, due %d", n, err, pub.count(tickets.AlertOverdue), pub.count(tickets.AlertDue))
		}
		if n, _ := svc.Remind(ctx, t0.Add(7*time.Hour)); n != 0 {
			t.Fatalf("the next sweep sent %d more", n)
		}
	})
}

// Two worker processes sweeping at the same moment send each reminder once.
func TestTwoProcessesSweepingSendEachReminderOnce(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.MySQLDSN(t)
	open := func() *store.DB {
		db, err := store.Open(ctx, store.Options{MySQLDSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1, db2 := open(), open()
	f := seed(t, db1)
	pub, out := &announced{kinds: map[string]int{}}, &outbox{}
	creator := newService(db1, pub, out, t0)
	for i := range 20 {
		_, err := creator.Create(ctx, f.agent, f.conv, tickets.NewTicket{Category: models.CategoryReturnRefund,
			Title: "退款审核", OwnerID: f.owner.ID, DueAt: t0.Add(time.Duration(90+i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i, db := range []*store.DB{db1, db2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := newService(db, pub, out, at).Remind(ctx, at)
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			}()
		}
		wg.Wait()
		if sent[0]+sent[1] != 20 {
			t.Fatalf("at %s the two processes sent %d and %d reminders, want 20 in all", at, sent[0], sent[1])
		}
	}
	if pub.count(tickets.AlertDue) != 20 || pub.count(tickets.AlertOverdue) != 20 {
		t.Fatalf("announced %d due and %d overdue reminders, want 20 each", pub.count(tickets.AlertDue), pub.count(tickets.AlertOverdue))
	}
}

func TestCreateRefusesBadInputNamingTheField(t *testing.T) {
	db := testenv.SQLite(t)
	ctx := context.Background()
	f := seed(t, db)
	pub := &announced{kinds: map[string]int{}}
	svc := newService(db, pub, &outbox{}, t0)
	packer := &models.User{ShopID: &f.shop.ID, Username: "packer", PasswordHash: "x", Role: models.RolePacker}
	if err := db.CreateUser(ctx, packer); err != nil {
		t.Fatal(err)
	}
	good := tickets.NewTicket{Category: models.CategoryOrder, Title: "改发顺丰", OwnerID: f.owner.ID, DueAt: t0.Add(time.Hour)}
	for field, change := range map[string]func(*tickets.NewTicket){
		"category": func(n *tickets.NewTicket) { n.Category = "praise" },
		"title":    func(n *tickets.NewTicket) { n.Title = "  " },
		"owner_id": func(n *tickets.NewTicket) { n.OwnerID = packer.ID },
		"due_at":   func(n *tickets.NewTicket) { n.DueAt = t0.Add(-time.Minute) },
		"detail":   func(n *tickets.NewTicket) { n.Detail = string(make([]rune, 2001)) },
	} {
		in := good
		change(&in)
		_, err := svc.Create(ctx, f.agent, f.conv, in)
		var inv *models.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s: %v, want an error naming %s", field, err, field)
		}
	}
	if rows, _, _ := db.ListTickets(ctx, store.TicketFilter{ShopID: f.shop.ID}); len(rows) != 0 {
		t.Fatalf("refused tickets were stored: %d", len(rows))
	}
}
