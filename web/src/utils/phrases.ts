// The forbidden-phrase matcher of the composer's live warning. It mirrors the server's
// (internal/inbox/phrases.go) rule for rule, so the warning shows exactly when the
// server would refuse the reply; both are tested on internal/inbox/testdata/forbidden_phrases.json.
//
//  1. Normalise: Unicode NFKC, then A–Z to a–z.
//  2. Drop every character of the Unicode categories P, S, Z and C, and ASCII whitespace.
//  3. A phrase is split at each "xx" (its "XX" placeholders); the parts must occur in
//     order, each gap at most MAX_GAP characters.

export const MAX_GAP = 20

const DROPPED = /[\p{P}\p{S}\p{Z}\p{C}\t\n\v\f\r ]/u

/** Rules 1 and 2, as an array of code points. */
export function normalizeChars(s: string): string[] {
  const out: string[] = []
  for (const ch of s.normalize('NFKC')) {
    if (DROPPED.test(ch)) continue
    out.push(ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch)
  }
  return out
}

export function normalizePhrase(s: string): string {
  return normalizeChars(s).join('')
}

function phraseParts(phrase: string): string[][] {
  return normalizePhrase(phrase)
    .split('xx')
    .filter((p) => p !== '')
    .map((p) => Array.from(p))
}

function hasAt(text: string[], i: number, part: string[]): boolean {
  for (let j = 0; j < part.length; j++) if (text[i + j] !== part[j]) return false
  return true
}

function matchRest(text: string[], from: number, parts: string[][]): boolean {
  if (parts.length === 0) return true
  const [first, ...rest] = parts
  for (let gap = 0; gap <= MAX_GAP && from + gap + first.length <= text.length; gap++) {
    if (hasAt(text, from + gap, first) && matchRest(text, from + gap + first.length, rest)) return true
  }
  return false
}

function matchPhrase(text: string[], parts: string[][]): boolean {
  if (parts.length === 0) return false
  const [first, ...rest] = parts
  for (let i = 0; i + first.length <= text.length; i++) {
    if (hasAt(text, i, first) && matchRest(text, i + first.length, rest)) return true
  }
  return false
}

/** The phrases of the list that the text contains, in list order. */
export function forbiddenPhrases(text: string, list: readonly string[]): string[] {
  const norm = normalizeChars(text)
  return list.filter((p) => matchPhrase(norm, phraseParts(p)))
}
