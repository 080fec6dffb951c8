import { reactive } from 'vue'
import type { ConversationEvent, DeskApi, QuickReply, StaffMember } from '../api/desk'
import type { Conversation, Message } from '../api/types'
import { forbiddenPhrases } from '../utils/phrases'

/** One row of the thread: a message, or a system event or private note between them. */
export type TimelineItem =
  | { type: 'message'; key: string; at: string; message: Message }
  | { type: 'event'; key: string; at: string; event: ConversationEvent }

function time(iso: string): number {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? 0 : t
}

/**
 * Merges a thread's messages with its events, oldest first. Events older than the
 * oldest loaded message wait until older messages are loaded (so paging back does not
 * show a wall of old events), except when the thread is complete.
 */
export function timeline(messages: readonly Message[], events: readonly ConversationEvent[], complete: boolean): TimelineItem[] {
  const from = !complete && messages.length > 0 ? time(messages[0].created_at) : Number.NEGATIVE_INFINITY
  const items: TimelineItem[] = messages.map((m) => ({ type: 'message', key: `m${m.id}`, at: m.created_at, message: m }))
  for (const e of events) {
    if (time(e.created_at) >= from) items.push({ type: 'event', key: `e${e.id}`, at: e.created_at, event: e })
  }
  // Stable: equal times keep messages before the events they caused.
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => time(a.it.at) - time(b.it.at) || a.i - b.i)
    .map(({ it }) => it)
}

/**
 * The staff a chat or a ticket can be given to: agents and supervisors (admins and
 * packers serve no chats), except one (the user handing a chat on).
 */
export function servingStaff(staff: readonly StaffMember[], except?: string | null): StaffMember[] {
  return staff.filter((s) => s.id !== except && (s.role === 'agent' || s.role === 'supervisor'))
}

/**
 * Whether a conversation update is a new chat for this user to be told about (desktop
 * notification and sound): it became theirs, or it is new and waiting unassigned.
 */
export function isNewChatFor(userId: string | null, before: Conversation | undefined, after: Conversation): boolean {
  if (!userId || after.status === 'resolved') return false
  const mineNow = after.assignee_id === userId
  const mineBefore = before?.assignee_id === userId
  if (mineNow && !mineBefore) return true
  return !before && !after.assignee_id
}

export function createDeskStore(api: DeskApi) {
  const state = reactive({
    phrases: [] as string[],
    phrasesLoaded: false,
    events: {} as Record<string, ConversationEvent[]>,
    quickReplies: {} as Record<string, QuickReply[]>,
    staff: [] as StaffMember[],
  })

  async function loadPhrases() {
    const res = await api.phrases()
    state.phrases = res.items.map((p) => p.phrase)
    state.phrasesLoaded = true
  }

  /** The phrases of the shop's list that a draft contains (the live warning). */
  function warningsFor(text: string): string[] {
    return text.trim() ? forbiddenPhrases(text, state.phrases) : []
  }

  async function loadEvents(conversationId: string) {
    const res = await api.events(conversationId)
    state.events[conversationId] = res.items ?? []
  }

  /** A live conversation.event; applied once however often it is replayed. */
  function applyEvent(e: ConversationEvent) {
    const list = state.events[e.conversation_id]
    if (!list || list.some((x) => x.id === e.id)) return
    list.push(e)
  }

  async function loadQuickReplies(conversationId: string) {
    const res = await api.quickRepliesFor(conversationId)
    state.quickReplies[conversationId] = res.items ?? []
  }

  async function loadStaff() {
    state.staff = (await api.staff()).items ?? []
  }

  function staffName(id: string | null | undefined): string {
    if (!id) return ''
    const u = state.staff.find((s) => s.id === id)
    if (!u) return id
    return u.agent_no ? `${u.display_name || u.username} (${u.agent_no})` : u.display_name || u.username
  }

  return { state, loadPhrases, warningsFor, loadEvents, applyEvent, loadQuickReplies, loadStaff, staffName }
}

export type DeskStore = ReturnType<typeof createDeskStore>
