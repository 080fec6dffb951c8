package apptest

import (
	"net/http"
	"testing"

	"github.com/chatbridge/chatbridge/internal/app"
)

// New chats go to an online agent with the stage's skill, never to a supervisor; with
// nobody online they wait unassigned and are picked up when an agent comes online.
func TestAutoAssignment(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	shop := inst.NewShop(t, "route", "http://127.0.0.1:9/unused")
	shop.Supervisor.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, 200, nil)
	inst.Webhook(t, shop, MessageBody("a-1", "b-1", "Early", "anyone?"))
	var early struct {
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Early").ID, nil, 200, &early)
	if early.AssigneeID != nil {
		t.Fatalf("assigned to %s with no agent online", *early.AssigneeID)
	}
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, 200, nil)
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Early").ID, nil, 200, &early)
	if early.AssigneeID == nil || *early.AssigneeID != shop.AgentID {
		t.Fatalf("waiting chat not picked up by the agent coming online: %v", early.AssigneeID)
	}
	inst.Webhook(t, shop, MessageBody("a-2", "b-2", "Later", "hello"))
	var later struct {
		AssigneeID *string `json:"assignee_id"`
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations/"+conversationOf(t, shop, "Later").ID, nil, 200, &later)
	if later.AssigneeID == nil || *later.AssigneeID != shop.AgentID {
		t.Fatalf("new chat assigned to %v, want the online agent %s", later.AssigneeID, shop.AgentID)
	}
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "asleep"}, 400, nil)
}

type convDetail struct {
	ID, Stage, Status string
	Customer          struct{ ID, Name string }
	Orders            []struct{ ID, Status string }
}

func conversationOf(t *testing.T, shop *Shop, name string) convDetail {
	t.Helper()
	var list struct {
		Items []struct {
			ID       string
			Customer struct{ Name string }
		}
	}
	shop.Supervisor.Do("GET", "/api/v1/conversations?limit=200", nil, http.StatusOK, &list)
	for _, it := range list.Items {
		if it.Customer.Name == name {
			var c convDetail
			shop.Supervisor.Do("GET", "/api/v1/conversations/"+it.ID, nil, http.StatusOK, &c)
			return c
		}
	}
	t.Fatalf("no conversation of %s", name)
	return convDetail{}
}
