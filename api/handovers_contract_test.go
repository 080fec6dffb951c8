package api_test

import (
	"net/http"
	"testing"

	"github.com/chatbridge/chatbridge/internal/apptest"
)

// Handovers: an agent ends their own shift, a supervisor may end an agent's; packers
// have none; bad input names the field; another shop's notes are not listed.
func contractHandovers(t *testing.T, e *env, _ *apptest.Clock) {
	s := newServiceShop(t, e, "handovers")
	agent, sup, packer := e.as(s.agent), e.as(s.sup), e.as(s.packer)
	agent.do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	e.say(s.ch, "ho-buyer", "交接买家", "在吗")
	c := sup.find("ho-buyer")

	t.Run("bad input names the field", func(t *testing.T) {
		agent.fail("POST", "/api/v1/handovers", map[string]any{"note": " "}, http.StatusBadRequest, "note")
		agent.fail("POST", "/api/v1/handovers", map[string]any{"note": "x", "items": []map[string]string{{"conversation_id": "abc"}}},
			http.StatusBadRequest, "items[0].conversation_id")
		agent.fail("POST", "/api/v1/handovers", map[string]any{"note": "x", "items": []map[string]string{{"conversation_id": "999999"}}},
			http.StatusBadRequest, "items")
		agent.fail("POST", "/api/v1/handovers", map[string]any{"note": "x", "user_id": s.agent2.ID}, http.StatusBadRequest, "user_id")
		sup.fail("POST", "/api/v1/handovers", map[string]any{"note": "x", "user_id": s.otherAg.ID}, http.StatusBadRequest, "user_id")
		sup.fail("POST", "/api/v1/handovers", map[string]any{"note": "x", "user_id": s.packer.ID}, http.StatusBadRequest, "user_id")
		agent.fail("POST", "/api/v1/handovers", map[string]any{"note": 7}, http.StatusBadRequest, "note")
		e.admin.fail("POST", "/api/v1/handovers", map[string]any{"note": "x"}, http.StatusBadRequest, "user_id")
		agent.fail("GET", "/api/v1/handovers?limit=0", nil, http.StatusBadRequest, "limit")
		agent.fail("GET", "/api/v1/handovers?before=x", nil, http.StatusBadRequest, "before")
		e.admin.fail("GET", "/api/v1/handovers", nil, http.StatusBadRequest, "shop_id")
		// Nothing was handed over by the refused requests.
		if got := sup.get(c.ID); got.AssigneeID == nil || *got.AssigneeID != s.agent.ID {
			t.Fatalf("a refused handover moved the chat: %+v", got.AssigneeID)
		}
	})

	t.Run("roles", func(t *testing.T) {
		packer.fail("POST", "/api/v1/handovers", map[string]any{"note": "x"}, http.StatusForbidden)
		packer.fail("GET", "/api/v1/handovers", nil, http.StatusForbidden)
	})

	t.Run("a supervisor ends an agent's shift; the shop reads it, another shop does not", func(t *testing.T) {
		var h struct {
			ID        string
			UserID    string `json:"user_id"`
			CreatedBy string `json:"created_by"`
			Items     []struct {
				ConversationID string  `json:"conversation_id"`
				ToUserID       *string `json:"to_user_id"`
				Customer       struct{ ID string }
			}
		}
		sup.do("POST", "/api/v1/handovers", map[string]any{"note": "代交接：买家要发票", "user_id": s.agent.ID,
			"items": []map[string]string{{"conversation_id": c.ID, "note": "开发票"}}}, http.StatusCreated, &h)
		if h.UserID != s.agent.ID || h.CreatedBy != s.sup.ID || len(h.Items) != 1 || h.Items[0].ConversationID != c.ID ||
			h.Items[0].ToUserID != nil || h.Items[0].Customer.ID != "ho-buyer" {
			t.Fatalf("handover %+v", h)
		}
		var list struct{ Items []struct{ ID string } }
		e.as(s.agent2).do("GET", "/api/v1/handovers", nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != h.ID {
			t.Fatalf("the shop lists %+v", list.Items)
		}
		e.admin.do("GET", "/api/v1/handovers?shop_id="+s.id, nil, http.StatusOK, &list)
		if len(list.Items) != 1 {
			t.Fatalf("the admin lists %+v", list.Items)
		}
		e.as(s.otherSup).do("GET", "/api/v1/handovers", nil, http.StatusOK, &list)
		if len(list.Items) != 0 {
			t.Fatalf("another shop lists %+v", list.Items)
		}
		e.as(s.otherSup).fail("GET", "/api/v1/handovers?shop_id="+s.id, nil, http.StatusNotFound)
		// An agent with no open chats may still leave a note.
		var own struct{ Items []any }
		e.as(s.agent2).do("POST", "/api/v1/handovers", map[string]any{"note": "无未结会话"}, http.StatusCreated, &own)
		if len(own.Items) != 0 {
			t.Fatalf("an agent without chats handed on %d", len(own.Items))
		}
	})
}
