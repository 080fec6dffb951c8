import type { QuickReply } from '../api/desk'

/** A "/word" being typed in the composer: where it starts and what follows the slash. */
export interface SlashQuery {
  start: number
  end: number
  query: string
}

/**
 * The slash command the caret is in: a "/" at the start of the text or after a space or
 * line break, followed by anything but spaces up to the caret. Null when there is none.
 */
export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  const before = text.slice(0, caret)
  const m = /(^|\s)\/([^\s/]*)$/u.exec(before)
  if (!m) return null
  const start = caret - m[2].length - 1
  return { start, end: caret, query: m[2] }
}

/** The quick replies matching a query: by title first, then by text; step order kept. */
export function filterQuickReplies(list: readonly QuickReply[], query: string): QuickReply[] {
  const q = query.trim().toLowerCase()
  if (!q) return [...list]
  const byTitle = list.filter((r) => r.title.toLowerCase().includes(q))
  const byText = list.filter((r) => !byTitle.includes(r) && (r.rendered ?? r.text).toLowerCase().includes(q))
  return [...byTitle, ...byText]
}

/** The composer text with the slash command replaced by the reply, and the new caret. */
export function applyQuickReply(text: string, slash: SlashQuery, reply: QuickReply): { text: string; caret: number } {
  const body = reply.rendered ?? reply.text
  const next = text.slice(0, slash.start) + body + text.slice(slash.end)
  return { text: next, caret: slash.start + body.length }
}
