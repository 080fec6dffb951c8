package apptest

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
)

type complaintView struct {
	ID         string
	Status     string
	Late       bool
	Repeat     bool
	RepeatOf   *string `json:"repeat_of"`
	AgentID    *string `json:"agent_id"`
	OpenedAt   string  `json:"opened_at"`
	DeadlineAt string  `json:"deadline_at"`
	AnsweredAt *string `json:"answered_at"`
}

func complaintsOf(t *testing.T, c *Client, convID string) []complaintView {
	t.Helper()
	var out struct{ Items []complaintView }
	c.Do("GET", "/api/v1/conversations/"+convID+"/complaints", nil, http.StatusOK, &out)
	return out.Items
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// A complaint must be answered (its chat resolved) within 48 hours; one answered after
// that is late, one still open after it is overdue. A buyer's new complaint within 30
// days of an answered one is a repeat complaint; after 30 days it is not.
func TestComplaintDeadlineAndRepeats(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	inst := StartWith(t, Config(t), app.Options{Roles: app.Roles{Serve: true, Work: true}, Now: clock.Now})
	shop := inst.NewShop(t, "complaints", "http://127.0.0.1:9/unused")
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	classify := func(convID, category string) {
		t.Helper()
		shop.Agent.Do("POST", "/api/v1/conversations/"+convID+"/category", map[string]string{"category": category}, http.StatusOK, nil)
	}
	resolve := func(convID string) {
		t.Helper()
		shop.Agent.Do("POST", "/api/v1/conversations/"+convID+"/resolve", nil, http.StatusOK, nil)
	}

	// Answered within the deadline.
	inst.Webhook(t, shop, MessageBody("c-1", "buyer-a", "Ann", "杯子是坏的，我要投诉"))
	a := conversationOf(t, shop, "Ann").ID
	classify(a, "complaint")
	first := complaintsOf(t, shop.Agent, a)
	if len(first) != 1 || first[0].Status != "open" || first[0].Repeat || first[0].AgentID == nil || *first[0].AgentID != shop.AgentID {
		t.Fatalf("after classifying: %+v", first)
	}
	if d := parseTime(t, first[0].DeadlineAt).Sub(parseTime(t, first[0].OpenedAt)); d != 48*time.Hour {
		t.Fatalf("deadline is %s after the complaint, want 48h", d)
	}
	clock.Advance(47 * time.Hour)
	resolve(a)
	got := complaintsOf(t, shop.Agent, a)[0]
	if got.Status != "answered" || got.Late || got.AnsweredAt == nil {
		t.Fatalf("answered after 47 h: %+v", got)
	}

	// Not answered within 48 hours: overdue, then answered late.
	inst.Webhook(t, shop, MessageBody("c-2", "buyer-b", "Bo", "三天了还没发货，投诉"))
	b := conversationOf(t, shop, "Bo").ID
	classify(b, "complaint")
	clock.Advance(48*time.Hour + time.Second)
	if got := complaintsOf(t, shop.Agent, b)[0]; got.Status != "overdue" {
		t.Fatalf("48 h and 1 s after the complaint: %+v, want overdue", got)
	}
	resolve(b)
	if got := complaintsOf(t, shop.Agent, b)[0]; got.Status != "answered" || !got.Late {
		t.Fatalf("answered after the deadline: %+v, want answered late", got)
	}

	// Ann complains again 10 days after her complaint was answered: a repeat complaint.
	clock.Advance(10 * 24 * time.Hour)
	inst.Webhook(t, shop, MessageBody("c-3", "buyer-a", "Ann", "换的新杯子又是坏的"))
	classify(a, "complaint")
	again := complaintsOf(t, shop.Agent, a)
	if len(again) != 2 || !again[1].Repeat || again[1].RepeatOf == nil || *again[1].RepeatOf != first[0].ID {
		t.Fatalf("a new complaint 10 days after the answered one: %+v, want a repeat of %s", again, first[0].ID)
	}
	// Classifying it as a complaint again while it is open does not register another.
	classify(a, "complaint")
	if n := len(complaintsOf(t, shop.Agent, a)); n != 2 {
		t.Fatalf("classifying an open complaint again made %d complaints, want 2", n)
	}
	resolve(a)

	// 31 days after that answer, a new complaint is not a repeat.
	clock.Advance(31 * 24 * time.Hour)
	inst.Webhook(t, shop, MessageBody("c-4", "buyer-a", "Ann", "又来投诉"))
	classify(a, "complaint")
	late := complaintsOf(t, shop.Agent, a)
	if len(late) != 3 || late[2].Repeat || late[2].Status != "open" {
		t.Fatalf("a complaint 31 days after the last answered one: %+v, want a first complaint", late[2])
	}

	// Classified otherwise before an answer, it is withdrawn.
	classify(a, "logistics")
	if got := complaintsOf(t, shop.Agent, a)[2]; got.Status != "withdrawn" {
		t.Fatalf("after reclassifying: %+v, want withdrawn", got)
	}
}
