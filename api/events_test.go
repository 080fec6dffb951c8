package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type convEvent struct {
	Kind    string
	ActorID *string `json:"actor_id"`
	Data    map[string]any
}

func (a *api) events(convID string) []convEvent {
	a.t.Helper()
	var out struct{ Items []convEvent }
	a.do("GET", "/api/v1/conversations/"+convID+"/events", nil, http.StatusOK, &out)
	return out.Items
}

func describe(evs []convEvent) string {
	var parts []string
	for _, e := range evs {
		actor := "system"
		if e.ActorID != nil {
			actor = *e.ActorID
		}
		part := e.Kind + " by " + actor
		if by, ok := e.Data["by"]; ok {
			part += fmt.Sprintf(" (%v)", by)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// The thread's system events: creation, routing, a manual transfer, an order-driven
// stage change, a resolve and the buyer's reopening, each with who did it.
func contractConversationEvents(t *testing.T, e *env) {
	cb := newCallback(t, http.StatusOK)
	shop := e.createShop("events")
	ch := e.createChannel(shop, cb.URL)
	cb.setSecret(ch.Secret)
	a1 := e.createUser(shop, "events-a1", "agent", allSkills...)
	a2 := e.createUser(shop, "events-a2", "agent", allSkills...)
	sup := e.as(e.createUser(shop, "events-sup", "supervisor"))
	e.as(a1).do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)

	e.say(ch, "ev-buyer", "买家", "在吗")
	c := sup.find("ev-buyer")
	if c.AssigneeID == nil || *c.AssigneeID != a1.ID {
		t.Fatalf("the chat went to %v, want the online agent %s", c.AssigneeID, a1.ID)
	}
	sup.do("POST", "/api/v1/conversations/"+c.ID+"/assign", map[string]string{"assignee_id": a2.ID}, http.StatusOK, nil)
	e.order(ch, "EV-1", "ev-buyer", "paid", time.Now().UTC())
	e.as(a2).do("POST", "/api/v1/conversations/"+c.ID+"/resolve", nil, http.StatusOK, nil)
	// The previous agent is online when the buyer writes again: the chat stays theirs.
	e.as(a2).do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	e.say(ch, "ev-buyer", "买家", "还有一个问题")

	got := describe(sup.events(c.ID))
	want := "created by system, assigned by system (routing), assigned by " + sup.tok2id(t) +
		" (manual), stage_changed by system (order), resolved by " + a2.ID + ", reopened by system (buyer)"
	if got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	other := e.as(e.createUser(e.createShop("events-other"), "events-other-sup", "supervisor"))
	other.fail("GET", "/api/v1/conversations/"+c.ID+"/events", nil, http.StatusNotFound)
}

// tok2id answers the id of the user the api acts as.
func (a *api) tok2id(t *testing.T) string {
	t.Helper()
	var me struct{ ID string }
	a.do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	return me.ID
}
