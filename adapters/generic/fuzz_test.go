package generic

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// FuzzParseBody checks that ParseBody never panics, that every refusal is a
// *adapters.BadRequestError, and that every acceptance is one well-formed event.
//
//	go test -run='^$' -fuzz=FuzzParseBody -fuzztime=30s ./adapters/generic/
func FuzzParseBody(f *testing.F) {
	for _, seed := range []string{
		contractMessage,
		contractOrderWithRefund,
		`{"event":"message","message":{"id":"m1","customer":{"id":"b1","name":"王小明 🐼"},"text":"还有货吗？"}}`,
		`{"event":"order","order":{"id":"T1","customer_id":"b1","status":"paid","total":129,"updated_at":"2026-11-23T08:00:00Z","items":[{"sku":"A","quantity":-1}]}}`,
		`{"event":"order","order":{"id":"T1","customer_id":"b1","status":"paid","total":true,"updated_at":"2026-11-23T08:00:00Z"}}`,
		`{"event":"order","order":{"id":"T1","customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00Z","refund":{"id":"R","type":"dispute","status":"agreed","amount":{}}}}`,
		`{"event":"message","message":{"id":" ","customer":{"id":"b"},"text":"x"}}`,
		`{"event":"message","message":null}`,
		`{"event":"message","message":{"id":"m","customer":{"id":"b"},"type":"image","text":"裂了","media":{"url":"https://cdn.test/1.jpg"}}}`,
		`{"event":"message","message":{"id":"m","customer":{"id":"b"},"type":"image","media":{"url":7}}}`,
		`{"event":"order","order":{"items":"x"}}`,
		`{"event":`,
		`[]`,
		`null`,
		`"message"`,
		``,
		"{\"event\":\"message\",\"message\":{\"id\":\"m\",\"customer\":{\"id\":\"b\"},\"text\":\"\xff\xfe\"}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseBody(body)
		if err != nil {
			var br *adapters.BadRequestError
			if !errors.As(err, &br) {
				t.Fatalf("ParseBody(%q): %T %v, want *adapters.BadRequestError", body, err, err)
			}
			if br.Reason == "" {
				t.Fatalf("ParseBody(%q): a refusal without a reason (field %q)", body, br.Field)
			}
			if evs != nil {
				t.Fatalf("ParseBody(%q): events together with an error", body)
			}
			return
		}
		if len(evs) != 1 {
			t.Fatalf("ParseBody(%q): %d events, want 1", body, len(evs))
		}
		ev := evs[0]
		if (ev.Message == nil) == (ev.Order == nil) {
			t.Fatalf("ParseBody(%q): want exactly one of Message and Order, got %s", body, dumpEvents(evs))
		}
		if m := ev.Message; m != nil {
			checkID(t, body, "message.id", m.ExternalID)
			checkID(t, body, "message.customer.id", m.Customer.ID)
			if len(m.Customer.Name) > maxIDLen || len(m.OrderID) > maxIDLen || len(m.Type) > 16 || m.Type == "" {
				t.Fatalf("ParseBody(%q): a value does not fit the store: %+v", body, *m)
			}
			if m.Type == "text" && strings.TrimSpace(m.Text) == "" {
				t.Fatalf("ParseBody(%q): a text message without text", body)
			}
			if md := m.Media; md != nil && (!absoluteHTTP(md.ID) || len(md.ID) > maxMediaURLLen || m.Type == "text") {
				t.Fatalf("ParseBody(%q): media %+v accepted on a %s message", body, *md, m.Type)
			}
			if !m.SentAt.IsZero() && m.SentAt.Location() != time.UTC {
				t.Fatalf("ParseBody(%q): sent_at not in UTC: %v", body, m.SentAt)
			}
		}
		if o := ev.Order; o != nil {
			checkID(t, body, "order.id", o.ExternalID)
			checkID(t, body, "order.customer_id", o.CustomerID)
			if !o.Status.Valid() {
				t.Fatalf("ParseBody(%q): invalid status %q accepted", body, o.Status)
			}
			if o.UpdatedAt.Location() != time.UTC {
				t.Fatalf("ParseBody(%q): updated_at not in UTC: %v", body, o.UpdatedAt)
			}
			if !amount(o.Total).valid() || len(o.Currency) > 8 {
				t.Fatalf("ParseBody(%q): total %q / currency %q accepted", body, o.Total, o.Currency)
			}
			for i, it := range o.Items {
				if it.Quantity < 0 {
					t.Fatalf("ParseBody(%q): item %d has quantity %d", body, i, it.Quantity)
				}
			}
			if r := o.Refund; r != nil {
				checkID(t, body, "order.refund.id", r.ExternalID)
				if !amount(r.Amount).valid() {
					t.Fatalf("ParseBody(%q): refund amount %q accepted", body, r.Amount)
				}
			}
		}
		// Parsing is a pure function of the body.
		again, err := ParseBody(body)
		if err != nil || !reflect.DeepEqual(evs, again) {
			t.Fatalf("ParseBody(%q) is not deterministic: %s then %s, %v", body, dumpEvents(evs), dumpEvents(again), err)
		}
	})
}

func checkID(t *testing.T, body []byte, field, id string) {
	t.Helper()
	if strings.TrimSpace(id) == "" || len(id) > maxIDLen {
		t.Fatalf("ParseBody(%q): %s %q accepted", body, field, id)
	}
}

// FuzzVerify checks that Verify never panics and accepts exactly what Sign produces for a
// fresh timestamp. When useSign is set the fuzzer's signature is replaced by Sign's, so
// that the accepting path is explored as well as the refusing one.
//
//	go test -run='^$' -fuzz=FuzzVerify -fuzztime=30s ./adapters/generic/
func FuzzVerify(f *testing.F) {
	now := time.Unix(1763884800, 0)
	f.Add(pinSecret, pinTimestamp, "sha256="+pinHex, []byte(pinBody), int64(0), false)
	f.Add(pinSecret, pinTimestamp, "", []byte(pinBody), int64(299), true)
	f.Add(pinSecret, pinTimestamp, "", []byte(pinBody), int64(-301), true)
	f.Add("", "", "", []byte(nil), int64(0), false)
	f.Add("k", "+1763884800", "", []byte(`{}`), int64(0), true)
	f.Add("k", "9223372036854775807", "", []byte(`{}`), int64(0), true)
	f.Add("k", "1763884800", "SHA256="+strings.ToUpper(pinHex), []byte(pinBody), int64(0), false)
	f.Fuzz(func(t *testing.T, secret, timestamp, signature string, body []byte, offset int64, useSign bool) {
		want := Sign(secret, timestamp, body)
		if useSign {
			signature = want
		}
		clock := now.Add(time.Duration(offset) * time.Second)
		err := Verify(secret, timestamp, signature, body, clock)

		ts, perr := strconv.ParseInt(timestamp, 10, 64)
		skew := clock.Sub(time.Unix(ts, 0))
		fresh := perr == nil && skew >= -MaxSkew && skew <= MaxSkew
		if err == nil {
			if signature != want {
				t.Fatalf("Verify accepted %q, Sign gives %q", signature, want)
			}
			if !fresh {
				t.Fatalf("Verify accepted timestamp %q at %v", timestamp, clock)
			}
			return
		}
		if !errors.Is(err, adapters.ErrUnauthorized) {
			t.Fatalf("Verify: %T %v, want ErrUnauthorized", err, err)
		}
		if signature == want && fresh {
			t.Fatalf("Verify refused Sign's own signature with a fresh timestamp %q: %v", timestamp, err)
		}
	})
}
