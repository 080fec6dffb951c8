package generic

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Headers of the generic channel, both directions.
const (
	HeaderTimestamp = "X-ChatBridge-Timestamp"
	HeaderSignature = "X-ChatBridge-Signature"
)

// MaxSkew is how far a webhook's timestamp may be from the server's clock.
const MaxSkew = 300 * time.Second

// Sign returns the X-ChatBridge-Signature value of a body sent at timestamp:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a delivery's timestamp and signature against the channel secret.
func Verify(secret, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" {
		return fmt.Errorf("%w: missing %s header", adapters.ErrUnauthorized, HeaderTimestamp)
	}
	if signature == "" {
		return fmt.Errorf("%w: missing %s header", adapters.ErrUnauthorized, HeaderSignature)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is not Unix seconds", adapters.ErrUnauthorized, HeaderTimestamp)
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("%w: timestamp is %s from the server clock (max %s)", adapters.ErrUnauthorized, skew.Round(time.Second), MaxSkew)
	}
	want := Sign(secret, timestamp, body)
	if !strings.HasPrefix(signature, "sha256=") || !hmac.Equal([]byte(want), []byte(signature)) {
		return fmt.Errorf("%w: signature does not match", adapters.ErrUnauthorized)
	}
	return nil
}
