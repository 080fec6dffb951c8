package generic

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

// Regression pin for the signature scheme of the generic channel. The expected value was
// computed once, outside Go, with:
//
//	printf '%s' '1763884800.{"event":"message"}' | openssl dgst -sha256 -hmac 's3cr3t'
//
// If this test fails, every relay that signs with the documented scheme stops working.
const (
	pinSecret    = "s3cr3t"
	pinTimestamp = "1763884800"
	pinBody      = `{"event":"message"}`
	pinHex       = "f67684d47f320c813b05509f167bc302735d5f968d1ff1c6d0b645b52d509d70"
)

func TestSignFixedVector(t *testing.T) {
	got := Sign(pinSecret, pinTimestamp, []byte(pinBody))
	if want := "sha256=" + pinHex; got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}

	// The same value, recomputed with crypto/hmac straight from the contract's wording:
	// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + raw body)).
	mac := hmac.New(sha256.New, []byte(pinSecret))
	mac.Write([]byte(pinTimestamp + "." + pinBody))
	if independent := hex.EncodeToString(mac.Sum(nil)); independent != pinHex {
		t.Fatalf("crypto/hmac gives %s, the pinned vector is %s", independent, pinHex)
	}
}

func TestSignDependsOnEveryInput(t *testing.T) {
	base := Sign(pinSecret, pinTimestamp, []byte(pinBody))
	tests := []struct {
		name             string
		secret, ts       string
		body             string
		wantSameAsPinned bool
	}{
		{"same inputs", pinSecret, pinTimestamp, pinBody, true},
		{"other secret", "s3cr3T", pinTimestamp, pinBody, false},
		{"other timestamp", pinSecret, "1763884801", pinBody, false},
		{"other body", pinSecret, pinTimestamp, `{"event":"messagE"}`, false},
		// The "." separator keeps (ts, body) pairs from colliding when digits move across.
		{"digit moved from timestamp to body", pinSecret, "176388480", "0" + pinBody, false},
		{"empty secret", "", pinTimestamp, pinBody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sign(tt.secret, tt.ts, []byte(tt.body))
			if !strings.HasPrefix(got, "sha256=") || len(got) != len("sha256=")+64 {
				t.Fatalf("Sign = %q, want sha256= and 64 hex digits", got)
			}
			if (got == base) != tt.wantSameAsPinned {
				t.Fatalf("Sign = %q; same as pinned = %v, want %v", got, got == base, tt.wantSameAsPinned)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	const secret = "channel-secret"
	now := time.Unix(1763884800, 0)
	body := []byte(`{"event":"message","message":{"id":"m1","customer":{"id":"b1"},"text":"hi"}}`)
	tsAt := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	ts := tsAt(0)
	good := Sign(secret, ts, body)

	// One byte of the body changed: "hi" → "hI".
	tampered := []byte(strings.Replace(string(body), `"hi"`, `"hI"`, 1))
	if len(tampered) != len(body) {
		t.Fatal("tampered body must differ by exactly one byte")
	}

	tests := []struct {
		name      string
		secret    string
		timestamp string
		signature string
		body      []byte
		wantErr   string // substring of the error; "" means Verify must accept
	}{
		{name: "good signature", secret: secret, timestamp: ts, signature: good, body: body},
		{name: "empty body signed", secret: secret, timestamp: ts, signature: Sign(secret, ts, nil), body: nil},
		{name: "missing timestamp", secret: secret, timestamp: "", signature: good, body: body,
			wantErr: "missing " + HeaderTimestamp},
		{name: "missing signature", secret: secret, timestamp: ts, signature: "", body: body,
			wantErr: "missing " + HeaderSignature},
		{name: "non-numeric timestamp", secret: secret, timestamp: "yesterday", signature: Sign(secret, "yesterday", body), body: body,
			wantErr: "not Unix seconds"},
		{name: "timestamp in milliseconds", secret: secret, timestamp: ts + "000", signature: Sign(secret, ts+"000", body), body: body,
			wantErr: "from the server clock"},
		{name: "fractional timestamp", secret: secret, timestamp: ts + ".5", signature: Sign(secret, ts+".5", body), body: body,
			wantErr: "not Unix seconds"},
		{name: "301 s in the past", secret: secret, timestamp: tsAt(-301 * time.Second), signature: Sign(secret, tsAt(-301*time.Second), body), body: body,
			wantErr: "from the server clock"},
		{name: "301 s in the future", secret: secret, timestamp: tsAt(301 * time.Second), signature: Sign(secret, tsAt(301*time.Second), body), body: body,
			wantErr: "from the server clock"},
		{name: "299 s in the past", secret: secret, timestamp: tsAt(-299 * time.Second), signature: Sign(secret, tsAt(-299*time.Second), body), body: body},
		{name: "299 s in the future", secret: secret, timestamp: tsAt(299 * time.Second), signature: Sign(secret, tsAt(299*time.Second), body), body: body},
		// "rejected when more than 300 s from the server's clock": exactly 300 s is still fresh.
		{name: "exactly 300 s in the past", secret: secret, timestamp: tsAt(-300 * time.Second), signature: Sign(secret, tsAt(-300*time.Second), body), body: body},
		{name: "exactly 300 s in the future", secret: secret, timestamp: tsAt(300 * time.Second), signature: Sign(secret, tsAt(300*time.Second), body), body: body},
		{name: "far-future timestamp does not overflow", secret: secret, timestamp: "9223372036854775807", signature: Sign(secret, "9223372036854775807", body), body: body,
			wantErr: "from the server clock"},
		{name: "far-past timestamp does not overflow", secret: secret, timestamp: "-9223372036854775808", signature: Sign(secret, "-9223372036854775808", body), body: body,
			wantErr: "from the server clock"},
		{name: "signature over a different body", secret: secret, timestamp: ts, signature: Sign(secret, ts, []byte(`{"event":"order"}`)), body: body,
			wantErr: "signature does not match"},
		{name: "signature made with another secret", secret: secret, timestamp: ts, signature: Sign("another-secret", ts, body), body: body,
			wantErr: "signature does not match"},
		{name: "signature over another timestamp", secret: secret, timestamp: ts, signature: Sign(secret, tsAt(-1*time.Second), body), body: body,
			wantErr: "signature does not match"},
		{name: "signature without sha256= prefix", secret: secret, timestamp: ts, signature: strings.TrimPrefix(good, "sha256="), body: body,
			wantErr: "signature does not match"},
		{name: "other algorithm prefix", secret: secret, timestamp: ts, signature: "sha1=" + strings.TrimPrefix(good, "sha256="), body: body,
			wantErr: "signature does not match"},
		// The contract says hex; Sign emits lowercase. Uppercase hex is a different header
		// value and is deliberately treated as a mismatch, not normalised.
		{name: "uppercase hex", secret: secret, timestamp: ts, signature: "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body: body,
			wantErr: "signature does not match"},
		{name: "uppercase prefix", secret: secret, timestamp: ts, signature: "SHA256=" + strings.TrimPrefix(good, "sha256="), body: body,
			wantErr: "signature does not match"},
		{name: "truncated signature", secret: secret, timestamp: ts, signature: good[:len(good)-1], body: body,
			wantErr: "signature does not match"},
		{name: "signature with trailing space", secret: secret, timestamp: ts, signature: good + " ", body: body,
			wantErr: "signature does not match"},
		{name: "bare prefix", secret: secret, timestamp: ts, signature: "sha256=", body: body,
			wantErr: "signature does not match"},
		// A captured (timestamp, signature) pair replayed within the window with a body
		// changed by a single byte must not pass.
		{name: "replay with one byte changed", secret: secret, timestamp: ts, signature: good, body: tampered,
			wantErr: "signature does not match"},
		{name: "replay with a trailing newline", secret: secret, timestamp: ts, signature: good, body: append(append([]byte{}, body...), '\n'),
			wantErr: "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.timestamp, tt.signature, tt.body, now)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted it, want an error containing %q", tt.wantErr)
			}
			if !errors.Is(err, adapters.ErrUnauthorized) {
				t.Fatalf("Verify: %v is not adapters.ErrUnauthorized", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Verify: %q does not name the problem (want %q)", err, tt.wantErr)
			}
		})
	}
}

// The server clock may carry a fraction of a second; the window is measured from it as is.
func TestVerifySkewUsesFullClock(t *testing.T) {
	const secret = "k"
	body := []byte(`{}`)
	base := time.Unix(1763884800, 0)
	tests := []struct {
		name   string
		now    time.Time
		ts     int64
		accept bool
	}{
		{"299.9 s late", base.Add(299*time.Second + 900*time.Millisecond), base.Unix(), true},
		{"300.5 s late", base.Add(300*time.Second + 500*time.Millisecond), base.Unix(), false},
		{"299.5 s early", base.Add(500 * time.Millisecond), base.Unix() + 300, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := strconv.FormatInt(tt.ts, 10)
			err := Verify(secret, ts, Sign(secret, ts, body), body, tt.now)
			if tt.accept && err != nil {
				t.Fatalf("Verify: %v, want success", err)
			}
			if !tt.accept && !errors.Is(err, adapters.ErrUnauthorized) {
				t.Fatalf("Verify: %v, want ErrUnauthorized", err)
			}
		})
	}
}

// The error of a stale timestamp says how far off it is, to help whoever debugs a relay.
func TestVerifyStaleMessageTellsSkew(t *testing.T) {
	now := time.Unix(1763884800, 0)
	ts := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	err := Verify("k", ts, Sign("k", ts, nil), nil, now)
	if err == nil || !strings.Contains(err.Error(), "1h0m0s") || !strings.Contains(err.Error(), "max 5m0s") {
		t.Fatalf("Verify: %v, want the skew (1h0m0s) and the limit (max 5m0s)", err)
	}
}
