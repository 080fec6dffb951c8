import { describe, expect, it } from 'vitest'
// The same cases the server's matcher is tested on: the live warning and the 422 agree.
import cases from '../../internal/inbox/testdata/forbidden_phrases.json'
import { forbiddenPhrases, normalizePhrase } from '../src/utils/phrases'

describe('forbidden phrases (shared cases with the server)', () => {
  it.each(cases.cases)('$text', ({ text, want }) => {
    expect(forbiddenPhrases(text, cases.list)).toEqual(want)
  })
  it.each(cases.normalize)('normalises $text', ({ text, want }) => {
    expect(normalizePhrase(text)).toBe(want)
  })
})
