// Package search turns text into the terms of the inbox search index. MariaDB's InnoDB
// FULLTEXT has no parser for Chinese and LIKE '%...%' reads every message, so ChatBridge
// keeps its own index (conversation_terms): the terms of each message are written as it
// is stored, and a query is split into terms the same way and looked up there.
//
// A term is a pair of adjacent Chinese (or Japanese, Korean) characters, or a whole word
// of letters and digits in other scripts, after NFKC folding (full-width to half-width)
// and lower-casing. So 保温杯 is found by 保温 and 温杯, "Tangerine" by "tangerine".
package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTermBytes is the longest term stored; a longer word is cut to it (at a rune
// boundary), in the index and in queries alike.
const MaxTermBytes = 32

// maxTerms bounds the terms taken from one text, so a pasted essay cannot flood the index.
const maxTerms = 256

// Terms answers the distinct terms of a text, sorted (a stable insert order keeps
// concurrent writers of the index from deadlocking).
func Terms(text string) []string {
	text = strings.ToLower(norm.NFKC.String(text))
	seen := map[string]struct{}{}
	var word []rune
	var prevCJK rune
	flush := func() {
		if len(word) >= 2 {
			seen[cut(string(word))] = struct{}{}
		}
		word = word[:0]
	}
	for _, r := range text {
		if len(seen) >= maxTerms {
			break
		}
		switch {
		case isCJK(r):
			flush()
			if prevCJK != 0 {
				seen[string([]rune{prevCJK, r})] = struct{}{}
			}
			prevCJK = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			word = append(word, r)
		default:
			flush()
		}
		prevCJK = 0
	}
	flush()
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// isCJK tells the scripts written without spaces, indexed by character pairs.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func cut(s string) string {
	if len(s) <= MaxTermBytes {
		return s
	}
	n := MaxTermBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
