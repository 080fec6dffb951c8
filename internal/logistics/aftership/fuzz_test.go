package aftership_test

import (
	"net/http"
	"testing"

	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/aftership"
)

// FuzzParsePush feeds signed webhook bodies of any shape to the parser: it answers
// snapshots or an error, never panics, and a snapshot always names its number.
func FuzzParsePush(f *testing.F) {
	f.Add([]byte(sampleWebhook))
	f.Add([]byte(`{"event":"tracking_update","msg":{"tracking_number":"1","checkpoints":[{"checkpoint_time":"2026-01-01T00:00:00"}]}}`))
	f.Add([]byte(`{"event":"edd_revise"}`))
	f.Add([]byte(`null`))
	acct := logistics.Account{Config: []byte(`{"api_key":"k","webhook_secret":"whsec"}`)}
	p := aftership.New(http.DefaultClient)
	f.Fuzz(func(t *testing.T, body []byte) {
		snaps, err := p.ParsePush(acct, webhookRequest(body, aftership.Sign("whsec", body)), body)
		for _, s := range snaps {
			if err == nil && s.Number == "" {
				t.Fatalf("accepted %q as %+v", body, snaps)
			}
		}
	})
}
