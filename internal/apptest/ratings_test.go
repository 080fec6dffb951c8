package apptest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
)

type eventView struct {
	Kind    string
	ActorID *string `json:"actor_id"`
	Data    map[string]any
}

func eventsOf(t *testing.T, c *Client, convID string) []eventView {
	t.Helper()
	var out struct{ Items []eventView }
	c.Do("GET", "/api/v1/conversations/"+convID+"/events", nil, http.StatusOK, &out)
	return out.Items
}

func eventsOfKind(evs []eventView, kind string) []eventView {
	var out []eventView
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// With the invitation on, resolving a chat sends the buyer the shop's rating invitation
// through the channel, from the agent; the buyer's next message, a 1–5 within 24 hours,
// is recorded against the agent (and still reopens the chat). After 24 hours, or after
// another message first, an answer is not taken. With the invitation off, nothing is sent.
func TestRatingInvitationAndAnswer(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Now().UTC().Truncate(time.Second))
	inst := StartWith(t, Config(t), app.Options{Roles: app.Roles{Serve: true, Work: true}, Now: clock.Now})
	rec := &callbackRecorder{t: t}
	platform := httptest.NewServer(rec)
	t.Cleanup(platform.Close)
	shop := inst.NewShop(t, "ratings", platform.URL)
	rec.secret = shop.Secret
	shop.Agent.Do("POST", "/api/v1/me/status", map[string]string{"status": "online"}, http.StatusOK, nil)
	sent := func(text string) int {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		n := 0
		for _, ev := range rec.events {
			if m, ok := ev["message"].(map[string]any); ok && m["text"] == text {
				n++
			}
		}
		return n
	}
	chat := func(buyer, name string) string {
		t.Helper()
		inst.Webhook(t, shop, MessageBody(buyer+"-q", buyer, name, "请问什么时候发货"))
		id := conversationOf(t, shop, name).ID
		shop.Agent.Do("POST", "/api/v1/conversations/"+id+"/messages", map[string]string{"text": "今天下午发货"}, http.StatusAccepted, nil)
		return id
	}
	resolve := func(id string) {
		t.Helper()
		shop.Agent.Do("POST", "/api/v1/conversations/"+id+"/resolve", nil, http.StatusOK, nil)
	}

	// Off by default: no invitation.
	off := chat("buyer-off", "Off")
	resolve(off)
	if got := eventsOfKind(eventsOf(t, shop.Supervisor, off), "rating_invited"); len(got) != 0 {
		t.Fatalf("an invitation went out with the setting off: %+v", got)
	}

	const invitation = "本次服务您满意吗？请回复 1-5 分"
	shop.Supervisor.Do("PUT", "/api/v1/settings/service", map[string]any{"rating_invitation": true, "rating_invitation_text": invitation}, http.StatusOK, nil)

	// Answered with a full-width 5 an hour later: recorded for the agent.
	a := chat("buyer-a", "Amy")
	resolve(a)
	Eventually(t, 10*time.Second, "the invitation to reach the platform", func() bool { return sent(invitation) == 1 })
	var msgs struct {
		Items []struct{ Text, Status, Sender, Direction string }
	}
	Eventually(t, 10*time.Second, "the invitation to show as sent by the agent", func() bool {
		shop.Agent.Do("GET", "/api/v1/conversations/"+a+"/messages", nil, http.StatusOK, &msgs)
		last := msgs.Items[len(msgs.Items)-1]
		return last.Text == invitation && last.Status == "sent" && last.Direction == "out" && strings.Contains(last.Sender, "007")
	})
	clock.Advance(time.Hour)
	inst.Webhook(t, shop, MessageBody("buyer-a-r", "buyer-a", "Amy", "５"))
	rated := eventsOfKind(eventsOf(t, shop.Agent, a), "rated")
	if len(rated) != 1 || rated[0].Data["score"] != float64(5) || rated[0].Data["agent_id"] != shop.AgentID {
		t.Fatalf("rated events %+v, want one of 5 for agent %s", rated, shop.AgentID)
	}
	if c := conversationOf(t, shop, "Amy"); c.Status != "open" {
		t.Fatalf("the answer left the chat %s, want it reopened", c.Status)
	}
	// A later 1 is a chat message, not a second rating.
	inst.Webhook(t, shop, MessageBody("buyer-a-r2", "buyer-a", "Amy", "1"))
	if n := len(eventsOfKind(eventsOf(t, shop.Agent, a), "rated")); n != 1 {
		t.Fatalf("%d ratings after a second digit, want 1", n)
	}

	// Answered 24 hours and a second after the invitation: not recorded.
	b := chat("buyer-b", "Bob")
	resolve(b)
	clock.Advance(24*time.Hour + time.Second)
	inst.Webhook(t, shop, MessageBody("buyer-b-r", "buyer-b", "Bob", "5"))
	if got := eventsOfKind(eventsOf(t, shop.Agent, b), "rated"); len(got) != 0 {
		t.Fatalf("a rating after 24 h was recorded: %+v", got)
	}

	// Another message first: the invitation is closed, a later digit is no rating.
	c := chat("buyer-c", "Cat")
	resolve(c)
	inst.Webhook(t, shop, MessageBody("buyer-c-1", "buyer-c", "Cat", "还有个问题"))
	inst.Webhook(t, shop, MessageBody("buyer-c-2", "buyer-c", "Cat", "4"))
	if got := eventsOfKind(eventsOf(t, shop.Agent, c), "rated"); len(got) != 0 {
		t.Fatalf("a digit after another message was recorded: %+v", got)
	}
	// The word scale: 满意 is a 4, within the window.
	resolve(c)
	inst.Webhook(t, shop, MessageBody("buyer-c-3", "buyer-c", "Cat", "满意"))
	if got := eventsOfKind(eventsOf(t, shop.Agent, c), "rated"); len(got) != 1 || got[0].Data["score"] != float64(4) {
		t.Fatalf("满意 gave %+v, want a 4", got)
	}
	Eventually(t, 10*time.Second, "four invitations at the platform, one per resolve with the setting on", func() bool {
		return sent(invitation) == 4
	})
}
