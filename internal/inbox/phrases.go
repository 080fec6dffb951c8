package inbox

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// StandardForbiddenPhrases are the service phrases (服务忌语) a shop's list starts with:
// blaming, rhetorical, dismissive or buck-passing lines. "XX" stands for any words.
var StandardForbiddenPhrases = []string{
	"你不是说XX吗?",
	"不是告诉你了,怎么还不明白?",
	"大点声,听不见!",
	"是我办的,不知道,不清楚。",
	"你到XX部门问问吧。",
	"你怎么连这个也不懂。",
	"这是规定,我有什么办法。",
}

// maxGap bounds how many characters an "XX" in a phrase may stand for.
const maxGap = 20

// normalize folds full-width characters, lowercases, and drops spaces, punctuation and
// symbols, so "大 点 声！听不见" matches "大点声,听不见!".
func normalize(s string) []rune {
	s = width.Fold.String(s)
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		out = append(out, unicode.ToLower(r))
	}
	return out
}

// ForbiddenPhrases lists the phrases of the list that text contains.
func ForbiddenPhrases(text string, list []string) []string {
	norm := string(normalize(text))
	var found []string
	for _, phrase := range list {
		if matchPhrase(norm, phrase) {
			found = append(found, phrase)
		}
	}
	return found
}

// matchPhrase looks for the phrase's parts in order, each "XX" gap at most maxGap runes.
func matchPhrase(norm, phrase string) bool {
	parts := strings.Split(strings.ToLower(width.Fold.String(phrase)), "xx")
	for i := range parts {
		parts[i] = string(normalize(parts[i]))
	}
	for start := 0; start <= len(norm); {
		idx := strings.Index(norm[start:], parts[0])
		if idx < 0 || parts[0] == "" && start > 0 {
			return false
		}
		if matchRest(norm[start+idx+len(parts[0]):], parts[1:]) {
			return true
		}
		_, size := firstRune(norm[start+idx:])
		start += idx + size
	}
	return false
}

func matchRest(rest string, parts []string) bool {
	if len(parts) == 0 {
		return true
	}
	runes := []rune(rest)
	for gap := 0; gap <= maxGap && gap <= len(runes); gap++ {
		tail := string(runes[gap:])
		if strings.HasPrefix(tail, parts[0]) && matchRest(tail[len(parts[0]):], parts[1:]) {
			return true
		}
	}
	return false
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}
