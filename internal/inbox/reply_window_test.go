package inbox

import (
	"testing"
	"time"

	"github.com/chatbridge/chatbridge/adapters"
)

func TestReplyWindowOf(t *testing.T) {
	last := time.Date(2026, 11, 23, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	wecom := adapters.Traits{ReplyWindow: 48 * time.Hour, MaxRepliesInWindow: 5}
	whatsapp := adapters.Traits{ReplyWindow: 24 * time.Hour}
	for name, tc := range map[string]struct {
		tr      adapters.Traits
		last    time.Time
		replies int
		closes  time.Time
		left    *int
		none    bool
	}{
		"no window":              {tr: adapters.Traits{}, last: last, none: true},
		"buyer never wrote":      {tr: whatsapp, none: true},
		"whatsapp 24 h":          {tr: whatsapp, last: last, replies: 9, closes: last.Add(24 * time.Hour)},
		"wecom fresh":            {tr: wecom, last: last, closes: last.Add(48 * time.Hour), left: ptr(5)},
		"wecom after two":        {tr: wecom, last: last, replies: 2, closes: last.Add(48 * time.Hour), left: ptr(3)},
		"wecom spent, not below": {tr: wecom, last: last, replies: 7, closes: last.Add(48 * time.Hour), left: ptr(0)},
	} {
		w := ReplyWindowOf(tc.tr, tc.last, tc.replies)
		if tc.none {
			if w != nil {
				t.Errorf("%s: %+v, want none", name, w)
			}
			continue
		}
		if w == nil || !w.ClosesAt.Equal(tc.closes) || w.ClosesAt.Location() != time.UTC {
			t.Errorf("%s: %+v, want closing at %v in UTC", name, w, tc.closes)
			continue
		}
		if (w.RepliesLeft == nil) != (tc.left == nil) || w.RepliesLeft != nil && *w.RepliesLeft != *tc.left {
			t.Errorf("%s: replies left %v, want %v", name, w.RepliesLeft, tc.left)
		}
	}
}

func ptr(n int) *int { return &n }
