import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation, Message, RealtimeEvent } from '../src/api/types'
import { RealtimeClient, backoffDelay, eventStreamUrl, parseFrame, type SocketLike } from '../src/realtime/socket'
import { createInboxStore, defaultFilters } from '../src/stores/inbox'

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null
  onmessage: ((ev: MessageEvent) => void) | null = null
  onclose: ((ev: CloseEvent) => void) | null = null
  onerror: ((ev: Event) => void) | null = null
  closed = false
  constructor(readonly url: string) {}
  open() {
    this.onopen?.(new Event('open'))
  }
  send(frame: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) }))
  }
  drop() {
    this.onclose?.(new CloseEvent('close', { code: 1006 }))
  }
  close() {
    this.closed = true
  }
}

function harness(onEvent?: (e: RealtimeEvent) => void) {
  const sockets: FakeSocket[] = []
  const events: RealtimeEvent[] = []
  const states: string[] = []
  const client = new RealtimeClient({
    url: (since) => `ws://test/api/v1/ws${since ? `?since=${since}` : ''}`,
    onEvent: (e) => {
      events.push(e)
      onEvent?.(e)
    },
    onStateChange: (s) => states.push(s),
    createSocket: (url) => {
      const s = new FakeSocket(url)
      sockets.push(s)
      return s
    },
  })
  return { client, sockets, events, states, last: () => sockets[sockets.length - 1] }
}

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  shop_id: 's1',
  channel_id: 'ch1',
  customer: { id: `b-${id}`, name: `Buyer ${id}` },
  stage: 'pre_sale',
  status: 'open',
  assignee_id: null,
  last_message_at: '2026-01-01T10:00:00Z',
  last_message_preview: 'hi',
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

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('backoff', () => {
  it('doubles from 1s and stops at 30s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ])
  })
})

describe('RealtimeClient', () => {
  it('goes live on open and delivers parsed events', () => {
    const h = harness()
    h.client.start()
    expect(h.sockets).toHaveLength(1)
    expect(h.last().url).toBe('ws://test/api/v1/ws')
    expect(h.client.state).toBe('reconnecting')
    h.last().open()
    expect(h.client.state).toBe('live')
    h.last().send({ type: 'message.created', data: msg('m1', 'c1', '2026-01-01T10:00:00Z'), cursor: '5' })
    h.last().send('not json')
    h.last().send({ type: 'something.else', data: {}, cursor: '6' })
    expect(h.events.map((e) => e.type)).toEqual(['message.created'])
    expect(h.client.cursor).toBe('6')
  })

  it('reconnects with the last cursor and backs off 1s, 2s, 4s … up to 30s', () => {
    const h = harness()
    h.client.start()
    h.last().open()
    h.last().send({ type: 'conversation.updated', data: conv('c1'), cursor: 'cur-41' })
    h.last().send({ type: 'conversation.updated', data: conv('c1'), cursor: 'cur-42' })
    h.last().drop()
    expect(h.client.state).toBe('reconnecting')
    expect(h.states).toEqual(['live', 'reconnecting'])

    const delays = [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    for (const d of delays) {
      const before = h.sockets.length
      vi.advanceTimersByTime(d - 1)
      expect(h.sockets.length).toBe(before)
      vi.advanceTimersByTime(1)
      expect(h.sockets.length).toBe(before + 1)
      expect(h.last().url).toBe('ws://test/api/v1/ws?since=cur-42')
      h.last().drop() // fails without ever opening
    }

    // A successful connection resets the backoff.
    vi.advanceTimersByTime(30000)
    h.last().open()
    expect(h.client.state).toBe('live')
    h.last().send({ type: 'conversation.updated', data: conv('c1'), cursor: 'cur-43' })
    h.last().drop()
    const before = h.sockets.length
    vi.advanceTimersByTime(1000)
    expect(h.sockets.length).toBe(before + 1)
    expect(h.last().url).toBe('ws://test/api/v1/ws?since=cur-43')
  })

  it('does not reconnect after stop', () => {
    const h = harness()
    h.client.start()
    h.last().open()
    const s = h.last()
    h.client.stop()
    expect(s.closed).toBe(true)
    vi.advanceTimersByTime(60000)
    expect(h.sockets).toHaveLength(1)
  })

  it('can skip the backoff wait when the network comes back', () => {
    const h = harness()
    h.client.start()
    h.last().drop()
    expect(h.sockets).toHaveLength(1)
    h.client.reconnectNow()
    expect(h.sockets).toHaveLength(2)
  })
})

describe('replay after reconnect', () => {
  it('applies replayed events idempotently', () => {
    const store = createInboxStore()
    const h = harness((e) => store.applyEvent(e))
    const client = h.client
    store.upsertConversation(conv('c1', { last_message_at: '2026-01-01T09:00:00Z' }))
    store.state.threads.c1 = { items: [], loaded: true, loading: false, loadingOlder: false, hasMore: false, error: null }

    const frames = [
      { type: 'message.created', data: msg('m1', 'c1', '2026-01-01T10:00:00Z'), cursor: '1' },
      { type: 'message.created', data: msg('m2', 'c1', '2026-01-01T10:01:00Z'), cursor: '2' },
      { type: 'message.updated', data: msg('m3', 'c1', '2026-01-01T10:02:00Z', { direction: 'out', status: 'sent' }), cursor: '3' },
    ]
    client.start()
    h.last().open()
    frames.slice(0, 2).forEach((f) => h.last().send(f))
    h.last().drop()
    vi.advanceTimersByTime(1000)
    expect(h.last().url).toContain('since=2')
    h.last().open()
    // The server replays from its own retention point, overlapping what we saw.
    frames.forEach((f) => h.last().send(f))

    expect(store.state.threads.c1.items.map((m) => m.id)).toEqual(['m1', 'm2', 'm3'])
    expect(store.state.conversations.c1.unread_count).toBe(2)
    expect(store.listFor('pre_sale', defaultFilters())).toHaveLength(1)
    client.stop()
  })
})

describe('helpers', () => {
  it('builds the event stream URL on the current origin', () => {
    expect(eventStreamUrl(null, null, { protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/api/v1/ws')
    expect(eventStreamUrl('c 9', 'tok', { protocol: 'https:', host: 'shop.example' })).toBe(
      'wss://shop.example/api/v1/ws?since=c+9&token=tok',
    )
  })

  it('parses frames defensively', () => {
    expect(parseFrame(42)).toBeNull()
    expect(parseFrame('[')).toBeNull()
    expect(parseFrame('null')).toBeNull()
    expect(parseFrame(JSON.stringify({ type: 'message.created' }))).toEqual({ cursor: undefined })
  })
})
