package apptest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
)

type ticketView struct {
	ID, Status, Title string
	Overdue           bool
	OwnerID           string  `json:"owner_id"`
	DueAt             string  `json:"due_at"`
	Outcome           string  `json:"outcome"`
	OutcomeMessageID  *string `json:"outcome_message_id"`
}

// A ticket's owner is told of it, reminded once as it comes due and once when it is
// overdue — with two worker processes sweeping on the same clock — and closing it tells
// the buyer the outcome through the channel.
func TestTicketRemindersAndOutcome(t *testing.T) {
	t.Parallel()
	cfg := Config(t)
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	opts := func(roles app.Roles) app.Options {
		return app.Options{Roles: roles, Now: clock.Now, SweepEvery: 100 * time.Millisecond}
	}
	inst := StartWith(t, cfg, opts(app.Roles{Serve: true, Work: true}))
	StartWith(t, cfg, opts(app.Roles{Work: true})) // a second worker process

	rec := &callbackRecorder{t: t}
	platform := httptest.NewServer(rec)
	t.Cleanup(platform.Close)
	shop := inst.NewShop(t, "tickets", platform.URL)
	rec.secret = shop.Secret
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	agentSocket := dial(t, inst, shop.Agent, "")
	agentSocket.next("ready", "")

	inst.Webhook(t, shop, MessageBody("t-1", "buyer-t", "Tao", "快递三天没动了"))
	convID := conversationOf(t, shop, "Tao").ID
	due := clock.Now().Add(2 * time.Hour).Truncate(time.Second)
	var tk ticketView
	shop.Supervisor.Do("POST", "/api/v1/conversations/"+convID+"/tickets", map[string]any{
		"category": "logistics", "title": "联系顺丰查件", "owner_id": shop.AgentID, "due_at": due.Format(time.RFC3339)},
		http.StatusCreated, &tk)
	if tk.Status != "open" || tk.OwnerID != shop.AgentID || parseTime(t, tk.DueAt) != due {
		t.Fatalf("created %+v", tk)
	}
	agentSocket.next("alert.created", `"kind":"ticket_assigned"`)

	// An hour and a minute later the ticket comes due within the hour: one reminder.
	clock.Advance(61 * time.Minute)
	agentSocket.next("alert.created", `"kind":"ticket_due"`)
	// At its due time: one overdue reminder; meanwhile no second "due".
	clock.Advance(60 * time.Minute)
	for {
		ev := agentSocket.next("alert.created", `"kind":"ticket_`)
		if strings.Contains(string(ev.Data), `"kind":"ticket_overdue"`) {
			break
		}
		t.Fatalf("a second reminder before the overdue one: %s", ev.Data)
	}
	agentSocket.none(`"kind":"ticket_`)
	var alerts struct {
		Items []struct{ Kind, Summary string }
	}
	shop.Agent.Do("GET", "/api/v1/alerts?kind=ticket_overdue", nil, http.StatusOK, &alerts)
	if len(alerts.Items) != 1 || !strings.Contains(alerts.Items[0].Summary, "联系顺丰查件") {
		t.Fatalf("overdue alerts of the agent: %+v", alerts.Items)
	}
	shop.Agent.Do("GET", "/api/v1/alerts?kind=ticket_due", nil, http.StatusOK, &alerts)
	if len(alerts.Items) != 1 {
		t.Fatalf("due alerts of the agent: %+v", alerts.Items)
	}
	shop.Agent.Do("GET", "/api/v1/tickets/"+tk.ID, nil, http.StatusOK, &tk)
	if !tk.Overdue {
		t.Fatalf("the ticket is not shown overdue: %+v", tk)
	}

	// Closing it tells the buyer the outcome, from the agent who closed it.
	const outcome = "已联系顺丰，包裹明天送达"
	shop.Agent.Do("POST", "/api/v1/tickets/"+tk.ID+"/close", map[string]any{"outcome": outcome, "notify_buyer": true},
		http.StatusOK, &tk)
	if tk.Status != "closed" || tk.Outcome != outcome || tk.OutcomeMessageID == nil {
		t.Fatalf("closed %+v", tk)
	}
	Eventually(t, 10*time.Second, "the outcome to reach the platform", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, ev := range rec.events {
			if m, ok := ev["message"].(map[string]any); ok && m["text"] == outcome && m["id"] == *tk.OutcomeMessageID {
				return true
			}
		}
		return false
	})
	var msgs struct {
		Items []struct{ ID, Text, Status, Sender string }
	}
	Eventually(t, 10*time.Second, "the outcome to show as sent", func() bool {
		shop.Agent.Do("GET", "/api/v1/conversations/"+convID+"/messages", nil, http.StatusOK, &msgs)
		last := msgs.Items[len(msgs.Items)-1]
		return last.ID == *tk.OutcomeMessageID && last.Status == "sent" && strings.Contains(last.Sender, "007")
	})
	var evs struct{ Items []struct{ Kind string } }
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+convID+"/events", nil, http.StatusOK, &evs)
	var kinds []string
	for _, e := range evs.Items {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); !strings.Contains(got, "ticket_created") || !strings.HasSuffix(got, "ticket_closed") {
		t.Fatalf("events %s, want ticket_created ... ticket_closed", got)
	}
	// Closed, it is no longer reminded.
	clock.Advance(24 * time.Hour)
	agentSocket.none(`"kind":"ticket_`)
}
