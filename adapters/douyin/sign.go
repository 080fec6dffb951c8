package douyin

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
)

// Sign methods the open platform accepts (sign_method).
const (
	SignMD5        = "md5"
	SignHMACSHA256 = "hmac-sha256"
)

// Sign computes the shop open platform's sign over
// secret + "app_key"+appKey + "method"+method + "param_json"+paramJSON +
// "timestamp"+timestamp + "v"+v + secret, as MD5 or HMAC-SHA256 (keyed by the secret),
// lowercase hex. access_token is not signed.
func Sign(signMethod, secret, appKey, method, paramJSON, timestamp, v string) (string, error) {
	p := secret + "app_key" + appKey + "method" + method + "param_json" + paramJSON + "timestamp" + timestamp + "v" + v + secret
	var h hash.Hash
	switch signMethod {
	case SignMD5:
		h = md5.New()
	case SignHMACSHA256:
		h = hmac.New(sha256.New, []byte(secret))
	default:
		return "", fmt.Errorf("douyin: unknown sign_method %q (md5 or hmac-sha256)", signMethod)
	}
	h.Write([]byte(p))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ParamJSON encodes business parameters the way the platform signs them: keys sorted
// at every depth, compact, with HTML escaping off (so & < > stay as they are). Any Go
// value is first read back as generic JSON, whose maps encoding/json sorts.
func ParamJSON(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
