package taobao

import (
	"strings"
	"testing"
)

// The official vector of the TOP signing guide.
func TestSignOfficialMD5Vector(t *testing.T) {
	params := map[string]string{
		"method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
		"timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0", "sign_method": "md5",
		"fields": "num_iid,title,nick,price,num", "num_iid": "11223344",
	}
	got, err := Sign(SignMD5, "helloworld", params)
	if err != nil {
		t.Fatal(err)
	}
	if got != "66987CB115214E59E6EC978214934FB8" {
		t.Fatalf("sign = %s, want 66987CB115214E59E6EC978214934FB8", got)
	}
	// sign itself and empty values are not signed.
	params["sign"], params["empty"] = "ANYTHING", ""
	if again, _ := Sign(SignMD5, "helloworld", params); again != got {
		t.Fatalf("sign with sign and an empty value present = %s", again)
	}
}

// The HMAC paths pinned to the RFC vectors: {"Hi":" There"} concatenates to "Hi There".
func TestSignHMACPathsMatchRFCVectors(t *testing.T) {
	params := map[string]string{"Hi": " There"}
	cases := []struct {
		method, key, want string
	}{
		{SignHMAC, strings.Repeat("\x0b", 16), "9294727A3638BB1C13F48EF8158BFC9D"},                                       // RFC 2202
		{SignHMACSHA256, strings.Repeat("\x0b", 20), "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7"}, // RFC 4231
	}
	for _, c := range cases {
		got, err := Sign(c.method, c.key, params)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s = %s, want %s", c.method, got, c.want)
		}
	}
	if _, err := Sign("sha1", "k", params); err == nil {
		t.Error("an unknown sign method was accepted")
	}
}
