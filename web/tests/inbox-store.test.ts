import { describe, expect, it, vi } from 'vitest'
import type { ApiClient } from '../src/api/client'
import type { Conversation, Message } from '../src/api/types'
import { createInboxStore, defaultFilters, type ListFilters } from '../src/stores/inbox'

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  shop_id: 's1',
  channel_id: 'ch1',
  customer: { id: `b-${id}`, name: `Buyer ${id}` },
  stage: 'pre_sale',
  status: 'open',
  assignee_id: null,
  last_message_at: '2026-01-01T10:00:00Z',
  last_message_preview: 'hello',
  unread_count: 0,
  ...over,
})

const msg = (id: string, conversationId: string, createdAt: string, over: Partial<Message> = {}): Message => ({
  id,
  conversation_id: conversationId,
  direction: 'in',
  type: 'text',
  text: `text ${id}`,
  status: 'received',
  created_at: createdAt,
  ...over,
})

function withThread(store: ReturnType<typeof createInboxStore>, id: string, items: Message[] = []) {
  store.state.threads[id] = { items, loaded: true, loading: false, loadingOlder: false, hasMore: false, error: null }
}

const all = defaultFilters()
const ids = (list: Conversation[]) => list.map((c) => c.id)

describe('inbox store: conversations', () => {
  it('upserts conversation.updated by id and orders by last activity, newest first', () => {
    const store = createInboxStore()
    store.applyEvent({ type: 'conversation.updated', data: conv('a', { last_message_at: '2026-01-01T10:00:00Z' }) })
    store.applyEvent({ type: 'conversation.updated', data: conv('b', { last_message_at: '2026-01-01T11:00:00Z' }) })
    store.applyEvent({ type: 'conversation.updated', data: conv('c', { last_message_at: '2026-01-01T09:30:00.5Z' }) })
    expect(ids(store.listFor('pre_sale', all))).toEqual(['b', 'a', 'c'])

    // Same event again (a replay): still three conversations.
    store.applyEvent({ type: 'conversation.updated', data: conv('b', { last_message_at: '2026-01-01T11:00:00Z' }) })
    expect(Object.keys(store.state.conversations)).toHaveLength(3)

    // New activity moves a conversation to the top.
    store.applyEvent({
      type: 'conversation.updated',
      data: conv('c', { last_message_at: '2026-01-01T12:00:00Z', last_message_preview: 'still there?', unread_count: 2 }),
    })
    expect(ids(store.listFor('pre_sale', all))).toEqual(['c', 'b', 'a'])
    expect(store.state.conversations.c.last_message_preview).toBe('still there?')
  })

  it('moves a conversation to another tab when its stage changes', () => {
    const store = createInboxStore()
    store.applyEvent({ type: 'conversation.updated', data: conv('a', { unread_count: 3 }) })
    store.applyEvent({ type: 'conversation.updated', data: conv('b', { unread_count: 1 }) })
    expect(store.unreadTotal('pre_sale', all)).toBe(4)
    expect(store.unreadTotal('after_sale', all)).toBe(0)

    store.applyEvent({ type: 'conversation.updated', data: conv('a', { stage: 'after_sale', unread_count: 3 }) })
    expect(ids(store.listFor('pre_sale', all))).toEqual(['b'])
    expect(ids(store.listFor('after_sale', all))).toEqual(['a'])
    expect(store.unreadTotal('pre_sale', all)).toBe(1)
    expect(store.unreadTotal('after_sale', all)).toBe(3)
  })

  it('applies the status, assignee and search filters', () => {
    const store = createInboxStore()
    store.state.userId = 'me-1'
    store.upsertConversation(conv('a', { assignee_id: 'me-1' }))
    store.upsertConversation(conv('b', { assignee_id: 'other', status: 'pending' }))
    store.upsertConversation(conv('c', { status: 'resolved', customer: { id: 'x', name: '张三' } }))
    const f = (over: Partial<ListFilters>): ListFilters => ({ ...all, ...over })
    expect(ids(store.listFor('pre_sale', f({ assignee: 'mine' })))).toEqual(['a'])
    expect(ids(store.listFor('pre_sale', f({ assignee: 'none' })))).toEqual(['c'])
    expect(ids(store.listFor('pre_sale', f({ status: 'pending' })))).toEqual(['b'])
    expect(ids(store.listFor('pre_sale', f({ q: '张' })))).toEqual(['c'])
  })

  it('applies the category filter, none meaning not classified yet', () => {
    const store = createInboxStore()
    store.upsertConversation(conv('a', { category: 'complaint' }))
    store.upsertConversation(conv('b', { category: 'logistics' }))
    store.upsertConversation(conv('c', { category: '' }))
    store.upsertConversation(conv('d'))
    const f = (over: Partial<ListFilters>): ListFilters => ({ ...all, ...over })
    expect(ids(store.listFor('pre_sale', f({ category: 'complaint' })))).toEqual(['a'])
    expect(ids(store.listFor('pre_sale', f({ category: 'none' }))).sort()).toEqual(['c', 'd'])
    expect(ids(store.listFor('pre_sale', f({ category: '' }))).sort()).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('inbox store: messages', () => {
  it('applies message.created idempotently and counts unread once', () => {
    const store = createInboxStore()
    store.upsertConversation(conv('c1', { last_message_at: '2026-01-01T09:00:00Z' }))
    store.upsertConversation(conv('c2', { last_message_at: '2026-01-01T09:30:00Z' }))
    withThread(store, 'c1')

    const m = msg('m1', 'c1', '2026-01-01T10:00:00Z', { text: '还有货吗' })
    store.applyEvent({ type: 'message.created', data: m })
    store.applyEvent({ type: 'message.created', data: m })

    expect(store.state.threads.c1.items).toHaveLength(1)
    expect(store.state.conversations.c1.unread_count).toBe(1)
    expect(store.state.conversations.c1.last_message_preview).toBe('还有货吗')
    expect(ids(store.listFor('pre_sale', all))).toEqual(['c1', 'c2'])
  })

  it('keeps the thread oldest first, whatever order the messages arrive in', () => {
    const store = createInboxStore()
    store.upsertConversation(conv('c1'))
    withThread(store, 'c1')
    store.upsertMessage(msg('m2', 'c1', '2026-01-01T10:02:00Z'))
    store.upsertMessage(msg('m3', 'c1', '2026-01-01T10:03:00Z'))
    store.upsertMessage(msg('m1', 'c1', '2026-01-01T10:01:00Z'))
    expect(store.state.threads.c1.items.map((x) => x.id)).toEqual(['m1', 'm2', 'm3'])
  })

  it('updates the status of a sent reply without duplicating it', () => {
    const store = createInboxStore()
    store.upsertConversation(conv('c1'))
    withThread(store, 'c1')
    store.addLocalMessage('c1', 'm9', '您好，已为您备注', 'pending')
    expect(store.state.threads.c1.items).toMatchObject([{ id: 'm9', status: 'pending', direction: 'out' }])

    store.applyEvent({
      type: 'message.created',
      data: msg('m9', 'c1', '2026-01-01T10:05:00Z', { direction: 'out', status: 'pending', text: '您好，已为您备注' }),
    })
    store.applyEvent({
      type: 'message.updated',
      data: msg('m9', 'c1', '2026-01-01T10:05:00Z', { direction: 'out', status: 'sent', text: '您好，已为您备注' }),
    })
    expect(store.state.threads.c1.items).toHaveLength(1)
    expect(store.state.threads.c1.items[0].status).toBe('sent')
    // Our own reply does not count as unread.
    expect(store.state.conversations.c1.unread_count).toBe(0)
  })

  it('does not let a late send response overwrite a newer live status', () => {
    const store = createInboxStore()
    store.upsertConversation(conv('c1'))
    withThread(store, 'c1')
    store.applyEvent({
      type: 'message.updated',
      data: msg('m9', 'c1', '2026-01-01T10:05:00Z', { direction: 'out', status: 'failed' }),
    })
    store.addLocalMessage('c1', 'm9', 'text m9', 'pending')
    expect(store.state.threads.c1.items).toHaveLength(1)
    expect(store.state.threads.c1.items[0].status).toBe('failed')
  })

  it('keeps the open conversation read and asks for it to be marked read', () => {
    const onUnreadWhileOpen = vi.fn()
    const store = createInboxStore({ hooks: { onUnreadWhileOpen } })
    store.upsertConversation(conv('c1', { unread_count: 2 }))
    withThread(store, 'c1')
    store.state.openId = 'c1'

    store.applyEvent({ type: 'message.created', data: msg('m1', 'c1', '2026-01-01T11:00:00Z') })
    expect(store.state.threads.c1.items).toHaveLength(1)
    expect(store.state.conversations.c1.unread_count).toBe(2) // untouched by the message itself
    expect(onUnreadWhileOpen).toHaveBeenCalledWith('c1')

    store.applyEvent({ type: 'conversation.updated', data: conv('c1', { unread_count: 3 }) })
    expect(store.state.conversations.c1.unread_count).toBe(0)
  })

  it('asks for conversations it does not know yet', () => {
    const onUnknownConversation = vi.fn()
    const store = createInboxStore({ hooks: { onUnknownConversation } })
    store.applyEvent({ type: 'message.created', data: msg('m1', 'new-1', '2026-01-01T11:00:00Z') })
    expect(onUnknownConversation).toHaveBeenCalledWith('new-1')
  })

  it('keeps alerts unique and bounded', () => {
    const store = createInboxStore()
    for (let i = 0; i < 8; i++) store.applyEvent({ type: 'alert.created', data: { id: `a${i}`, message: `alert ${i}` } })
    store.applyEvent({ type: 'alert.created', data: { id: 'a7', message: 'alert 7' } })
    expect(store.state.alerts.map((a) => a.id)).toEqual(['a7', 'a6', 'a5', 'a4', 'a3'])
  })
})

describe('inbox store: loading', () => {
  it('loads every stage tab, opens a conversation and marks it read', async () => {
    const calls: string[] = []
    const api = {
      listConversations: vi.fn(async (q: { stage: string }) => {
        calls.push(`list:${q.stage}`)
        return q.stage === 'in_sale'
          ? { items: [conv('x', { stage: 'in_sale', unread_count: 4 })], next_cursor: 'next-1' }
          : { items: [], next_cursor: null }
      }),
      getConversation: vi.fn(async () => ({ ...conv('x', { stage: 'in_sale', unread_count: 4 }), orders: [] })),
      listMessages: vi.fn(async () => ({ items: [msg('m1', 'x', '2026-01-01T10:00:00Z')] })),
      markRead: vi.fn(async () => undefined),
    } as unknown as ApiClient
    const store = createInboxStore({ api })
    await store.loadLists(all)
    expect(calls.sort()).toEqual(['list:after_sale', 'list:in_sale', 'list:pre_sale'])
    expect(store.state.pages.in_sale.nextCursor).toBe('next-1')
    expect(store.unreadTotal('in_sale', all)).toBe(4)

    store.open('x')
    expect(store.state.conversations.x.unread_count).toBe(0)
    expect(api.markRead).toHaveBeenCalledWith('x')
    await vi.waitFor(() => expect(store.state.threads.x.loaded).toBe(true))
    await vi.waitFor(() => expect(store.state.details.x.loading).toBe(false))
    expect(store.state.threads.x.items.map((m) => m.id)).toEqual(['m1'])
    expect(store.state.conversations.x.unread_count).toBe(0)
  })
})

describe('inbox store: stale updates', () => {
  it('ignores a conversation or message snapshot older than the one it has', () => {
    const store = createInboxStore()
    store.applyEvent({
      type: 'conversation.updated',
      data: conv('c1', { stage: 'after_sale', updated_at: '2026-01-01T10:00:05Z' }),
    })
    store.applyEvent({
      type: 'conversation.updated',
      data: conv('c1', { stage: 'pre_sale', updated_at: '2026-01-01T10:00:01Z' }),
    })
    expect(store.state.conversations.c1.stage).toBe('after_sale')

    withThread(store, 'c1')
    const sent = msg('m1', 'c1', '2026-01-01T10:00:00Z', { direction: 'out', status: 'sent', updated_at: '2026-01-01T10:00:02Z' })
    const pending = { ...sent, status: 'pending' as const, updated_at: '2026-01-01T10:00:00Z' }
    store.applyEvent({ type: 'message.updated', data: sent })
    store.applyEvent({ type: 'message.created', data: pending })
    expect(store.state.threads.c1.items).toHaveLength(1)
    expect(store.state.threads.c1.items[0].status).toBe('sent')
  })
})
