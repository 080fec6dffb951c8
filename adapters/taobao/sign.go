package taobao

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"
)

// Sign methods TOP accepts (the sign_method parameter).
const (
	SignMD5        = "md5"
	SignHMAC       = "hmac"
	SignHMACSHA256 = "hmac-sha256"
)

// Sign computes TOP's sign over every parameter but sign itself: the names sorted in
// byte order, each name followed by its value with no separator (empty values
// skipped), then MD5(secret + s + secret), HMAC-MD5(secret, s) or HMAC-SHA256(secret,
// s), as uppercase hex. This follows the Java signTopRequest of the platform's
// documentation (its English prose about hmac differs from its own code).
func Sign(method, secret string, params map[string]string) (string, error) {
	names := make([]string, 0, len(params))
	for k, v := range params {
		if k != "sign" && v != "" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	s := b.String()
	var h hash.Hash
	switch method {
	case SignMD5:
		h = md5.New()
		h.Write([]byte(secret + s + secret))
	case SignHMAC:
		h = hmac.New(md5.New, []byte(secret))
		h.Write([]byte(s))
	case SignHMACSHA256:
		h = hmac.New(sha256.New, []byte(secret))
		h.Write([]byte(s))
	default:
		return "", fmt.Errorf("taobao: unknown sign_method %q (md5, hmac or hmac-sha256)", method)
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))), nil
}
