package douyin

import "testing"

// Regression pins computed from the documented algorithm (PROTOCOLS §6, [S]).
func TestSignVectors(t *testing.T) {
	for method, want := range map[string]string{
		SignMD5:        "f8231c9a093652637a1e29b17f610c8f",
		SignHMACSHA256: "0ae08d2322fa47d18dad07efe972dec04c418d8e0f4f005e1cead2522f834b06",
	} {
		got, err := Sign(method, "secretxyz", "1234567890", "order.orderDetail", `{"shop_order_id":"123"}`, "1700000000", "2")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %s, want %s", method, got, want)
		}
	}
	if _, err := Sign("sha1", "s", "a", "m", "{}", "1", "2"); err == nil {
		t.Error("an unknown sign method was accepted")
	}
}

// param_json sorts keys at every depth, is compact, and keeps & < > unescaped.
func TestParamJSONSortedCompactUnescaped(t *testing.T) {
	type inner struct {
		Zeta  string `json:"zeta"`
		Alpha int    `json:"alpha"`
	}
	v := struct {
		Remark string         `json:"remark"`
		Nested inner          `json:"nested"`
		Map    map[string]any `json:"a_map"`
		Big    int64          `json:"big"`
	}{"<改地址> & 加急", inner{"z", 1}, map[string]any{"y": []any{map[string]any{"b": 1, "a": 2}}, "x": true}, 1234567890123456789}
	got, err := ParamJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a_map":{"x":true,"y":[{"a":2,"b":1}]},"big":1234567890123456789,"nested":{"alpha":1,"zeta":"z"},"remark":"<改地址> & 加急"}`
	if got != want {
		t.Fatalf("param_json\n%s\nwant\n%s", got, want)
	}
}
