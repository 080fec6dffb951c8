package pdd_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters/pdd"
)

// FuzzParseIncrement feeds any gateway answer to the increment parser: it never
// panics, and a page it accepts holds only whole order events and a total.
func FuzzParseIncrement(f *testing.F) {
	o, _ := order("261123-000001", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	o.AfterSalesStatus = 3
	good, _ := json.Marshal(map[string]any{"order_sn_increment_get_response": map[string]any{"total_count": 1, "order_sn_list": []pdd.Order{o}}})
	f.Add(good)
	f.Add([]byte(`{"order_sn_increment_get_response":{"total_count":0}}`))
	f.Add([]byte(`{"error_response":{"error_code":70031,"error_msg":"调用过于频繁"}}`))
	f.Add([]byte(`{"order_sn_increment_get_response":{"total_count":1,"order_sn_list":[{"order_sn":"x","confirm_status":1,"order_status":1,"updated_at":"2026-13-01 00:00:00"}]}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := pdd.ParseIncrement(body)
		if err != nil {
			if page.Events != nil {
				t.Fatal("an error with events")
			}
			return
		}
		for _, ev := range page.Events {
			if ev.Order == nil || ev.Order.ExternalID == "" || !ev.Order.Status.Valid() || ev.Order.UpdatedAt.IsZero() {
				t.Fatalf("accepted an incomplete event %+v", ev.Order)
			}
		}
	})
}
