package apptest

import (
	"net/http"
	"testing"

	"github.com/chatbridge/chatbridge/internal/app"
)

// The harness itself: the app starts on MySQL and on the embedded default, a message
// comes in through the signed webhook and lists in the inbox.
func TestAppStartsAndIngests(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]func(testing.TB) any{"mysql": nil, "embedded": nil} {
		_ = cfg
		t.Run(name, func(t *testing.T) {
			c := EmbeddedConfig(t)
			if name == "mysql" {
				c = Config(t)
			}
			inst := Start(t, c, app.Roles{Serve: true, Work: true})
			shop := inst.NewShop(t, "smoke-"+name, "http://127.0.0.1:9/unused")
			status, body := inst.Webhook(t, shop, MessageBody("m-1", "b-1", "小林", "在吗"))
			if status != http.StatusOK || string(body) != `{"status":"accepted"}` {
				t.Fatalf("webhook: %d %s", status, body)
			}
			var list struct {
				Items []struct {
					Stage    string
					Customer struct{ ID, Name string }
				}
			}
			shop.Supervisor.Do("GET", "/api/v1/conversations", nil, http.StatusOK, &list)
			if len(list.Items) != 1 || list.Items[0].Customer.Name != "小林" || list.Items[0].Stage != "pre_sale" {
				t.Fatalf("inbox = %+v", list.Items)
			}
		})
	}
}
