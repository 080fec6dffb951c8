package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/chatbridge/chatbridge/internal/store"
	"github.com/chatbridge/chatbridge/models"
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

// The matching rules below are mirrored exactly by the web composer's live warning
// (web/src/utils/phrases.ts); both are tested against testdata/forbidden_phrases.json.
//
//  1. Normalise: Unicode NFKC (full-width letters, digits and punctuation become their
//     ordinary forms), then A–Z to a–z.
//  2. Drop every character of the Unicode categories P (punctuation), S (symbols),
//     Z (separators) and C (controls, format characters such as zero-width spaces),
//     and the ASCII whitespace characters.
//  3. A phrase is split at each "xx" (its "XX" placeholders); its parts must occur in
//     the reply in order, each gap at most maxGap characters.

// maxGap bounds how many characters an "XX" in a phrase may stand for.
const maxGap = 20

// maxPhraseLen bounds a phrase a supervisor adds.
const maxPhraseLen = 100

// normalize applies rules 1 and 2.
func normalize(s string) []rune {
	s = norm.NFKC.String(s)
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if dropped(r) {
			continue
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		out = append(out, r)
	}
	return out
}

func dropped(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' ||
		unicode.In(r, unicode.P, unicode.S, unicode.Z, unicode.C)
}

// NormalizePhrase is a phrase as the matcher sees it: two spellings of the same phrase
// normalise alike, which is how a shop's list keeps one of them.
func NormalizePhrase(phrase string) string { return string(normalize(phrase)) }

// ForbiddenPhrases lists the phrases of the list that text contains.
func ForbiddenPhrases(text string, list []string) []string {
	norm := normalize(text)
	var found []string
	for _, phrase := range list {
		if matchPhrase(norm, phraseParts(phrase)) {
			found = append(found, phrase)
		}
	}
	return found
}

// phraseParts applies rule 3's split; empty parts (an "XX" at either end) are dropped.
func phraseParts(phrase string) [][]rune {
	var parts [][]rune
	for _, p := range strings.Split(string(normalize(phrase)), "xx") {
		if p != "" {
			parts = append(parts, []rune(p))
		}
	}
	return parts
}

// matchPhrase finds the first part anywhere, then each next one within maxGap.
func matchPhrase(text []rune, parts [][]rune) bool {
	if len(parts) == 0 {
		return false
	}
	for i := 0; i+len(parts[0]) <= len(text); i++ {
		if hasAt(text, i, parts[0]) && matchRest(text, i+len(parts[0]), parts[1:]) {
			return true
		}
	}
	return false
}

func matchRest(text []rune, from int, parts [][]rune) bool {
	if len(parts) == 0 {
		return true
	}
	for gap := 0; gap <= maxGap && from+gap+len(parts[0]) <= len(text); gap++ {
		if hasAt(text, from+gap, parts[0]) && matchRest(text, from+gap+len(parts[0]), parts[1:]) {
			return true
		}
	}
	return false
}

func hasAt(text []rune, i int, part []rune) bool {
	for j, r := range part {
		if text[i+j] != r {
			return false
		}
	}
	return true
}

// PhraseList answers a shop's forbidden phrases, starting the list from the standard
// phrases the first time the shop's list is read.
func (s *Service) PhraseList(ctx context.Context, shopID uint64) ([]string, error) {
	return s.phraseList(ctx, s.db, shopID)
}

// phraseList reads the list through db: the caller's transaction, when it holds one
// (the embedded store has a single connection).
func (s *Service) phraseList(ctx context.Context, db *store.DB, shopID uint64) ([]string, error) {
	rows, err := s.phrases(ctx, db, shopID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Phrase
	}
	return out, nil
}

// Phrases answers a shop's forbidden phrases with their ids, oldest first.
func (s *Service) Phrases(ctx context.Context, shopID uint64) ([]models.ForbiddenPhrase, error) {
	return s.phrases(ctx, s.db, shopID)
}

func (s *Service) phrases(ctx context.Context, db *store.DB, shopID uint64) ([]models.ForbiddenPhrase, error) {
	if err := db.StartPhraseList(ctx, shopID, s.standardPhrases()); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	rows, err := db.ForbiddenPhrases(ctx, shopID)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return rows, nil
}

func (s *Service) standardPhrases() []models.ForbiddenPhrase {
	out := make([]models.ForbiddenPhrase, len(StandardForbiddenPhrases))
	for i, p := range StandardForbiddenPhrases {
		out[i] = models.ForbiddenPhrase{Phrase: p, Normalized: NormalizePhrase(p), Standard: true}
	}
	return out
}

// AddPhrase adds a phrase to a shop's list; a phrase the list holds in another spelling
// answers store.ErrDuplicate.
func (s *Service) AddPhrase(ctx context.Context, actor *models.User, shopID uint64, phrase string) (*models.ForbiddenPhrase, error) {
	phrase = strings.TrimSpace(phrase)
	if n := utf8.RuneCountInString(phrase); n == 0 || n > maxPhraseLen {
		return nil, &models.InvalidError{Field: "phrase", Reason: fmt.Sprintf("must be 1 to %d characters", maxPhraseLen)}
	}
	if len(phraseParts(phrase)) == 0 {
		return nil, &models.InvalidError{Field: "phrase", Reason: "must contain words, not only punctuation or XX"}
	}
	if _, err := s.Phrases(ctx, shopID); err != nil {
		return nil, err
	}
	p := &models.ForbiddenPhrase{ShopID: shopID, Phrase: phrase, Normalized: NormalizePhrase(phrase), CreatedBy: &actor.ID}
	if err := s.db.AddForbiddenPhrase(ctx, p); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return p, nil
}

// RemovePhrase takes a phrase off a shop's list (standard phrases too).
func (s *Service) RemovePhrase(ctx context.Context, shopID, id uint64) error {
	if err := s.db.DeleteForbiddenPhrase(ctx, shopID, id); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}
