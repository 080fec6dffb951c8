import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ReplyWindowHint from '../src/components/ReplyWindowHint.vue'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'

const NOW = Date.parse('2026-11-23T08:00:00Z')
let detail: unknown
let urls: string[]

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  vi.useFakeTimers({ now: NOW })
  urls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      urls.push(String(input))
      return new Response(JSON.stringify(detail), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }),
  )
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const mountHint = (props: Record<string, unknown> = {}) =>
  mount(ReplyWindowHint, { props: { conversationId: 'c9', ...props }, global: { plugins: [i18n] } })

describe('ReplyWindowHint', () => {
  it('shows the time and replies left of a WeCom window', async () => {
    detail = { id: 'c9', reply_window: { closes_at: '2026-11-24T10:30:00Z', replies_left: 3 } }
    const w = mountHint()
    await flushPromises()
    expect(urls).toEqual(['/api/v1/conversations/c9'])
    const hint = w.get('[data-testid="reply-window"]')
    expect(hint.text()).toContain('26 小时 30 分')
    expect(hint.text()).toContain('还可回复 3 条')
    expect(hint.classes()).not.toContain('reply-window--closed')
  })

  it('shows a WhatsApp window without a count, warns when it closes soon, then says it closed', async () => {
    detail = { id: 'c9', reply_window: { closes_at: '2026-11-23T08:45:00Z', replies_left: null } }
    setLocale('en')
    const w = mountHint()
    await flushPromises()
    const hint = w.get('[data-testid="reply-window"]')
    expect(hint.text()).toBe('Reply window closes in 45 min')
    expect(hint.classes()).toContain('reply-window--soon')
    vi.advanceTimersByTime(46 * 60_000)
    await flushPromises()
    expect(hint.text()).toContain('has closed')
    expect(hint.classes()).toContain('reply-window--closed')
  })

  it('says closed when the replies are spent, and reads again after a send', async () => {
    detail = { id: 'c9', reply_window: { closes_at: '2026-11-24T08:00:00Z', replies_left: 1 } }
    const w = mountHint({ refresh: false })
    await flushPromises()
    expect(w.text()).toContain('还可回复 1 条')
    detail = { id: 'c9', reply_window: { closes_at: '2026-11-24T08:00:00Z', replies_left: 0 } }
    await w.setProps({ refresh: true })
    await flushPromises()
    expect(urls).toHaveLength(2)
    expect(w.text()).toContain('回复窗口已关闭')
  })

  it('shows nothing for a channel without a window', async () => {
    detail = { id: 'c9', reply_window: null }
    const w = mountHint()
    await flushPromises()
    expect(w.find('[data-testid="reply-window"]').exists()).toBe(false)
  })
})
