package kuaidi100

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Sign signs a real-time query: UPPER(MD5(param + key + customer)).
func Sign(param, key, customer string) string {
	return upperMD5(param + key + customer)
}

// PushSign signs a push callback: UPPER(MD5(param + salt)), the salt being the one
// given when the parcel was subscribed.
func PushSign(param, salt string) string {
	return upperMD5(param + salt)
}

// VerifyPush checks a push's sign in constant time.
func VerifyPush(param, salt, sign string) bool {
	want := PushSign(param, salt)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToUpper(sign))) == 1
}

func upperMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
