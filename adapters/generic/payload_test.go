package generic

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
	"github.com/chatbridge/chatbridge/models"
)

// The message example of the API contract, "The generic channel", verbatim.
const contractMessage = `{"event": "message",
 "message": {"id": "platform-message-id", "customer": {"id": "buyer-1", "name": "Alice"},
             "type": "text", "text": "Is this in stock?", "sent_at": "2026-11-23T08:00:00Z",
             "order_id": "optional order id"}}`

// The order example of the API contract with one of the listed statuses picked and the
// optional "refund" object of the contract's refund section added.
const contractOrderWithRefund = `{"event": "order",
 "order": {"id": "T1001", "customer_id": "buyer-1",
           "status": "refunding",
           "total": "129.00", "currency": "CNY",
           "items": [{"sku": "A-1", "title": "Mug", "quantity": 1}],
           "address": {"name": "Alice", "phone": "13800000000", "region": "Zhejiang Hangzhou", "detail": "..."},
           "tracking": {"carrier": "SF", "number": "SF123"},
           "updated_at": "2026-11-23T08:00:00Z",
           "refund": {"id": "R-77", "type": "return_refund", "status": "requested", "amount": "129.00",
                      "reason": "arrived broken", "deadline_at": "2026-11-25T16:00:00+08:00"}}}`

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseBodyContractExamples(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []adapters.Event
	}{
		{
			name: "message",
			body: contractMessage,
			want: []adapters.Event{{Message: &adapters.InboundMessage{
				ExternalID: "platform-message-id",
				Customer:   adapters.Customer{ID: "buyer-1", Name: "Alice"},
				Type:       "text",
				Text:       "Is this in stock?",
				SentAt:     time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
				OrderID:    "optional order id",
			}}},
		},
		{
			name: "order with refund",
			body: contractOrderWithRefund,
			want: []adapters.Event{{Order: &adapters.OrderEvent{
				ExternalID: "T1001",
				CustomerID: "buyer-1",
				Status:     models.OrderRefunding,
				Total:      "129.00",
				Currency:   "CNY",
				Items:      []models.OrderItem{{SKU: "A-1", Title: "Mug", Quantity: 1}},
				Address:    &models.Address{Name: "Alice", Phone: "13800000000", Region: "Zhejiang Hangzhou", Detail: "..."},
				Tracking:   &adapters.Tracking{Carrier: "SF", Number: "SF123"},
				UpdatedAt:  time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
				Refund: &adapters.Refund{
					ExternalID: "R-77",
					Type:       "return_refund",
					Status:     "requested",
					Amount:     "129.00",
					Reason:     "arrived broken",
					// +08:00 is normalised to UTC.
					DeadlineAt: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
				},
			}}},
		},
		{
			name: "minimal message: type defaults to text, no sent_at",
			body: `{"event":"message","message":{"id":"m1","customer":{"id":"b1"},"text":"hello"}}`,
			want: []adapters.Event{{Message: &adapters.InboundMessage{
				ExternalID: "m1", Customer: adapters.Customer{ID: "b1"}, Type: "text", Text: "hello",
			}}},
		},
		{
			name: "non-text message may have no text",
			body: `{"event":"message","message":{"id":"m2","customer":{"id":"b1"},"type":"image"}}`,
			want: []adapters.Event{{Message: &adapters.InboundMessage{
				ExternalID: "m2", Customer: adapters.Customer{ID: "b1"}, Type: "image",
			}}},
		},
		{
			name: "minimal order",
			body: `{"event":"order","order":{"id":"T1","customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00.123456Z"}}`,
			want: []adapters.Event{{Order: &adapters.OrderEvent{
				ExternalID: "T1", CustomerID: "b1", Status: models.OrderPaid,
				UpdatedAt: time.Date(2026, 11, 23, 8, 0, 0, 123456000, time.UTC),
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBody([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseBody:\n got %s\nwant %s", dumpEvents(got), dumpEvents(tt.want))
			}
		})
	}
}

func TestParseBodyEveryStatus(t *testing.T) {
	for _, s := range []models.OrderStatus{models.OrderUnpaid, models.OrderPaid, models.OrderShipped,
		models.OrderDelivered, models.OrderRefunding, models.OrderRefunded, models.OrderClosed} {
		t.Run(string(s), func(t *testing.T) {
			evs, err := ParseBody([]byte(`{"event":"order","order":{"id":"T1","customer_id":"b1","status":"` + string(s) + `","updated_at":"2026-11-23T08:00:00Z"}}`))
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			if got := evs[0].Order.Status; got != s {
				t.Fatalf("status = %q, want %q", got, s)
			}
		})
	}
}

func TestParseBodyRefundValues(t *testing.T) {
	const tmpl = `{"event":"order","order":{"id":"T1","customer_id":"b1","status":"refunding","updated_at":"2026-11-23T08:00:00Z","refund":{"id":"R1","type":"%T","status":"%S"}}}`
	for _, typ := range []string{"refund_only", "return_refund", "dispute"} {
		for _, st := range []string{"requested", "agreed", "rejected", "closed"} {
			body := strings.NewReplacer("%T", typ, "%S", st).Replace(tmpl)
			evs, err := ParseBody([]byte(body))
			if err != nil {
				t.Fatalf("%s/%s: %v", typ, st, err)
			}
			r := evs[0].Order.Refund
			if r == nil || r.Type != typ || r.Status != st || !r.DeadlineAt.IsZero() {
				t.Fatalf("%s/%s: refund = %+v", typ, st, r)
			}
		}
	}
}

func TestParseBodyAmounts(t *testing.T) {
	const tmpl = `{"event":"order","order":{"id":"T1","customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00Z","total":%s}}`
	tests := []struct {
		name  string
		total string // JSON text of the total
		want  string
	}{
		{"number", `129`, "129"},
		{"number with fraction", `129.5`, "129.5"},
		{"string with cents", `"129.00"`, "129.00"},
		{"zero", `0`, "0"},
		{"negative string", `"-12.50"`, "-12.50"},
		{"null is no total", `null`, ""},
		{"empty string is no total", `""`, ""},
		{"32 digits fit the store", `"` + strings.Repeat("9", 29) + `.00"`, strings.Repeat("9", 29) + ".00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := ParseBody([]byte(strings.Replace(tmpl, "%s", tt.total, 1)))
			if err != nil {
				t.Fatalf("ParseBody: %v", err)
			}
			if got := evs[0].Order.Total; got != tt.want {
				t.Fatalf("Total = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBodyPreservesUnicode(t *testing.T) {
	body := `{"event":"message","message":{"id":"消息-1","customer":{"id":"买家-1","name":"王小明 🐼"},` +
		`"text":"还有货吗？😀👍🏽 Ça marche?","order_id":"订单-9"}}`
	evs, err := ParseBody([]byte(body))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	want := &adapters.InboundMessage{
		ExternalID: "消息-1", Customer: adapters.Customer{ID: "买家-1", Name: "王小明 🐼"},
		Type: "text", Text: "还有货吗？😀👍🏽 Ça marche?", OrderID: "订单-9",
	}
	if !reflect.DeepEqual(evs[0].Message, want) {
		t.Fatalf("got %+v, want %+v", evs[0].Message, want)
	}

	// Escaped code points (a surrogate pair for 😀) decode to the same text.
	evs, err = ParseBody([]byte(`{"event":"message","message":{"id":"m","customer":{"id":"b"},"text":"\u8fd8\ud83d\ude00"}}`))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	if got := evs[0].Message.Text; got != "还😀" {
		t.Fatalf("Text = %q, want %q", got, "还😀")
	}

	// Order items and addresses keep their scripts.
	evs, err = ParseBody([]byte(`{"event":"order","order":{"id":"T","customer_id":"b","status":"paid","updated_at":"2026-11-23T08:00:00Z",` +
		`"items":[{"sku":"杯-1","title":"马克杯 ☕","quantity":2}],"address":{"name":"王小明","region":"浙江 杭州","detail":"西湖区 1号"}}}`))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	o := evs[0].Order
	if o.Items[0].Title != "马克杯 ☕" || o.Address.Region != "浙江 杭州" || o.Address.Name != "王小明" {
		t.Fatalf("order = %+v, address = %+v", o, o.Address)
	}
}

func TestParseBodyIgnoresUnknownFields(t *testing.T) {
	body := `{"event":"message","version":2,"extra":{"deep":[1,2,3]},
	  "message":{"id":"m1","customer":{"id":"b1","vip":true},"text":"hi","attachments":[{"url":"https://x"}]}}`
	got, err := ParseBody([]byte(body))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	want := []adapters.Event{{Message: &adapters.InboundMessage{
		ExternalID: "m1", Customer: adapters.Customer{ID: "b1"}, Type: "text", Text: "hi",
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s, want %s", dumpEvents(got), dumpEvents(want))
	}
}

// Long display values are cut to what the store holds, on a UTF-8 boundary.
func TestParseBodyTruncatesDisplayValues(t *testing.T) {
	name := strings.Repeat("é", 100) // 200 bytes
	body := `{"event":"message","message":{"id":"m1","customer":{"id":"b1","name":"` + name + `"},"text":"x","type":"` +
		strings.Repeat("t", 40) + `"}}`
	evs, err := ParseBody([]byte(body))
	if err != nil {
		t.Fatalf("ParseBody: %v", err)
	}
	m := evs[0].Message
	if len(m.Customer.Name) > maxIDLen || m.Customer.Name != strings.Repeat("é", 95) {
		t.Fatalf("name = %q (%d bytes), want 95 × é", m.Customer.Name, len(m.Customer.Name))
	}
	if m.Type != strings.Repeat("t", 16) {
		t.Fatalf("type = %q, want 16 bytes", m.Type)
	}
}

func TestParseBodyIDLimit(t *testing.T) {
	okID := strings.Repeat("a", maxIDLen)
	evs, err := ParseBody([]byte(`{"event":"message","message":{"id":"` + okID + `","customer":{"id":"b1"},"text":"x"}}`))
	if err != nil {
		t.Fatalf("an id of exactly %d bytes: %v", maxIDLen, err)
	}
	if evs[0].Message.ExternalID != okID {
		t.Fatal("an id of exactly the limit must be kept whole")
	}
}

func TestParseBodyRejects(t *testing.T) {
	msg := func(inner string) string { return `{"event":"message","message":{` + inner + `}}` }
	const okMsg = `"id":"m1","customer":{"id":"b1"},"text":"hi"`
	order := func(inner string) string { return `{"event":"order","order":{` + inner + `}}` }
	const okOrder = `"id":"T1","customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00Z"`
	refund := func(inner string) string { return order(okOrder + `,"refund":{` + inner + `}`) }
	const okRefund = `"id":"R1","type":"refund_only","status":"requested"`
	long := strings.Repeat("x", maxIDLen+1)

	tests := []struct {
		name       string
		body       string
		wantField  string
		wantReason string
	}{
		// The body as a whole.
		{"malformed JSON", `{"event":"message",`, "", "malformed JSON"},
		{"trailing garbage", `{"event":"message"} x`, "", "malformed JSON"},
		{"empty body", ``, "", "malformed JSON"},
		{"whitespace only", " \n\t", "", "malformed JSON"},
		{"array", `[]`, "", "JSON object"},
		{"array of events", `[` + msg(okMsg) + `]`, "", "JSON object"},
		{"null", `null`, "", "JSON object"},
		{"null with spaces", " null\n", "", "JSON object"},
		{"string", `"message"`, "", "JSON object"},
		{"number", `42`, "", "JSON object"},
		{"empty object", `{}`, "event", "is required"},
		{"missing event", `{"message":{` + okMsg + `}}`, "event", "is required"},
		{"null event", `{"event":null,"message":{` + okMsg + `}}`, "event", "is required"},
		{"event of wrong type", `{"event":1}`, "event", "wrong type"},
		{"unknown event", `{"event":"order_note","order_note":{}}`, "event", `unknown event "order_note"`},
		{"event in another case", `{"event":"Message","message":{` + okMsg + `}}`, "event", "unknown event"},

		// Messages.
		{"message missing", `{"event":"message"}`, "message", "is required"},
		{"message null", `{"event":"message","message":null}`, "message", "is required"},
		{"message not an object", `{"event":"message","message":"hi"}`, "message", "wrong type"},
		{"message id missing", msg(`"customer":{"id":"b1"},"text":"hi"`), "message.id", "is required"},
		{"message id blank", msg(`"id":"  \t","customer":{"id":"b1"},"text":"hi"`), "message.id", "is required"},
		{"message id a number", msg(`"id":7,"customer":{"id":"b1"},"text":"hi"`), "message.id", "wrong type"},
		{"message id over 191 bytes", msg(`"id":"` + long + `","customer":{"id":"b1"},"text":"hi"`), "message.id", "longer than 191 bytes"},
		{"customer missing", msg(`"id":"m1","text":"hi"`), "message.customer", "is required"},
		{"customer null", msg(`"id":"m1","customer":null,"text":"hi"`), "message.customer", "is required"},
		{"customer a string", msg(`"id":"m1","customer":"b1","text":"hi"`), "message.customer", "wrong type"},
		{"customer.id missing", msg(`"id":"m1","customer":{"name":"Alice"},"text":"hi"`), "message.customer.id", "is required"},
		{"customer.id blank", msg(`"id":"m1","customer":{"id":" "},"text":"hi"`), "message.customer.id", "is required"},
		{"customer.id over 191 bytes", msg(`"id":"m1","customer":{"id":"` + long + `"},"text":"hi"`), "message.customer.id", "longer than 191 bytes"},
		{"text missing", msg(`"id":"m1","customer":{"id":"b1"}`), "message.text", "required for a text message"},
		{"text missing, type text", msg(`"id":"m1","customer":{"id":"b1"},"type":"text"`), "message.text", "required for a text message"},
		{"text blank", msg(`"id":"m1","customer":{"id":"b1"},"text":" \n "`), "message.text", "required for a text message"},
		{"text not a string", msg(`"id":"m1","customer":{"id":"b1"},"text":["hi"]`), "message.text", "wrong type"},
		{"bad sent_at", msg(okMsg + `,"sent_at":"23/11/2026 08:00"`), "message.sent_at", "RFC 3339"},
		{"sent_at without zone", msg(okMsg + `,"sent_at":"2026-11-23T08:00:00"`), "message.sent_at", "RFC 3339"},
		{"sent_at as Unix seconds", msg(okMsg + `,"sent_at":1763884800`), "message.sent_at", "wrong type"},

		// Orders.
		{"order missing", `{"event":"order"}`, "order", "is required"},
		{"order id missing", order(`"customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00Z"`), "order.id", "is required"},
		{"order id over 191 bytes", order(`"id":"` + long + `","customer_id":"b1","status":"paid","updated_at":"2026-11-23T08:00:00Z"`), "order.id", "longer than 191 bytes"},
		{"order customer_id missing", order(`"id":"T1","status":"paid","updated_at":"2026-11-23T08:00:00Z"`), "order.customer_id", "is required"},
		{"order status missing", order(`"id":"T1","customer_id":"b1","updated_at":"2026-11-23T08:00:00Z"`), "order.status", "is required"},
		{"order status unknown", order(`"id":"T1","customer_id":"b1","status":"lost","updated_at":"2026-11-23T08:00:00Z"`), "order.status", `unknown status "lost"`},
		{"order status upper case", order(`"id":"T1","customer_id":"b1","status":"PAID","updated_at":"2026-11-23T08:00:00Z"`), "order.status", "unknown status"},
		{"order updated_at missing", order(`"id":"T1","customer_id":"b1","status":"paid"`), "order.updated_at", "is required"},
		{"order bad updated_at", order(`"id":"T1","customer_id":"b1","status":"paid","updated_at":"yesterday"`), "order.updated_at", "RFC 3339"},
		{"order total not a number", order(okOrder + `,"total":"a lot"`), "order.total", "decimal amount"},
		{"order total with currency sign", order(okOrder + `,"total":"¥129.00"`), "order.total", "decimal amount"},
		{"order total NaN", order(okOrder + `,"total":"NaN"`), "order.total", "decimal amount"},
		{"order total Inf", order(okOrder + `,"total":"Inf"`), "order.total", "decimal amount"},
		{"order total hex float", order(okOrder + `,"total":"0x1p7"`), "order.total", "decimal amount"},
		{"order total with exponent", order(okOrder + `,"total":1.29e2`), "order.total", "decimal amount"},
		{"order total too long for the store", order(okOrder + `,"total":"` + strings.Repeat("9", 33) + `"`), "order.total", "decimal amount"},
		{"order total a bare sign", order(okOrder + `,"total":"-"`), "order.total", "decimal amount"},
		{"order total without integer part", order(okOrder + `,"total":".50"`), "order.total", "decimal amount"},
		{"order total with a trailing point", order(okOrder + `,"total":"129."`), "order.total", "decimal amount"},
		{"order total with a plus sign", order(okOrder + `,"total":"+129"`), "order.total", "decimal amount"},
		{"order total with spaces", order(okOrder + `,"total":" 129"`), "order.total", "decimal amount"},
		{"order total a bool", order(okOrder + `,"total":true`), "order.total", "wrong type"},
		{"order total an object", order(okOrder + `,"total":{"amount":"1"}`), "order.total", "wrong type"},
		{"order total an array", order(okOrder + `,"total":["1"]`), "order.total", "wrong type"},
		{"negative quantity", order(okOrder + `,"items":[{"sku":"A","quantity":1},{"sku":"B","quantity":-1}]`), "order.items[1].quantity", "must not be negative"},
		{"fractional quantity", order(okOrder + `,"items":[{"sku":"A","quantity":1.5}]`), "order.items.quantity", "wrong type"},
		{"items a string", order(okOrder + `,"items":"x"`), "order.items", "wrong type (got string)"},
		{"items an object", order(okOrder + `,"items":{"sku":"A"}`), "order.items", "wrong type"},
		{"address a string", order(okOrder + `,"address":"Hangzhou"`), "order.address", "wrong type"},
		{"tracking a number", order(okOrder + `,"tracking":12345`), "order.tracking", "wrong type"},
		{"customer_id a number", order(`"id":"T1","customer_id":1,"status":"paid","updated_at":"2026-11-23T08:00:00Z"`), "order.customer_id", "wrong type"},

		// Refunds.
		{"refund id missing", refund(`"type":"refund_only","status":"requested"`), "order.refund.id", "is required"},
		{"refund bad type", refund(`"id":"R1","type":"refund","status":"requested"`), "order.refund.type", "refund_only, return_refund or dispute"},
		{"refund type missing", refund(`"id":"R1","status":"requested"`), "order.refund.type", "refund_only, return_refund or dispute"},
		{"refund bad status", refund(`"id":"R1","type":"refund_only","status":"open"`), "order.refund.status", "requested, agreed, rejected or closed"},
		{"refund bad deadline_at", refund(okRefund + `,"deadline_at":"tomorrow"`), "order.refund.deadline_at", "RFC 3339"},
		{"refund bad amount", refund(okRefund + `,"amount":"12,50"`), "order.refund.amount", "decimal amount"},
		{"refund amount a bool", refund(okRefund + `,"amount":false`), "order.refund.amount", "wrong type"},
		{"refund a string", order(okOrder + `,"refund":"yes"`), "order.refund", "wrong type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := ParseBody([]byte(tt.body))
			if err == nil {
				t.Fatalf("ParseBody accepted it: %s", dumpEvents(evs))
			}
			if evs != nil {
				t.Errorf("ParseBody returned events with an error: %s", dumpEvents(evs))
			}
			var br *adapters.BadRequestError
			if !errors.As(err, &br) {
				t.Fatalf("ParseBody: %T %v, want *adapters.BadRequestError", err, err)
			}
			if br.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (error %q)", br.Field, tt.wantField, err)
			}
			if !strings.Contains(br.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", br.Reason, tt.wantReason)
			}
			// What a 400 shows must not leak Go type names.
			if strings.Contains(err.Error(), "generic.") || strings.Contains(err.Error(), "Go value") {
				t.Errorf("error %q names Go internals", err)
			}
		})
	}
}

func dumpEvents(evs []adapters.Event) string {
	var b strings.Builder
	b.WriteString("[")
	for i, e := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case e.Message != nil:
			b.WriteString("message " + fmt.Sprintf("%+v", *e.Message))
		case e.Order != nil:
			b.WriteString("order " + fmt.Sprintf("%+v", *e.Order))
			if e.Order.Refund != nil {
				b.WriteString(" refund " + fmt.Sprintf("%+v", *e.Order.Refund))
			}
			if e.Order.Address != nil {
				b.WriteString(" address " + fmt.Sprintf("%+v", *e.Order.Address))
			}
			if e.Order.Tracking != nil {
				b.WriteString(" tracking " + fmt.Sprintf("%+v", *e.Order.Tracking))
			}
		default:
			b.WriteString("empty event")
		}
	}
	b.WriteString("]")
	return b.String()
}
