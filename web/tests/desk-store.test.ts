import { describe, expect, it, vi } from 'vitest'
import type { ConversationEvent, DeskApi, StaffMember } from '../src/api/desk'
import type { Conversation, Message } from '../src/api/types'
import { createDeskStore, isNewChatFor, servingStaff, timeline } from '../src/stores/desk'

const msg = (id: string, at: string): Message => ({
  id,
  conversation_id: 'c1',
  direction: 'in',
  type: 'text',
  text: id,
  status: 'received',
  created_at: at,
})
const ev = (id: string, at: string, kind = 'assigned'): ConversationEvent => ({
  id,
  conversation_id: 'c1',
  kind,
  actor_id: null,
  data: {},
  created_at: at,
})
const conv = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1',
  shop_id: 's',
  channel_id: 'ch',
  customer: { id: 'b', name: 'B' },
  stage: 'pre_sale',
  status: 'open',
  assignee_id: null,
  last_message_at: null,
  last_message_preview: '',
  unread_count: 0,
  ...over,
})

describe('thread timeline', () => {
  it('puts events between the messages by time, messages first on a tie', () => {
    const items = timeline(
      [msg('m1', '2026-01-01T10:00:00Z'), msg('m2', '2026-01-01T10:05:00Z')],
      [ev('e1', '2026-01-01T10:00:00Z'), ev('e2', '2026-01-01T10:03:00Z')],
      true,
    )
    expect(items.map((i) => i.key)).toEqual(['mm1', 'ee1', 'ee2', 'mm2'])
  })

  it('holds back events older than the loaded messages until the thread is complete', () => {
    const messages = [msg('m5', '2026-01-01T10:00:00Z')]
    const events = [ev('old', '2026-01-01T09:00:00Z'), ev('new', '2026-01-01T10:01:00Z')]
    expect(timeline(messages, events, false).map((i) => i.key)).toEqual(['mm5', 'enew'])
    expect(timeline(messages, events, true).map((i) => i.key)).toEqual(['eold', 'mm5', 'enew'])
  })
})

describe('new chat notifications', () => {
  it('tells about a chat that became mine or arrives unassigned, not about others', () => {
    expect(isNewChatFor('u1', undefined, conv({ assignee_id: 'u1' }))).toBe(true)
    expect(isNewChatFor('u1', conv({ assignee_id: null }), conv({ assignee_id: 'u1' }))).toBe(true)
    expect(isNewChatFor('u1', undefined, conv())).toBe(true)
    expect(isNewChatFor('u1', conv({ assignee_id: 'u1' }), conv({ assignee_id: 'u1', unread_count: 3 }))).toBe(false)
    expect(isNewChatFor('u1', undefined, conv({ assignee_id: 'u2' }))).toBe(false)
    expect(isNewChatFor('u1', conv(), conv())).toBe(false)
    expect(isNewChatFor('u1', undefined, conv({ assignee_id: 'u1', status: 'resolved' }))).toBe(false)
    expect(isNewChatFor(null, undefined, conv())).toBe(false)
  })
})

describe('desk store', () => {
  it('warns with the shop list as loaded, and applies live events once', async () => {
    const api = {
      phrases: vi.fn(async () => ({ items: [{ id: '1', phrase: '大点声,听不见!', standard: true, created_at: '' }] })),
      events: vi.fn(async () => ({ items: [ev('e1', '2026-01-01T10:00:00Z')] })),
    } as unknown as DeskApi
    const store = createDeskStore(api)
    expect(store.warningsFor('大点声听不见')).toEqual([])
    await store.loadPhrases()
    expect(store.warningsFor('大 点 声！听不见')).toEqual(['大点声,听不见!'])
    expect(store.warningsFor('  ')).toEqual([])
    await store.loadEvents('c1')
    store.applyEvent(ev('e2', '2026-01-01T10:01:00Z', 'note'))
    store.applyEvent(ev('e2', '2026-01-01T10:01:00Z', 'note'))
    store.applyEvent({ ...ev('x', '2026-01-01T10:01:00Z'), conversation_id: 'not-loaded' })
    expect(store.state.events.c1.map((e) => e.id)).toEqual(['e1', 'e2'])
    expect(store.state.events['not-loaded']).toBeUndefined()
  })
})

describe('servingStaff', () => {
  const member = (id: string, role: StaffMember['role']): StaffMember => ({
    id, username: id, role, shop_id: '1', display_name: id, agent_no: '', max_open: 0,
  })
  it('keeps the agents and supervisors a chat or ticket can go to, without the one handing it on', () => {
    const staff = [member('a1', 'agent'), member('s1', 'supervisor'), member('p1', 'packer'), member('x1', 'admin'), member('a2', 'agent')]
    expect(servingStaff(staff).map((s) => s.id)).toEqual(['a1', 's1', 'a2'])
    expect(servingStaff(staff, 'a1').map((s) => s.id)).toEqual(['s1', 'a2'])
  })
})
