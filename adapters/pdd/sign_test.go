package pdd

import "testing"

// The official vector of Pinduoduo's signing guide.
func TestSignOfficialVector(t *testing.T) {
	params := map[string]string{
		"access_token": "asd78172s8ds9a921j9qqwda12312w1w21211", "client_id": "1", "data_type": "XML",
		"order_status": "1", "page": "1", "page_size": "10", "timestamp": "1480411125", "type": "pdd.order.number.list.get",
	}
	if got := Sign("testSecret", params); got != "E4DE3ED21002510DED352819E7AE6775" {
		t.Fatalf("sign = %s, want E4DE3ED21002510DED352819E7AE6775", got)
	}
	params["sign"] = "IGNORED"
	if got := Sign("testSecret", params); got != "E4DE3ED21002510DED352819E7AE6775" {
		t.Fatalf("sign with a sign parameter present = %s", got)
	}
}
