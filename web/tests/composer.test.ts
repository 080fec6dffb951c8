import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import MessageComposer from '../src/components/MessageComposer.vue'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'

type FetchCall = { url: string; init: RequestInit }

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const forbidden = () =>
  json(422, {
    error: {
      code: 'forbidden_phrase',
      message: 'the reply contains forbidden service phrases',
      phrases: ['爱买不买', '不退不换'],
    },
  })

let calls: FetchCall[]
let responses: Array<() => Response | Promise<Response>>

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  calls = []
  responses = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // The reply-window hint reads the conversation; the composer's own calls are checked.
      if (/^\/api\/v1\/conversations\/[^/]+$/.test(String(input)) && (init?.method ?? 'GET') === 'GET') {
        return json(200, { id: 'c1', reply_window: null })
      }
      calls.push({ url: String(input), init: init ?? {} })
      const next = responses.shift()
      if (!next) throw new Error('unexpected request')
      return next()
    }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function mountComposer(conversationId = 'c1') {
  return mount(MessageComposer, { props: { conversationId }, global: { plugins: [i18n] }, attachTo: document.body })
}

const body = (i: number) => JSON.parse(calls[i].init.body as string)

describe('MessageComposer', () => {
  it('shows forbidden phrases and sends anyway with override', async () => {
    responses.push(forbidden, () => json(202, { id: 'm-100', status: 'pending' }))
    const w = mountComposer()
    const input = w.get('[data-testid="composer-input"]')
    await input.setValue('爱买不买，不退不换')
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()

    expect(calls).toHaveLength(1)
    expect(calls[0].url).toBe('/api/v1/conversations/c1/messages')
    expect(body(0)).toEqual({ type: 'text', text: '爱买不买，不退不换', override: false })

    const warning = w.get('[data-testid="composer-forbidden"]')
    expect(warning.text()).toContain('服务禁用语')
    expect(w.findAll('[data-testid="forbidden-phrase"]').map((p) => p.text())).toEqual(['爱买不买', '不退不换'])
    // The text stays so it can be edited or sent anyway; nothing was emitted.
    expect((input.element as HTMLTextAreaElement).value).toBe('爱买不买，不退不换')
    expect(w.emitted('sent')).toBeUndefined()

    await w.get('[data-testid="composer-send-anyway"]').trigger('click')
    await flushPromises()

    expect(calls).toHaveLength(2)
    expect(body(1)).toEqual({ type: 'text', text: '爱买不买，不退不换', override: true })
    expect(w.find('[data-testid="composer-forbidden"]').exists()).toBe(false)
    expect((input.element as HTMLTextAreaElement).value).toBe('')
    expect(w.emitted('sent')).toEqual([[{ conversationId: 'c1', id: 'm-100', status: 'pending', text: '爱买不买，不退不换' }]])
    w.unmount()
  })

  it('drops the warning when the reply is edited, and checks the edited text again', async () => {
    responses.push(forbidden, () => json(202, { id: 'm-101', status: 'pending' }))
    const w = mountComposer()
    const input = w.get('[data-testid="composer-input"]')
    await input.setValue('爱买不买')
    await w.get('[data-testid="composer-send"]').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid="composer-forbidden"]').exists()).toBe(true)

    await w.get('[data-testid="composer-edit"]').trigger('click')
    expect(w.find('[data-testid="composer-forbidden"]').exists()).toBe(false)
    await input.setValue('亲，这款支持七天无理由退换')
    await input.trigger('input')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(body(1)).toEqual({ type: 'text', text: '亲，这款支持七天无理由退换', override: false })
    expect(w.emitted('sent')).toHaveLength(1)
    w.unmount()
  })

  it('sends on Enter but not on Shift+Enter or while composing with an input method', async () => {
    const w = mountComposer()
    const input = w.get('[data-testid="composer-input"]')
    await input.setValue('第一行')
    await input.trigger('keydown', { key: 'Enter', shiftKey: true })
    await input.trigger('keydown', { key: 'Enter', isComposing: true })
    await flushPromises()
    expect(calls).toHaveLength(0)
    w.unmount()
  })

  it('is disabled while sending and shows other errors', async () => {
    let release!: (r: Response) => void
    responses.push(() => new Promise<Response>((r) => (release = r)))
    const w = mountComposer()
    const input = w.get('[data-testid="composer-input"]')
    await input.setValue('请稍等')
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(input.attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="composer-send"]').attributes('disabled')).toBeDefined()

    release(json(503, { error: { code: 'unavailable', message: 'channel offline' } }))
    await flushPromises()
    expect(input.attributes('disabled')).toBeUndefined()
    expect(w.get('[data-testid="composer-error"]').text()).toContain('channel offline')
    expect((input.element as HTMLTextAreaElement).value).toBe('请稍等')
    expect(w.emitted('sent')).toBeUndefined()
    w.unmount()
  })
})

describe('MessageComposer: live warning and quick replies', () => {
  const phrases = ['大点声,听不见!', '这是规定,我有什么办法。']

  it('warns while typing and blocks the send before any request, until sent anyway', async () => {
    responses.push(() => json(202, { id: 'm-7', status: 'pending' }))
    const w = mount(MessageComposer, { props: { conversationId: 'c1', phrases }, global: { plugins: [i18n] }, attachTo: document.body })
    const input = w.get('[data-testid="composer-input"]')
    await input.setValue('您好')
    expect(w.find('[data-testid="composer-live-warning"]').exists()).toBe(false)
    await input.setValue('大 点 声！听不见')
    await input.trigger('input')
    expect(w.findAll('[data-testid="live-phrase"]').map((p) => p.text())).toEqual(['大点声,听不见!'])
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls).toHaveLength(0)
    expect(w.findAll('[data-testid="forbidden-phrase"]').map((p) => p.text())).toEqual(['大点声,听不见!'])
    await w.get('[data-testid="composer-send-anyway"]').trigger('click')
    await flushPromises()
    expect(calls).toHaveLength(1)
    expect(body(0)).toEqual({ type: 'text', text: '大 点 声！听不见', override: true })
    w.unmount()
  })

  it('offers quick replies after "/" and inserts the filled-in text with Enter', async () => {
    const quickReplies = [
      { id: 'q1', scope: 'shop', stage: '', step: '', title: '发货通知', text: '订单{order_id}已发出', position: 0, rendered: '订单T1已发出' },
      { id: 'q2', scope: 'shop', stage: '', step: 'favorite', title: '收藏', text: '收藏店铺有惊喜', position: 1, rendered: '收藏店铺有惊喜' },
    ] as const
    const w = mount(MessageComposer, {
      props: { conversationId: 'c1', phrases, quickReplies: [...quickReplies] },
      global: { plugins: [i18n] },
      attachTo: document.body,
    })
    const input = w.get('[data-testid="composer-input"]')
    const el = input.element as HTMLTextAreaElement
    await input.setValue('亲 /收')
    el.setSelectionRange(4, 4)
    await input.trigger('input')
    expect(w.findAll('[data-testid="quick-reply-item"]').map((i) => i.attributes('data-id'))).toEqual(['q2'])
    await input.setValue('亲 /')
    el.setSelectionRange(3, 3)
    await input.trigger('input')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowUp' })
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(el.value).toBe('亲 订单T1已发出')
    expect(calls).toHaveLength(0) // inserting is not sending
    expect(w.find('[data-testid="quick-reply-menu"]').exists()).toBe(false)
    w.unmount()
  })
})
