package apptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
)

type channelSettings struct {
	ID, Type, Name string
	WebhookURL     string            `json:"webhook_url"`
	Config         map[string]string `json:"config"`
	SecretsSet     []string          `json:"secrets_set"`
	LastInAt       *string           `json:"last_in_at"`
	LastOutAt      *string           `json:"last_out_at"`
	LastError      string            `json:"last_error"`
	Abilities      map[string]any    `json:"abilities"`
}

func channelByID(t *testing.T, c *Client, id string) channelSettings {
	t.Helper()
	var list struct{ Items []channelSettings }
	c.Do("GET", "/api/v1/channels", nil, http.StatusOK, &list)
	for _, ch := range list.Items {
		if ch.ID == id {
			return ch
		}
	}
	t.Fatalf("channel %s is not listed: %+v", id, list.Items)
	return channelSettings{}
}

// The channel settings API on the real app: the types listing, an edit that keeps the
// channel's secret and moves its replies, a connection test that reports the relay's
// answer, health fields that move with traffic, and who may do what.
func TestChannelSettings(t *testing.T) {
	t.Parallel()
	inst := Start(t, Config(t), app.Roles{Serve: true, Work: true})
	first := &callbackRecorder{t: t}
	relay1 := httptest.NewServer(first)
	defer relay1.Close()
	second := &callbackRecorder{t: t}
	relay2 := httptest.NewServer(second)
	defer relay2.Close()
	shop := inst.NewShop(t, "settings", relay1.URL)
	first.secret, second.secret = shop.Secret, shop.Secret
	other := inst.NewShop(t, "settings-other", relay1.URL)

	t.Run("types", func(t *testing.T) {
		var types struct {
			Items []struct {
				Type      string
				Described bool
				Fields    []struct {
					Key, Label string
					LabelZH    string `json:"label_zh"`
					Secret     bool
					Required   bool
				}
				Abilities map[string]any
			}
		}
		shop.Supervisor.Do("GET", "/api/v1/channel-types", nil, http.StatusOK, &types)
		var found bool
		for _, ty := range types.Items {
			if ty.Type != "generic" {
				continue
			}
			found = true
			if !ty.Described || len(ty.Fields) != 1 || ty.Fields[0].Key != "callback_url" || !ty.Fields[0].Required || ty.Fields[0].LabelZH != "回调地址" {
				t.Fatalf("generic fields %+v", ty.Fields)
			}
			for k, want := range map[string]any{"chat": true, "sends_images": true, "receives_images": true, "test_connection": true,
				"pull": false, "register_webhook": false, "note_write_back": true, "reply_window_seconds": float64(0)} {
				if ty.Abilities[k] != want {
					t.Errorf("generic ability %s = %v, want %v", k, ty.Abilities[k], want)
				}
			}
		}
		if !found {
			t.Fatalf("generic is not among the types: %+v", types.Items)
		}
		shop.Agent.Do("GET", "/api/v1/channel-types", nil, http.StatusForbidden, nil)
	})

	t.Run("list: settings for supervisors, a summary for agents", func(t *testing.T) {
		ch := channelByID(t, shop.Supervisor, shop.ChannelID)
		if ch.WebhookURL != shop.WebhookURL || ch.Config["callback_url"] != relay1.URL || len(ch.SecretsSet) != 0 || ch.LastInAt != nil {
			t.Fatalf("supervisor sees %+v", ch)
		}
		_, raw := shop.Agent.Do("GET", "/api/v1/channels", nil, http.StatusOK, nil)
		if strings.Contains(string(raw), relay1.URL) || strings.Contains(string(raw), "webhook_url") || !strings.Contains(string(raw), `"sends_images":true`) {
			t.Fatalf("an agent sees %s", raw)
		}
		if strings.Contains(string(raw), shop.Secret) {
			t.Fatal("the channel list shows the secret")
		}
	})

	t.Run("health moves with traffic", func(t *testing.T) {
		if status, body := inst.Webhook(t, shop, MessageBody("h-1", "buyer-h", "Hu", "在吗")); status != http.StatusOK {
			t.Fatalf("webhook: %d %s", status, body)
		}
		ch := channelByID(t, shop.Supervisor, shop.ChannelID)
		if ch.LastInAt == nil || ch.LastOutAt != nil {
			t.Fatalf("after a message in: %+v", ch)
		}
		in, _ := time.Parse(time.RFC3339Nano, *ch.LastInAt)
		if time.Since(in) > time.Minute {
			t.Fatalf("last_in_at %s is not recent", *ch.LastInAt)
		}
		var list struct{ Items []struct{ ID string } }
		shop.Agent.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
		shop.Agent.Do("POST", "/api/v1/conversations/"+list.Items[0].ID+"/messages", map[string]string{"type": "text", "text": "在的"}, http.StatusAccepted, nil)
		Eventually(t, 10*time.Second, "last_out_at after the reply is delivered", func() bool {
			return channelByID(t, shop.Supervisor, shop.ChannelID).LastOutAt != nil
		})
		first.mu.Lock()
		first.fail = true
		first.mu.Unlock()
		shop.Agent.Do("POST", "/api/v1/conversations/"+list.Items[0].ID+"/messages", map[string]string{"type": "text", "text": "亲，还在吗"}, http.StatusAccepted, nil)
		Eventually(t, 10*time.Second, "last_error after a failed delivery", func() bool {
			return strings.Contains(channelByID(t, shop.Supervisor, shop.ChannelID).LastError, "500")
		})
	})

	t.Run("test connection reports the relay's answer", func(t *testing.T) {
		var res struct {
			OK    bool
			Error string
		}
		shop.Supervisor.Do("POST", "/api/v1/channels/"+shop.ChannelID+"/test", nil, http.StatusOK, &res)
		if res.OK || !strings.Contains(res.Error, "500") || !strings.Contains(res.Error, "down for maintenance") {
			t.Fatalf("with the relay down: %+v", res)
		}
		first.mu.Lock()
		first.fail = false
		first.mu.Unlock()
		res.OK, res.Error = false, ""
		shop.Supervisor.Do("POST", "/api/v1/channels/"+shop.ChannelID+"/test", nil, http.StatusOK, &res)
		if !res.OK || res.Error != "" {
			t.Fatalf("with the relay up: %+v", res)
		}
		first.mu.Lock()
		last := first.events[len(first.events)-1]
		first.mu.Unlock()
		if last["event"] != "ping" {
			t.Fatalf("the relay received %v, want a signed ping", last)
		}
		shop.Agent.Do("POST", "/api/v1/channels/"+shop.ChannelID+"/test", nil, http.StatusForbidden, nil)
		other.Supervisor.Do("POST", "/api/v1/channels/"+shop.ChannelID+"/test", nil, http.StatusNotFound, nil)
	})

	t.Run("an edit keeps the secret and moves the replies", func(t *testing.T) {
		var ch channelSettings
		shop.Supervisor.Do("PUT", "/api/v1/channels/"+shop.ChannelID, map[string]any{
			"name": "新的中转", "config": map[string]string{"callback_url": relay2.URL}}, http.StatusOK, &ch)
		if ch.Name != "新的中转" || ch.Config["callback_url"] != relay2.URL || ch.WebhookURL != shop.WebhookURL {
			t.Fatalf("PUT answered %+v", ch)
		}
		// The webhook secret is unchanged: the platform's signed deliveries still pass.
		if status, body := inst.Webhook(t, shop, MessageBody("h-2", "buyer-h", "Hu", "收到了")); status != http.StatusOK {
			t.Fatalf("a delivery signed with the channel's secret after the edit: %d %s", status, body)
		}
		var list struct{ Items []struct{ ID string } }
		shop.Agent.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
		shop.Agent.Do("POST", "/api/v1/conversations/"+list.Items[0].ID+"/messages", map[string]string{"type": "text", "text": "好的"}, http.StatusAccepted, nil)
		Eventually(t, 10*time.Second, "the reply at the new callback URL", func() bool {
			second.mu.Lock()
			defer second.mu.Unlock()
			for _, ev := range second.events {
				if m, ok := ev["message"].(map[string]any); ok && m["text"] == "好的" {
					return true
				}
			}
			return false
		})

		_, body := shop.Supervisor.Do("PUT", "/api/v1/channels/"+shop.ChannelID, map[string]any{
			"config": map[string]string{"callback_url": "ftp://relay.example.test"}}, http.StatusBadRequest, nil)
		var e struct{ Error struct{ Field string } }
		_ = json.Unmarshal(body, &e)
		if e.Error.Field != "config.callback_url" {
			t.Fatalf("a bad callback_url answered %s", body)
		}
		if got := channelByID(t, shop.Supervisor, shop.ChannelID); got.Config["callback_url"] != relay2.URL {
			t.Fatalf("a refused edit changed the channel: %+v", got)
		}
		shop.Agent.Do("PUT", "/api/v1/channels/"+shop.ChannelID, map[string]any{"name": "x"}, http.StatusForbidden, nil)
		other.Supervisor.Do("PUT", "/api/v1/channels/"+shop.ChannelID, map[string]any{"name": "x"}, http.StatusNotFound, nil)
		inst.Admin(t).Do("PUT", "/api/v1/channels/"+shop.ChannelID, map[string]any{"name": "admin's name"}, http.StatusOK, nil)
	})
}
