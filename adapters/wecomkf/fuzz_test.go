package wecomkf

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// FuzzParseWebhook feeds ParseWebhook both raw bodies and genuinely sealed plaintexts:
// it never panics, refuses with ErrUnauthorized or a BadRequestError, and what it
// accepts is nothing or one pull whose hint fits sync_msg.
//
//	go test -run='^$' -fuzz=FuzzParseWebhook -fuzztime=30s ./adapters/wecomkf/
func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte("<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><Token>ENC1</Token></xml>"), true)
	f.Add([]byte("<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event></xml>"), true)
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"), false)
	f.Add([]byte("<xml><Encrypt>"+vecMsgEncrypt+"</Encrypt></xml>"), false)
	f.Add([]byte("not xml"), true)
	f.Add([]byte(""), false)
	now := time.Unix(1763884800, 0)
	a := New(adapters.Deps{Now: func() time.Time { return now }})
	cfg := `{"corp_id":"` + vecReceiveID + `","secret":"s","token":"` + vecToken + `","encoding_aes_key":"` + vecAESKey + `"}`
	ch := adapters.Channel{ID: 1, Type: Type, Config: []byte(cfg)}
	crypter, _ := NewCrypter(vecToken, vecAESKey, vecReceiveID)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		body, query := data, "msg_signature=00&timestamp="+ts+"&nonce=1"
		if seal {
			enc, sig, err := crypter.Seal(data, ts, "1")
			if err != nil {
				t.Fatal(err)
			}
			body = []byte(fmt.Sprintf("<xml><Encrypt><![CDATA[%s]]></Encrypt></xml>", enc))
			query = "msg_signature=" + sig + "&timestamp=" + ts + "&nonce=1"
		}
		req := httptest.NewRequest("POST", "/webhooks/wecom_kf/1?"+query, nil)
		evs, err := a.ParseWebhook(context.Background(), ch, req, body)
		if err != nil {
			var bad *adapters.BadRequestError
			if !errors.Is(err, adapters.ErrUnauthorized) && !errors.As(err, &bad) {
				t.Fatalf("%q: %T %v", data, err, err)
			}
			if seal && errors.Is(err, adapters.ErrUnauthorized) {
				t.Fatalf("a genuinely sealed body was refused as a forgery: %v", err)
			}
			return
		}
		if !seal {
			t.Fatalf("an unsigned body was accepted: %q", data)
		}
		if len(evs) > 1 || len(evs) == 1 && (evs[0].Poll == nil || len(evs[0].Poll.Hint) > 128) {
			t.Fatalf("%q parses to %+v", data, evs)
		}
	})
}

// FuzzSyncPage checks the reading of a sync_msg answer: never a panic, and every
// message it keeps is a buyer's, with ids and a type that fit the store.
//
//	go test -run='^$' -fuzz=FuzzSyncPage -fuzztime=30s ./adapters/wecomkf/
func FuzzSyncPage(f *testing.F) {
	f.Add([]byte(`{"errcode":0,"next_cursor":"c1","has_more":0,"msg_list":[{"msgid":"m1","open_kfid":"wk","external_userid":"wm","send_time":1700000000,"origin":3,"msgtype":"text","text":{"content":"你好"}}]}`))
	f.Add([]byte(`{"errcode":0,"msg_list":[{"msgid":"m2","open_kfid":"wk","external_userid":"wm","origin":3,"msgtype":"image","image":{"media_id":"x"}},{"msgid":"m3","origin":4,"msgtype":"event","event":{"event_type":"msg_send_fail","fail_msgid":"1","fail_type":6}}]}`))
	f.Add([]byte(`{"errcode":0,"msg_list":[{"msgid":"m4","open_kfid":"wk","external_userid":"wm","origin":3,"msgtype":"location","location":{"latitude":1e308,"name":"x"}}]}`))
	f.Add([]byte(`{"errcode":0,"msg_list":[{"msgid":"m5","open_kfid":"wk","external_userid":"wm","origin":3,"msgtype":"channels_shop_product"}]}`))
	f.Add([]byte(`{"errcode":95007,"errmsg":"invalid msg token"}`))
	f.Add([]byte(`{"errcode":0,"msg_list":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		evs, err := decodeSync(raw)
		if err != nil {
			return
		}
		for _, ev := range evs {
			m := ev.Message
			if m == nil || m.ExternalID == "" || len(m.ExternalID) > maxIDLen || len(m.Customer.ID) > maxIDLen || !strings.Contains(m.Customer.ID, "|") || m.Type == "" || len(m.Type) > 16 {
				t.Fatalf("%q gives %+v", raw, ev)
			}
			if m.Type == "text" && strings.TrimSpace(m.Text) == "" {
				t.Fatalf("%q gives a text without text", raw)
			}
		}
		again, _ := decodeSync(raw)
		if !reflect.DeepEqual(evs, again) {
			t.Fatalf("%q parses differently twice", raw)
		}
	})
}
