package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/apptest"
)

type ticketOut struct {
	ID, Status, Title, Category string
	OwnerID                     string  `json:"owner_id"`
	OwnerName                   string  `json:"owner_name"`
	ConversationID              string  `json:"conversation_id"`
	DueAt                       string  `json:"due_at"`
	Overdue                     bool    `json:"overdue"`
	Outcome                     string  `json:"outcome"`
	OutcomeMessageID            *string `json:"outcome_message_id"`
	ClosedBy                    *string `json:"closed_by"`
	Customer                    struct{ ID, Name string }
}

type ticketPage struct {
	Items      []ticketOut
	NextCursor *string `json:"next_cursor"`
}

// Tickets: created from a chat by staff, listed for the shop soonest due first, changed
// while open, closed once with the outcome sent to the buyer; packers have no tickets;
// another shop's tickets are not there; bad input names the field.
func contractTickets(t *testing.T, e *env, clock *apptest.Clock) {
	s := newServiceShop(t, e, "tickets")
	agent, sup, packer, other := e.as(s.agent), e.as(s.sup), e.as(s.packer), e.as(s.otherSup)
	agent.do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	e.say(s.ch, "tk-buyer", "退货买家", "退货寄回去一周了还没退款")
	c := sup.find("tk-buyer")
	convPath := "/api/v1/conversations/" + c.ID + "/tickets"
	due := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	body := func(over map[string]any) map[string]any {
		b := map[string]any{"category": "return_refund", "title": "仓库确认退货入库", "detail": "单号 SF123",
			"owner_id": s.agent2.ID, "due_at": due(4 * time.Hour)}
		for k, v := range over {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}

	var first ticketOut
	agent.do("POST", convPath, body(nil), http.StatusCreated, &first)
	if first.Status != "open" || first.OwnerID != s.agent2.ID || first.OwnerName != s.agent2.Username ||
		first.ConversationID != c.ID || first.Customer.ID != "tk-buyer" || first.Category != "return_refund" || first.Overdue {
		t.Fatalf("created %+v", first)
	}
	var soon ticketOut
	sup.do("POST", convPath, body(map[string]any{"title": "财务打款", "owner_id": s.agent.ID, "due_at": due(time.Hour)}), http.StatusCreated, &soon)

	t.Run("bad input names the field", func(t *testing.T) {
		for field, over := range map[string]map[string]any{
			"category": {"category": "praise"},
			"title":    {"title": " "},
			"owner_id": {"owner_id": nil},
			"due_at":   {"due_at": "tomorrow"},
		} {
			agent.fail("POST", convPath, body(over), http.StatusBadRequest, field)
		}
		agent.fail("POST", convPath, body(map[string]any{"owner_id": "x"}), http.StatusBadRequest, "owner_id")
		agent.fail("POST", convPath, body(map[string]any{"owner_id": s.packer.ID}), http.StatusBadRequest, "owner_id")
		agent.fail("POST", convPath, body(map[string]any{"owner_id": s.otherAg.ID}), http.StatusBadRequest, "owner_id")
		agent.fail("POST", convPath, body(map[string]any{"due_at": due(-time.Minute)}), http.StatusBadRequest, "due_at")
		agent.fail("POST", convPath, body(map[string]any{"due_at": nil}), http.StatusBadRequest, "due_at")
		agent.fail("POST", convPath, body(map[string]any{"title": 5}), http.StatusBadRequest, "title")
		for q, field := range map[string]string{"status=pending": "status", "owner=x": "owner", "overdue=maybe": "overdue",
			"status=closed&overdue=true": "overdue", "limit=0": "limit", "cursor=nope": "cursor"} {
			agent.fail("GET", "/api/v1/tickets?"+q, nil, http.StatusBadRequest, field)
		}
	})

	t.Run("roles and other shops", func(t *testing.T) {
		packer.fail("POST", convPath, body(nil), http.StatusForbidden)
		packer.fail("GET", "/api/v1/tickets", nil, http.StatusForbidden)
		packer.fail("GET", "/api/v1/tickets/"+first.ID, nil, http.StatusForbidden)
		packer.fail("GET", convPath, nil, http.StatusForbidden)
		packer.fail("PATCH", "/api/v1/tickets/"+first.ID, map[string]string{"title": "x"}, http.StatusForbidden)
		packer.fail("POST", "/api/v1/tickets/"+first.ID+"/close", map[string]string{"outcome": "x"}, http.StatusForbidden)
		other.fail("POST", convPath, body(nil), http.StatusNotFound)
		other.fail("GET", convPath, nil, http.StatusNotFound)
		other.fail("GET", "/api/v1/tickets/"+first.ID, nil, http.StatusNotFound)
		other.fail("PATCH", "/api/v1/tickets/"+first.ID, map[string]string{"title": "x"}, http.StatusNotFound)
		other.fail("POST", "/api/v1/tickets/"+first.ID+"/close", map[string]string{"outcome": "x"}, http.StatusNotFound)
		agent.fail("GET", "/api/v1/tickets/999999999", nil, http.StatusNotFound)
		var p ticketPage
		other.do("GET", "/api/v1/tickets", nil, http.StatusOK, &p)
		if len(p.Items) != 0 {
			t.Fatalf("another shop lists %d of this shop's tickets", len(p.Items))
		}
	})

	t.Run("lists: soonest due first, mine, the chat's, paged", func(t *testing.T) {
		var p ticketPage
		agent.do("GET", "/api/v1/tickets", nil, http.StatusOK, &p)
		if len(p.Items) != 2 || p.Items[0].ID != soon.ID || p.Items[1].ID != first.ID {
			t.Fatalf("open tickets %+v, want the one due sooner first", p.Items)
		}
		e.as(s.agent2).do("GET", "/api/v1/tickets?owner=me", nil, http.StatusOK, &p)
		if len(p.Items) != 1 || p.Items[0].ID != first.ID {
			t.Fatalf("owner=me: %+v", p.Items)
		}
		agent.do("GET", "/api/v1/tickets?limit=1", nil, http.StatusOK, &p)
		if len(p.Items) != 1 || p.NextCursor == nil || p.Items[0].ID != soon.ID {
			t.Fatalf("first page %+v", p)
		}
		agent.do("GET", "/api/v1/tickets?limit=1&cursor="+*p.NextCursor, nil, http.StatusOK, &p)
		if len(p.Items) != 1 || p.NextCursor != nil || p.Items[0].ID != first.ID {
			t.Fatalf("second page %+v", p)
		}
		agent.do("GET", convPath, nil, http.StatusOK, &p)
		if len(p.Items) != 2 {
			t.Fatalf("the chat's tickets: %+v", p.Items)
		}
	})

	// Owners are picked from the shop's staff list (GET /users), as transfers are: its
	// agents and supervisors.
	t.Run("owners are the shop's agents and supervisors", func(t *testing.T) {
		var staff struct{ Items []struct{ ID, Role string } }
		agent.do("GET", "/api/v1/users", nil, http.StatusOK, &staff)
		got := map[string]string{}
		for _, o := range staff.Items {
			if o.Role == "agent" || o.Role == "supervisor" {
				got[o.ID] = o.Role
			}
		}
		if len(got) != 3 || got[s.agent.ID] != "agent" || got[s.agent2.ID] != "agent" || got[s.sup.ID] != "supervisor" {
			t.Fatalf("staff %+v, want the two agents and the supervisor among them", staff.Items)
		}
		packer.fail("GET", "/api/v1/users", nil, http.StatusForbidden)
		other.fail("GET", "/api/v1/users?shop_id="+s.id, nil, http.StatusNotFound)
	})

	t.Run("change while open", func(t *testing.T) {
		var got ticketOut
		agent.do("PATCH", "/api/v1/tickets/"+first.ID, map[string]any{"owner_id": s.sup.ID, "title": "仓库确认入库"}, http.StatusOK, &got)
		if got.OwnerID != s.sup.ID || got.Title != "仓库确认入库" {
			t.Fatalf("after the change %+v", got)
		}
		agent.fail("PATCH", "/api/v1/tickets/"+first.ID, map[string]any{"due_at": "soon"}, http.StatusBadRequest, "due_at")
		agent.fail("PATCH", "/api/v1/tickets/"+first.ID, map[string]any{"owner_id": s.packer.ID}, http.StatusBadRequest, "owner_id")
		agent.fail("PATCH", "/api/v1/tickets/"+first.ID, map[string]any{"title": ""}, http.StatusBadRequest, "title")
	})

	t.Run("overdue ones", func(t *testing.T) {
		clock.Advance(90 * time.Minute)
		var p ticketPage
		agent.do("GET", "/api/v1/tickets?overdue=true", nil, http.StatusOK, &p)
		if len(p.Items) != 1 || p.Items[0].ID != soon.ID || !p.Items[0].Overdue {
			t.Fatalf("overdue tickets %+v", p.Items)
		}
	})

	t.Run("close once, telling the buyer", func(t *testing.T) {
		closePath := "/api/v1/tickets/" + soon.ID + "/close"
		agent.fail("POST", closePath, map[string]any{"notify_buyer": true}, http.StatusBadRequest, "outcome")
		e := agent.fail("POST", closePath, map[string]any{"outcome": "已退款", "notify_buyer": true, "message": "这是规定，我有什么办法。"},
			http.StatusUnprocessableEntity)
		if e.Code != "forbidden_phrase" || len(e.Phrases) == 0 {
			t.Fatalf("forbidden phrase answer %+v", e)
		}
		var still ticketOut
		agent.do("GET", "/api/v1/tickets/"+soon.ID, nil, http.StatusOK, &still)
		if still.Status != "open" {
			t.Fatal("a refused close closed the ticket")
		}
		var closed ticketOut
		agent.do("POST", closePath, map[string]any{"outcome": "财务已打款 129 元", "notify_buyer": true}, http.StatusOK, &closed)
		if closed.Status != "closed" || closed.ClosedBy == nil || *closed.ClosedBy != s.agent.ID || closed.OutcomeMessageID == nil {
			t.Fatalf("closed %+v", closed)
		}
		agent.fail("POST", closePath, map[string]any{"outcome": "again"}, http.StatusConflict)
		agent.fail("PATCH", "/api/v1/tickets/"+soon.ID, map[string]any{"title": "x"}, http.StatusConflict)
		apptest.Eventually(t, 10*time.Second, "the outcome message at the platform", func() bool {
			got, _, _ := s.cb.received()
			for _, m := range got {
				if m.Message.ID == *closed.OutcomeMessageID && m.Message.Text == "财务已打款 129 元" {
					return true
				}
			}
			return false
		})
		var p ticketPage
		agent.do("GET", "/api/v1/tickets?status=closed", nil, http.StatusOK, &p)
		if len(p.Items) != 1 || p.Items[0].ID != soon.ID || !strings.Contains(p.Items[0].Outcome, "打款") {
			t.Fatalf("closed tickets %+v", p.Items)
		}
		// Without notify_buyer nothing is sent.
		var quiet ticketOut
		sup.do("POST", "/api/v1/tickets/"+first.ID+"/close", map[string]any{"outcome": "入库无误"}, http.StatusOK, &quiet)
		if quiet.OutcomeMessageID != nil {
			t.Fatalf("a close without notify_buyer sent message %s", *quiet.OutcomeMessageID)
		}
	})

	// The message to the buyer is checked against the shop's own list, as a reply is: a
	// phrase the supervisor added is refused, a standard one they took off is not.
	t.Run("the shop's forbidden phrases", func(t *testing.T) {
		var tk ticketOut
		agent.do("POST", convPath, body(nil), http.StatusCreated, &tk)
		closePath := "/api/v1/tickets/" + tk.ID + "/close"
		var phrases struct{ Items []struct{ ID, Phrase string } }
		sup.do("GET", "/api/v1/forbidden-phrases", nil, http.StatusOK, &phrases)
		for _, p := range phrases.Items {
			if p.Phrase == "大点声,听不见!" {
				sup.do("DELETE", "/api/v1/forbidden-phrases/"+p.ID, nil, http.StatusNoContent, nil)
			}
		}
		sup.do("POST", "/api/v1/forbidden-phrases", map[string]string{"phrase": "找平台去"}, http.StatusCreated, nil)
		e := agent.fail("POST", closePath, map[string]any{"outcome": "已退款", "notify_buyer": true, "message": "退款的事您找 平台去"},
			http.StatusUnprocessableEntity)
		if e.Code != "forbidden_phrase" || len(e.Phrases) != 1 || e.Phrases[0] != "找平台去" {
			t.Fatalf("the shop's own phrase: %+v", e)
		}
		var still ticketOut
		agent.do("GET", "/api/v1/tickets/"+tk.ID, nil, http.StatusOK, &still)
		if still.Status != "open" {
			t.Fatal("a close refused for the shop's phrase closed the ticket")
		}
		var closed ticketOut
		agent.do("POST", closePath, map[string]any{"outcome": "已退款", "notify_buyer": true, "message": "大点声，听不见！"}, http.StatusOK, &closed)
		if closed.Status != "closed" || closed.OutcomeMessageID == nil {
			t.Fatalf("a phrase the shop took off its list refused the close: %+v", closed)
		}
	})
}
