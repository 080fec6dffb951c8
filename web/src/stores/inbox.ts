import { reactive } from 'vue'
import type { ApiClient } from '../api/client'
import {
  STAGES,
  type Alert,
  type Conversation,
  type ConversationStatus,
  type Message,
  type Order,
  type RealtimeEvent,
  type Stage,
} from '../api/types'

export type AssigneeFilter = 'mine' | 'none' | 'all'

export interface ListFilters {
  status: ConversationStatus | 'all'
  assignee: AssigneeFilter
  q: string
  /** Only conversations with this label ('' for all). */
  label?: string
  /** Only conversations of this inquiry category ('' for all, 'none' for not classified yet). */
  category?: string
}

export interface ThreadState {
  items: Message[]
  loaded: boolean
  loading: boolean
  loadingOlder: boolean
  hasMore: boolean
  error: string | null
}

export interface StagePage {
  nextCursor: string | null
  loading: boolean
  error: string | null
}

export interface DetailState {
  orders: Order[]
  loading: boolean
  error: string | null
}

export interface InboxHooks {
  /** A message arrived for a conversation the store does not know yet. */
  onUnknownConversation?: (conversationId: string) => void
  /** The open conversation got unread activity (it should be marked read). */
  onUnreadWhileOpen?: (conversationId: string) => void
}

export const PAGE_SIZE = 50
export const MESSAGE_PAGE_SIZE = 50
const MAX_ALERTS = 5
const READ_DEBOUNCE_MS = 400

export function defaultFilters(): ListFilters {
  return { status: 'all', assignee: 'all', q: '' }
}

function timeOf(iso: string | null | undefined): number {
  if (!iso) return Number.NEGATIVE_INFINITY
  const t = Date.parse(iso)
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t
}

