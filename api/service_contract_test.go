package api_test

// Contract tests of the service area: inquiry category and complaints, tickets, shift
// handover and the supervisor's reports. Each endpoint is checked for its roles,
// another shop's data (404) and bad input (400 naming the field). The instance runs on
// a test clock so that sections can move time forward.

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
	"github.com/chatbridge/chatbridge/internal/apptest"
)

// startWithClock runs the whole app on a clock of the test's own.
func startWithClock(t *testing.T, clock *apptest.Clock) *env {
	t.Helper()
	cfg := apptest.Config(t)
	inst := apptest.StartWith(t, cfg, app.Options{Roles: app.Roles{Serve: true, Work: true}, Now: clock.Now})
	e := &env{Instance: inst, t: t, cfg: cfg}
	e.admin = e.as(e.login("admin", apptest.AdminPassword))
	return e
}

func TestContractService(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Now().UTC().Truncate(time.Second))
	base := startWithClock(t, clock)
	for _, section := range []struct {
		name string
		run  func(*testing.T, *env, *apptest.Clock)
	}{
		{"inquiry category and complaints", func(t *testing.T, e *env, _ *apptest.Clock) { contractCategory(t, e) }},
		{"tickets", contractTickets},
		{"handovers", contractHandovers},
	} {
		t.Run(section.name, func(t *testing.T) {
			t.Parallel()
			section.run(t, base.with(t), clock)
		})
	}
}

// serviceShop is a shop with its staff for the service sections.
type serviceShop struct {
	id                string
	ch                channel
	cb                *callback
	agent, agent2     user
	sup, packer       user
	otherSup, otherAg user
}

func newServiceShop(t *testing.T, e *env, name string) serviceShop {
	t.Helper()
	cb := newCallback(t, http.StatusOK)
	s := serviceShop{id: e.createShop(name), cb: cb}
	s.ch = e.createChannel(s.id, cb.URL)
	cb.setSecret(s.ch.Secret)
	s.agent = e.createUser(s.id, name+"-agent", "agent", allSkills...)
	s.agent2 = e.createUser(s.id, name+"-agent2", "agent", allSkills...)
	s.sup = e.createUser(s.id, name+"-sup", "supervisor")
	s.packer = e.createUser(s.id, name+"-packer", "packer")
	other := e.createShop(name + "-other")
	s.otherSup = e.createUser(other, name+"-other-sup", "supervisor")
	s.otherAg = e.createUser(other, name+"-other-agent", "agent", allSkills...)
	return s
}

func contractCategory(t *testing.T, e *env) {
	s := newServiceShop(t, e, "category")
	agent, sup := e.as(s.agent), e.as(s.sup)
	agent.do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	e.say(s.ch, "cat-buyer", "买家", "我想问一下发货时间")
	c := sup.find("cat-buyer")
	path := "/api/v1/conversations/" + c.ID + "/category"

	t.Run("an agent classifies the inquiry and the event names them", func(t *testing.T) {
		var got conv
		var raw struct{ Category string }
		_, body := agent.do("POST", path, map[string]string{"category": "logistics"}, http.StatusOK, &got)
		decode(t, body, &raw)
		if got.ID != c.ID || raw.Category != "logistics" {
			t.Fatalf("answered %s", body)
		}
		evs := sup.events(c.ID)
		last := evs[len(evs)-1]
		if last.Kind != "category_changed" || last.ActorID == nil || *last.ActorID != s.agent.ID ||
			last.Data["from"] != "" || last.Data["to"] != "logistics" {
			t.Fatalf("last event %+v", last)
		}
	})

	t.Run("the inbox filters by category", func(t *testing.T) {
		if !containsID(sup.list("category=logistics").Items, c.ID) {
			t.Fatal("category=logistics does not list the chat")
		}
		if containsID(sup.list("category=none").Items, c.ID) || containsID(sup.list("category=order").Items, c.ID) {
			t.Fatal("category=none or =order lists a logistics chat")
		}
		sup.fail("GET", "/api/v1/conversations?category=praise", nil, http.StatusBadRequest, "category")
	})

	t.Run("bad input names the field", func(t *testing.T) {
		agent.fail("POST", path, map[string]string{}, http.StatusBadRequest, "category")
		agent.fail("POST", path, map[string]string{"category": "praise"}, http.StatusBadRequest, "category")
		agent.fail("POST", path, map[string]int{"category": 3}, http.StatusBadRequest, "category")
		agent.fail("POST", path, "{", http.StatusBadRequest)
	})

	t.Run("roles and other shops", func(t *testing.T) {
		e.as(s.packer).fail("POST", path, map[string]string{"category": "order"}, http.StatusForbidden)
		e.as(s.otherSup).fail("POST", path, map[string]string{"category": "order"}, http.StatusNotFound)
		e.as(s.otherSup).fail("GET", "/api/v1/conversations/"+c.ID+"/complaints", nil, http.StatusNotFound)
		e.as(s.otherAg).fail("POST", path, map[string]string{"category": "order"}, http.StatusNotFound)
		if e.as(s.sup).get(c.ID).ID != c.ID {
			t.Fatal("the supervisor lost the chat")
		}
	})

	t.Run("a complaint registers once, with its deadline, and is withdrawn when reclassified", func(t *testing.T) {
		type complaint struct {
			ID, Status string
			AgentID    *string `json:"agent_id"`
			Repeat     bool
		}
		list := func() []complaint {
			var out struct{ Items []complaint }
			agent.do("GET", "/api/v1/conversations/"+c.ID+"/complaints", nil, http.StatusOK, &out)
			return out.Items
		}
		if got := list(); len(got) != 0 {
			t.Fatalf("complaints before any: %+v", got)
		}
		sup.do("POST", path, map[string]string{"category": "complaint"}, http.StatusOK, nil)
		sup.do("POST", path, map[string]string{"category": "complaint"}, http.StatusOK, nil)
		got := list()
		if len(got) != 1 || got[0].Status != "open" || got[0].Repeat || got[0].AgentID == nil || *got[0].AgentID != s.agent.ID {
			t.Fatalf("complaints after classifying twice: %+v (want one, open, counted for the chat's agent %s)", got, s.agent.ID)
		}
		agent.do("POST", path, map[string]string{"category": "return_refund"}, http.StatusOK, nil)
		if got := list(); len(got) != 1 || got[0].Status != "withdrawn" {
			t.Fatalf("after reclassifying: %+v", got)
		}
		kinds := ""
		for _, ev := range sup.events(c.ID) {
			kinds += ev.Kind + " "
		}
		want := "created assigned category_changed category_changed complaint_opened category_changed complaint_withdrawn "
		if kinds != want {
			t.Fatalf("events: %s\nwant   %s", kinds, want)
		}
	})
}
