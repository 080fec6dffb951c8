package satisfaction

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// scoreWords are the labels of the usual five-point satisfaction scale (非常满意 …
// 非常不满意), taken as answers only when they are the whole message.
var scoreWords = map[string]int{
	"非常满意":  5,
	"满意":    4,
	"一般":    3,
	"不满意":   2,
	"非常不满意": 1,
}

// ParseScore reads a buyer's answer to the rating invitation. An answer is the whole
// message, apart from spaces and punctuation around it: a digit 1–5 (ASCII or full-width,
// e.g. "5", "５"), optionally followed by 分 or 星 ("5分", "４星"), or one of the five
// scale labels exactly (非常满意 5, 满意 4, 一般 3, 不满意 2, 非常不满意 1). Anything else
// ("5555", "还行吧", "满意，谢谢") is a chat message, not a rating.
func ParseScore(text string) (int, bool) {
	s := strings.TrimFunc(width.Fold.String(text), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	if n, ok := scoreWords[s]; ok {
		return n, true
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "分"), "星"))
	if len(s) == 1 && s[0] >= '1' && s[0] <= '5' {
		return int(s[0] - '0'), true
	}
	return 0, false
}
