package jd

import "testing"

// The official vector of the JOS developer guide.
func TestSignOfficialVector(t *testing.T) {
	params := map[string]string{
		"360buy_param_json": `{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}`,
		"access_token":      "yourtoken", "app_key": "yourappkey", "method": "jingdong.pop.order.search",
		"timestamp": "2021-05-07 09:20:39.683+0800", "v": "2.0",
	}
	if got := Sign("yourappSecret", params); got != "D70825340F4084360B9362B60DFD7930" {
		t.Fatalf("sign = %s, want D70825340F4084360B9362B60DFD7930", got)
	}
}
