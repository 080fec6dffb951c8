package worker

import (
	"errors"
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

func TestRetryDelayBacksOffAndHonoursThePlatformsHint(t *testing.T) {
	delay := retryDelay(time.Second)
	plain := errors.New("callback answered 500")
	for n, base := range map[int]time.Duration{0: time.Second, 1: 2 * time.Second, 3: 8 * time.Second} {
		d := delay(n, plain, nil)
		if d < base || d > base+base/4 {
			t.Errorf("retry %d waits %s, want %s plus at most a quarter of jitter", n, d, base)
		}
	}
	if d := delay(40, plain, nil); d < 10*time.Minute || d > 10*time.Minute+10*time.Minute/4 {
		t.Errorf("a late retry waits %s, want the ten-minute cap", d)
	}
	hint := &adapters.RetryAfterError{After: 7 * time.Second, Err: plain}
	if d := delay(5, hint, nil); d != 7*time.Second {
		t.Errorf("with Retry-After 7 s the retry waits %s", d)
	}
	throttled := &adapters.ThrottledError{After: 20 * time.Second, Err: plain}
	if d := delay(5, throttled, nil); d != 20*time.Second {
		t.Errorf("throttled for 20 s, the retry waits %s", d)
	}
}

// Waiting for a rate limit or another worker's pull is not a failed attempt.
func TestThrottlingDoesNotCountAsAFailure(t *testing.T) {
	if isFailure(&adapters.ThrottledError{After: time.Second, Err: errors.New("robot limit")}) {
		t.Error("a throttled task counts as a failure")
	}
	if !isFailure(errors.New("callback answered 500")) {
		t.Error("a failed task does not count as a failure")
	}
}
