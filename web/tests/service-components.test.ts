import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Ticket } from '../src/api/service'
import ConversationServicePanel from '../src/components/service/ConversationServicePanel.vue'
import TicketCloseForm from '../src/components/service/TicketCloseForm.vue'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'
import { auth } from '../src/stores/auth'

type Call = { method: string; url: string; body: unknown }
let calls: Call[]
let answers: Array<(c: Call) => Response>

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  calls = []
  answers = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const call = { method: init?.method ?? 'GET', url: String(input), body: init?.body ? JSON.parse(String(init.body)) : null }
      calls.push(call)
      const next = answers.shift()
      if (!next) throw new Error(`unexpected request ${call.method} ${call.url}`)
      return next(call)
    }),
  )
  auth.user = { id: '7', username: 'amy', role: 'agent', shop_id: '1', display_name: 'Amy', agent_no: '001' }
})

afterEach(() => {
  vi.unstubAllGlobals()
  auth.user = null
})

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: '31', conversation_id: 'c1', customer: { id: 'b1', name: '小林' }, category: 'logistics', title: '联系快递',
  detail: '', owner_id: '7', owner_name: 'Amy', created_by: '8', due_at: '2099-01-01T00:00:00Z', status: 'open',
  overdue: false, outcome: '', outcome_message_id: null, closed_by: null, closed_at: null,
  created_at: '2026-11-23T08:00:00Z', updated_at: '2026-11-23T08:00:00Z', ...over,
})

describe('TicketCloseForm', () => {
  it('shows forbidden phrases and closes with override when sent anyway', async () => {
    answers.push(
      () => json(422, { error: { code: 'forbidden_phrase', message: 'forbidden', phrases: ['这是规定,我有什么办法。'] } }),
      () => json(200, ticket({ status: 'closed', outcome: '已退款' })),
    )
    const w = mount(TicketCloseForm, { props: { ticket: ticket() }, global: { plugins: [i18n] } })
    await w.get('[data-testid="ticket-outcome"]').setValue('已退款')
    await w.get('[data-testid="ticket-message"]').setValue('这是规定，我有什么办法。')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/tickets/31/close' })
    expect(calls[0].body).toEqual({ outcome: '已退款', notify_buyer: true, message: '这是规定，我有什么办法。', override: false })
    expect(w.text()).toContain('这是规定,我有什么办法。')
    expect(w.emitted('closed')).toBeUndefined()

    await w.get('.banner--error .link-btn').trigger('click')
    await flushPromises()
    expect(calls[1].body).toMatchObject({ override: true })
    expect(w.emitted('closed')?.[0]?.[0]).toMatchObject({ status: 'closed' })
  })

  it('sends no message when the buyer is not to be told', async () => {
    answers.push(() => json(200, ticket({ status: 'closed' })))
    const w = mount(TicketCloseForm, { props: { ticket: ticket() }, global: { plugins: [i18n] } })
    await w.get('[data-testid="ticket-outcome"]').setValue('仓库已确认')
    await w.get('[data-testid="ticket-notify"]').setValue(false)
    expect(w.find('[data-testid="ticket-message"]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls[0].body).toEqual({ outcome: '仓库已确认', notify_buyer: false, override: false })
  })
})

describe('ConversationServicePanel', () => {
  it("shows the chat's complaint deadline and tickets, and opens a ticket for the chosen owner", async () => {
    answers.push(
      () => json(200, { items: [ticket()], next_cursor: null }),
      () =>
        json(200, {
          items: [{ id: 'k1', conversation_id: 'c1', agent_id: '7', opened_by: '7', opened_at: '2026-11-23T08:00:00Z',
            deadline_at: '2026-11-25T08:00:00Z', answered_at: null, late: false, repeat: true, repeat_of: 'k0',
            withdrawn_at: null, status: 'open' }],
        }),
    )
    const w = mount(ConversationServicePanel, { props: { conversationId: 'c1', category: 'complaint' }, global: { plugins: [i18n] } })
    await flushPromises()
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/conversations/c1/tickets', '/api/v1/conversations/c1/complaints'])
    expect(w.get('[data-testid="service-complaint"]').text()).toContain('投诉待答复')
    expect(w.get('[data-testid="service-complaint"]').text()).toContain('重复投诉')
    expect(w.findAll('[data-testid="sidebar-ticket"]')).toHaveLength(1)
    expect((w.get('[data-testid="service-category"]').element as HTMLSelectElement).value).toBe('complaint')

    answers.push(() => json(200, { items: [{ id: '7', username: 'amy', display_name: 'Amy', agent_no: '001', role: 'agent', status: 'online' },
      { id: '9', username: 'sue', display_name: 'Sue', agent_no: '', role: 'supervisor', status: 'online' },
      { id: '11', username: 'pat', display_name: 'Pat', agent_no: '', role: 'packer', status: 'offline' }] }))
    await w.get('[data-testid="ticket-new"]').trigger('click')
    await flushPromises()
    expect(calls[calls.length - 1]).toMatchObject({ method: 'GET', url: '/api/v1/users' })
    const owners = w.findAll('[data-testid="ticket-owner"] option').map((o) => (o.element as HTMLOptionElement).value)
    expect(owners.filter((v) => v)).toEqual(['7', '9']) // the packer can own no ticket
    expect((w.get('[data-testid="ticket-owner"]').element as HTMLSelectElement).value).toBe('7')
    await w.get('[data-testid="ticket-title"]').setValue('仓库补发')
    await w.get('[data-testid="ticket-owner"]').setValue('9')
    await w.get('[data-testid="ticket-due"]').setValue('2099-03-04T05:06')
    answers.push(
      () => json(201, ticket({ id: '32', title: '仓库补发', owner_id: '9' })),
      () => json(200, { items: [ticket(), ticket({ id: '32', title: '仓库补发' })], next_cursor: null }),
      () => json(200, { items: [] }),
    )
    await w.get('[data-testid="ticket-form"]').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toBe('/api/v1/conversations/c1/tickets')
    expect(post.body).toEqual({ category: 'complaint', title: '仓库补发', detail: '', owner_id: '9',
      due_at: new Date('2099-03-04T05:06').toISOString() })
    expect(w.findAll('[data-testid="sidebar-ticket"]')).toHaveLength(2)
  })

  it('classifies the inquiry', async () => {
    answers.push(() => json(200, { items: [], next_cursor: null }), () => json(200, { items: [] }))
    const w = mount(ConversationServicePanel, { props: { conversationId: 'c2', category: '' }, global: { plugins: [i18n] } })
    await flushPromises()
    answers.push(
      () => json(200, { id: 'c2', category: 'logistics' }),
      () => json(200, { items: [], next_cursor: null }),
      () => json(200, { items: [] }),
    )
    await w.get('[data-testid="service-category"]').setValue('logistics')
    await flushPromises()
    expect(calls[2]).toMatchObject({ method: 'POST', url: '/api/v1/conversations/c2/category', body: { category: 'logistics' } })
    expect((w.get('[data-testid="service-category"]').element as HTMLSelectElement).value).toBe('logistics')
  })
})