/** Newest activity first; ties broken by id so the order is stable. */
export function compareConversations(a: Conversation, b: Conversation): number {
  const d = timeOf(b.last_message_at) - timeOf(a.last_message_at)
  if (d !== 0 && !Number.isNaN(d)) return d
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/** Oldest first; ties broken by id. */
export function compareMessages(a: Message, b: Message): number {
  const d = timeOf(a.created_at) - timeOf(b.created_at)
  if (d !== 0 && !Number.isNaN(d)) return d
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function previewOf(m: Pick<Message, 'type' | 'text'>): string {
  if (m.text) return m.text
  return m.type && m.type !== 'text' ? `[${m.type}]` : ''
}

/** True when `incoming` is known to describe an older state than `existing`. */
export function isStale(existing: { updated_at?: string }, incoming: { updated_at?: string }): boolean {
  if (!existing.updated_at || !incoming.updated_at) return false
  return timeOf(incoming.updated_at) < timeOf(existing.updated_at)
}

function localMatch(c: Conversation, q: string): boolean {
  const needle = q.trim().toLowerCase()
  if (!needle) return true
  return [c.customer?.name, c.customer?.id, c.last_message_preview, c.id].some(
    (v) => typeof v === 'string' && v.toLowerCase().includes(needle),
  )
}

function emptyThread(): ThreadState {
  return { items: [], loaded: false, loading: false, loadingOlder: false, hasMore: true, error: null }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export function createInboxStore(deps: { api?: ApiClient; hooks?: InboxHooks } = {}) {
  const hooks: InboxHooks = deps.hooks ?? {}

  const state = reactive({
    conversations: {} as Record<string, Conversation>,
    threads: {} as Record<string, ThreadState>,
    details: {} as Record<string, DetailState>,
    pages: Object.fromEntries(
      STAGES.map((s) => [s, { nextCursor: null, loading: false, error: null } as StagePage]),
    ) as Record<Stage, StagePage>,
    /** Ids the server returned for the current search (null when not searching). */
    searchIds: null as Record<string, true> | null,
    alerts: [] as Alert[],
    openId: null as string | null,
    userId: null as string | null,
  })

  let listGeneration = 0

  function requireApi(): ApiClient {
    if (!deps.api) throw new Error('inbox store has no API client')
    return deps.api
  }

  // ---- read state ----------------------------------------------------------

  let readTimer: ReturnType<typeof setTimeout> | null = null

  function markRead(id: string) {
    deps.api?.markRead(id).catch(() => {
      // Not fatal: the unread badge is corrected by the next update.
    })
  }

  /** New buyer activity in the open conversation: mark it read shortly (debounced). */
  function unreadWhileOpen(id: string) {
    hooks.onUnreadWhileOpen?.(id)
    if (!deps.api) return
    if (readTimer !== null) clearTimeout(readTimer)
    readTimer = setTimeout(() => {
      readTimer = null
      if (state.openId === id) markRead(id)
    }, READ_DEBOUNCE_MS)
  }

  // ---- conversations -------------------------------------------------------

  function upsertConversation(incoming: Conversation): Conversation {
    const existing = state.conversations[incoming.id]
    if (existing) {
      // A late or replayed older snapshot must not undo a newer one.
      if (isStale(existing, incoming)) return existing
      Object.assign(existing, incoming)
    } else {
      state.conversations[incoming.id] = { ...incoming }
    }
    const c = state.conversations[incoming.id]
    if (c.id === state.openId && c.unread_count > 0) {
      c.unread_count = 0
      unreadWhileOpen(c.id)
    }
    return c
  }

  function matches(c: Conversation, f: ListFilters): boolean {
    if (f.status !== 'all' && c.status !== f.status) return false
    if (f.assignee === 'mine' && (!state.userId || c.assignee_id !== state.userId)) return false
    if (f.assignee === 'none' && c.assignee_id) return false
    if (f.label && !(c.labels ?? []).includes(f.label)) return false
    if (f.category && (c.category ?? '') !== (f.category === 'none' ? '' : f.category)) return false
    if (f.q.trim()) {
      const fromServer = state.searchIds?.[c.id] === true
      if (!fromServer && !localMatch(c, f.q)) return false
    }
    return true
  }

  /** The conversations of one stage tab, newest activity first. */
  function listFor(stage: Stage, f: ListFilters): Conversation[] {
    return Object.values(state.conversations)
      .filter((c) => c.stage === stage && matches(c, f))
      .sort(compareConversations)
  }

  function unreadTotal(stage: Stage, f: ListFilters): number {
    let n = 0
    for (const c of Object.values(state.conversations)) {
      if (c.stage === stage && matches(c, f)) n += c.unread_count || 0
    }
    return n
  }

  /** Moves a conversation up when a newer message arrives (idempotent). */
  function touchFromMessage(m: Message) {
    const c = state.conversations[m.conversation_id]
    if (!c) {
      hooks.onUnknownConversation?.(m.conversation_id)
      return
    }
    if (timeOf(m.created_at) > timeOf(c.last_message_at)) {
      c.last_message_at = m.created_at
      c.last_message_preview = previewOf(m)
      if (m.direction === 'in') {
        if (c.id === state.openId) unreadWhileOpen(c.id)
        else c.unread_count = (c.unread_count || 0) + 1
      }
    }
  }

  // ---- messages ------------------------------------------------------------

  function upsertMessage(m: Message, opts: { onlyIfMissing?: boolean } = {}): boolean {
    const t = state.threads[m.conversation_id]
    if (!t) return false
    const i = t.items.findIndex((x) => x.id === m.id)
    if (i >= 0) {
      if (!opts.onlyIfMissing && !isStale(t.items[i], m)) {
        const before = t.items[i]
        const merged = { ...before, ...m }
        t.items.splice(i, 1, merged)
        if (merged.created_at !== before.created_at) t.items.sort(compareMessages)
      }
      return false
    }
    const last = t.items[t.items.length - 1]
    t.items.push({ ...m })
    if (last && compareMessages(last, m) > 0) t.items.sort(compareMessages)
    return true
  }

  /** Shows a just-sent reply before the server confirms it. */
  function addLocalMessage(conversationId: string, id: string, text: string, status: Message['status'] = 'pending') {
    const m: Message = {
      id,
      conversation_id: conversationId,
      direction: 'out',
      type: 'text',
      text,
      status,
      created_at: new Date().toISOString(),
    }
    // Never overwrite: the live event may already have delivered a newer status.
    upsertMessage(m, { onlyIfMissing: true })
    touchFromMessage(m)
  }

  // ---- realtime ------------------------------------------------------------

  function applyEvent(ev: RealtimeEvent) {
    switch (ev.type) {
      case 'message.created':
        upsertMessage(ev.data)
        touchFromMessage(ev.data)
        break
      case 'message.updated':
        upsertMessage(ev.data)
        break
      case 'conversation.updated':
        upsertConversation(ev.data)
        break
      case 'alert.created': {
        const a = ev.data
        if (a.id && state.alerts.some((x) => x.id === a.id)) break
        state.alerts.unshift({ ...a })
        if (state.alerts.length > MAX_ALERTS) state.alerts.length = MAX_ALERTS
        break
      }
    }
  }

  function dismissAlert(index: number) {
    state.alerts.splice(index, 1)
  }

  // ---- loading -------------------------------------------------------------

  function queryFor(f: ListFilters) {
    return {
      status: f.status === 'all' ? undefined : f.status,
      assignee: f.assignee === 'mine' ? 'me' : f.assignee === 'none' ? 'none' : undefined,
      q: f.q.trim() || undefined,
      label: f.label || undefined,
      category: f.category || undefined,
      limit: PAGE_SIZE,
    }
  }

  /** (Re)loads the first page of every stage tab for the given filters. */
  async function loadLists(f: ListFilters) {
    const api = requireApi()
    const gen = ++listGeneration
    const keep = state.openId ? state.conversations[state.openId] : undefined
    state.conversations = keep ? { [keep.id]: keep } : {}
    state.searchIds = f.q.trim() ? {} : null
    await Promise.all(
      STAGES.map(async (stage) => {
        await fetchPage(api, stage, f, undefined, gen)
      }),
    )
  }

  async function loadMore(stage: Stage, f: ListFilters) {
    const api = requireApi()
    const page = state.pages[stage]
    if (!page.nextCursor || page.loading) return
    await fetchPage(api, stage, f, page.nextCursor, listGeneration)
  }

  /** Loads one page of a stage's list; a newer load (generation) makes this one moot. */
  async function fetchPage(api: ReturnType<typeof requireApi>, stage: Stage, f: ListFilters, cursor: string | undefined, gen: number) {
    const page = state.pages[stage]
    page.loading = true
    page.error = null
    try {
      const res = await api.listConversations({ stage, ...queryFor(f), ...(cursor ? { cursor } : {}) })
      if (gen !== listGeneration) return
      for (const c of res.items ?? []) {
        upsertConversation(c)
        if (state.searchIds) state.searchIds[c.id] = true
      }
      page.nextCursor = res.next_cursor || null
    } catch (err) {
      if (gen === listGeneration) page.error = errorText(err)
    } finally {
      if (gen === listGeneration) page.loading = false
    }
  }

  async function loadDetail(id: string) {
    const api = requireApi()
    const d = (state.details[id] ??= { orders: [], loading: false, error: null })
    d.loading = true
    d.error = null
    try {
      const res = await api.getConversation(id)
      const { orders, ...conversation } = res
      upsertConversation(conversation)
      d.orders = orders ?? []
    } catch (err) {
      d.error = errorText(err)
    } finally {
      d.loading = false
    }
  }

  async function loadMessages(id: string) {
    const api = requireApi()
    const t = (state.threads[id] ??= emptyThread())
    t.loading = true
    t.error = null
    try {
      const res = await api.listMessages(id, { limit: MESSAGE_PAGE_SIZE })
      const items = res.items ?? []
      for (const m of items) upsertMessage({ ...m, conversation_id: m.conversation_id || id })
      t.hasMore = items.length >= MESSAGE_PAGE_SIZE
      t.loaded = true
    } catch (err) {
      t.error = errorText(err)
    } finally {
      t.loading = false
    }
  }

  async function loadOlder(id: string) {
    const api = requireApi()
    const t = state.threads[id]
    if (!t || !t.loaded || t.loadingOlder || !t.hasMore || t.items.length === 0) return
    t.loadingOlder = true
    try {
      const res = await api.listMessages(id, { before: t.items[0].id, limit: MESSAGE_PAGE_SIZE })
      const items = res.items ?? []
      for (const m of items) upsertMessage({ ...m, conversation_id: m.conversation_id || id })
      t.hasMore = items.length >= MESSAGE_PAGE_SIZE
    } catch (err) {
      t.error = errorText(err)
    } finally {
      t.loadingOlder = false
    }
  }

  /** Opens a conversation: loads its thread and orders, and clears its unread count. */
  function open(id: string | null) {
    state.openId = id
    if (!id) return
    const c = state.conversations[id]
    if (c) c.unread_count = 0
    markRead(id)
    if (!state.threads[id]?.loaded) void loadMessages(id)
    void loadDetail(id)
  }

  return {
    state,
    upsertConversation,
    upsertMessage,
    addLocalMessage,
    applyEvent,
    dismissAlert,
    listFor,
    unreadTotal,
    matches,
    loadLists,
    loadMore,
    loadDetail,
    loadMessages,
    loadOlder,
    open,
  }
}

export type InboxStore = ReturnType<typeof createInboxStore>
