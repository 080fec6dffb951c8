package kuaidi100_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chatbridge/chatbridge/internal/logistics"
	"github.com/chatbridge/chatbridge/internal/logistics/kuaidi100"
)

// FuzzParsePush feeds signed pushes of any param to the parser: it answers a snapshot
// or an error, never panics, and a snapshot always names its number.
func FuzzParsePush(f *testing.F) {
	f.Add(samplePush)
	f.Add(`{"lastResult":{"nu":"1","data":[{"ftime":"2026-01-01 00:00:00"}]}}`)
	f.Add(`{"lastResult":null}`)
	f.Add(`[]`)
	acct := logistics.Account{Config: []byte(`{"customer":"c","key":"k","salt":"s"}`)}
	p := kuaidi100.New(http.DefaultClient)
	f.Fuzz(func(t *testing.T, param string) {
		body := url.Values{"param": {param}, "sign": {kuaidi100.PushSign(param, "s")}}.Encode()
		snaps, err := p.ParsePush(acct, pushRequest(body), []byte(body))
		if err == nil && (len(snaps) != 1 || snaps[0].Number == "") {
			t.Fatalf("accepted %q as %+v", param, snaps)
		}
	})
}
