package telegram

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/chatbridge/chatbridge/adapters"
)

// FuzzParseUpdate: never a panic; a refusal is a BadRequestError; an accepted
// message has a chat-scoped id, a chat id for a buyer, a type and some text.
//
//	go test -run='^$' -fuzz=FuzzParseUpdate -fuzztime=30s ./adapters/telegram/
func FuzzParseUpdate(f *testing.F) {
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":2,"date":1700000000,"from":{"id":3,"first_name":"李"},"chat":{"id":3,"type":"private"},"text":"你好"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":-1001,"type":"supergroup","title":"G"},"photo":[{"file_id":"a","width":1,"height":1}]}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"document":{"file_id":"d","file_name":"a.pdf"}}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"location":{"latitude":1e308,"longitude":-1e308}}}`,
		`{"update_id":1,"edited_message":{}}`,
		`{"update_id":1,"message":{"message_id":0,"chat":{"id":3},"text":"x"}}`,
		`{"update_id":1,"message":{"message_id":2,"chat":{"id":3},"text":"   "}}`,
		`{"update_id":null}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseUpdate(body)
		if err != nil {
			var bad *adapters.BadRequestError
			if !errors.As(err, &bad) || bad.Reason == "" {
				t.Fatalf("%q: %T %v", body, err, err)
			}
			return
		}
		if len(evs) > 1 {
			t.Fatalf("%q: %d events", body, len(evs))
		}
		for _, ev := range evs {
			m := ev.Message
			if m == nil || !strings.HasPrefix(m.ExternalID, m.Customer.ID+":") || m.Customer.ID == "" || m.Type == "" ||
				strings.TrimSpace(m.Text) == "" || len(m.Customer.Name) > 191 {
				t.Fatalf("%q gives %+v", body, ev)
			}
		}
		again, _ := ParseUpdate(body)
		if !reflect.DeepEqual(evs, again) {
			t.Fatalf("%q parses differently twice", body)
		}
	})
}
