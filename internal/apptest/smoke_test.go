package apptest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/internal/app"
)

// The whole path on both storage set-ups — MySQL + Redis, and the embedded default
// (SQLite + in-process Redis): a message comes in through the signed webhook, reaches a
// connected agent live, lists in the inbox, and the agent's reply is delivered by the
// worker to the platform and marked sent.
func TestWholePathOnBothStorageSetups(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"mysql", "embedded"} {
		t.Run(name, func(t *testing.T) {
			c := EmbeddedConfig(t)
			if name == "mysql" {
				c = Config(t)
			}
			inst := Start(t, c, app.Roles{Serve: true, Work: true})
			rec := &callbackRecorder{t: t}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			shop := inst.NewShop(t, "smoke-"+name, srv.URL)
			rec.secret = shop.Secret
			live := dial(t, inst, shop.Agent, "")
			if ready := live.next("ready", "{}"); ready.Cursor == "" {
				t.Fatalf("the first frame carries no cursor: %+v", ready)
			}

			status, body := inst.Webhook(t, shop, MessageBody("m-1", "b-1", "小林", "在吗"))
			if status != http.StatusOK || string(body) != `{"status":"accepted"}` {
				t.Fatalf("webhook: %d %s", status, body)
			}
			live.next("message.created", "在吗")
			var list struct {
				Items []struct {
					ID, Stage string
					Customer  struct{ ID, Name string }
				}
			}
			shop.Supervisor.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
			if len(list.Items) != 1 || list.Items[0].Customer.Name != "小林" || list.Items[0].Stage != "pre_sale" {
				t.Fatalf("inbox = %+v", list.Items)
			}
			var reply struct{ ID, Status string }
			shop.Agent.Do("POST", "/api/v1/conversations/"+list.Items[0].ID+"/messages",
				map[string]string{"type": "text", "text": "在的，亲"}, http.StatusAccepted, &reply)
			if reply.Status != "pending" {
				t.Fatalf("reply answered %+v", reply)
			}
			live.next("message.updated", `"status":"sent"`)
			Eventually(t, 10*time.Second, "the reply at the platform", func() bool {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				return len(rec.events) == 1
			})
		})
	}
}
