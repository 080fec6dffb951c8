package aftership

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// HeaderSignature carries a webhook's signature.
const HeaderSignature = "aftership-hmac-sha256"

// Sign is a webhook's signature: base64(HMAC-SHA256(webhook secret, raw body)).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature in constant time, on the decoded bytes.
func Verify(secret string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || signature == "" {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
