import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiClient } from '../src/api/client'
import { createLogisticsApi, type Tracking } from '../src/api/logistics'
import ParcelTimeline from '../src/components/ParcelTimeline.vue'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'

type Call = { url: string; method: string }

let calls: Call[]
let answers: Array<() => Response>

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function client() {
  const api = createApiClient({
    storage: null,
    fetch: async (input, init) => {
      calls.push({ url: String(input), method: init?.method ?? 'GET' })
      const next = answers.shift()
      if (!next) throw new Error('unexpected request')
      return next()
    },
  })
  return createLogisticsApi(api)
}

const parcel = {
  id: 'p1',
  order_id: 'o1',
  carrier: '顺丰',
  carrier_code: 'SF',
  number: 'SF1234567890',
  provider: 'kuaidi100',
  state: 'problem',
  exception: 'problem',
  subscribed: true,
  active: true,
  last_event_at: '2026-11-25T02:00:00Z',
  last_event_text: '收件人电话无人接听，转疑难件',
  started_at: '2026-11-23T01:00:00Z',
  delivered_at: null,
  follow_up_at: null,
  next_poll_at: '2026-11-26T02:00:00Z',
  last_polled_at: null,
  updated_at: '2026-11-25T02:00:00Z',
}

const events: Tracking['events'] = [
  { id: 'e4', at: '2026-11-25T02:00:00Z', text: '收件人电话无人接听，转疑难件', location: '北京', status: '疑难', state: 'problem' },
  { id: 'e3', at: '2026-11-24T09:00:00Z', text: '【北京转运中心】已到达', location: '', status: '在途', state: 'in_transit' },
  { id: 'e2', at: '2026-11-23T05:00:00Z', text: '【杭州转运中心】已发出', location: '', status: '在途', state: 'in_transit' },
  { id: 'e1', at: '2026-11-23T02:00:00Z', text: '【杭州】顺丰速运 已收取快件', location: '杭州', status: '揽收', state: 'collected' },
]

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  calls = []
  answers = []
})

afterEach(() => setLocale(DEFAULT_LOCALE))

function mountTimeline(props: Record<string, unknown> = {}) {
  return mount(ParcelTimeline, { props: { orderId: 'o1', client: client(), ...props }, global: { plugins: [i18n] } })
}

describe('ParcelTimeline', () => {
  it('shows the state, the open exception highlighted and the latest lines first', async () => {
    answers.push(() => json(200, { parcel, events }))
    const w = mountTimeline()
    await flushPromises()
    expect(calls).toEqual([{ url: '/api/v1/orders/o1/tracking', method: 'GET' }])
    expect(w.get('[data-testid="parcel-state"]').text()).toBe('疑难件')
    const exc = w.get('[data-testid="parcel-exception"]')
    expect(exc.text()).toBe('疑难件')
    expect(exc.classes()).toContain('parcel__exception--problem')
    expect(w.text()).toContain('快递100')
    expect(w.text()).toContain('已订阅推送')

    const lines = w.findAll('[data-testid="parcel-event"]')
    expect(lines).toHaveLength(3) // collapsed
    expect(lines[0].text()).toContain('转疑难件')
    expect(lines[0].classes()).toEqual(expect.arrayContaining(['parcel__event--latest', 'parcel__event--trouble']))
    expect(lines[1].classes()).not.toContain('parcel__event--trouble')

    await w.get('[data-testid="parcel-toggle"]').trigger('click')
    expect(w.findAll('[data-testid="parcel-event"]')).toHaveLength(4)
    expect(w.findAll('[data-testid="parcel-event"]')[3].text()).toContain('已收取快件')
  })

  it('shows delivery and the follow-up, in English too', async () => {
    setLocale('en')
    answers.push(() =>
      json(200, {
        parcel: { ...parcel, state: 'delivered', exception: '', delivered_at: '2026-11-26T02:00:00Z', follow_up_at: '2026-11-29T02:00:00Z' },
        events: events.slice(1),
      }),
    )
    const w = mountTimeline()
    await flushPromises()
    expect(w.get('[data-testid="parcel-state"]').text()).toBe('Delivered')
    expect(w.find('[data-testid="parcel-exception"]').exists()).toBe(false)
    expect(w.text()).toMatch(/Delivered .*follow-up/)
  })

  it('says when the parcel is not tracked, and when loading fails', async () => {
    answers.push(() => json(200, { parcel: null, events: [] }))
    const w = mountTimeline()
    await flushPromises()
    expect(w.get('[data-testid="parcel-not-tracked"]').text()).toBe('尚未开始跟踪此包裹')

    answers.push(() => json(404, { error: { code: 'not_found', message: 'not found' } }))
    await w.setProps({ refreshKey: 'changed' })
    await flushPromises()
    expect(calls).toHaveLength(2)
    expect(w.get('[role="alert"]').text()).toContain('not found')
  })

  it('shows the last provider failure and an empty history', async () => {
    answers.push(() => json(200, { parcel: { ...parcel, state: 'pending', exception: '', last_error: 'query: HTTP 500' }, events: [] }))
    const w = mountTimeline()
    await flushPromises()
    expect(w.get('[data-testid="parcel-error"]').text()).toContain('HTTP 500')
    expect(w.get('[data-testid="parcel-empty"]').text()).toBe('暂无轨迹，等待快递公司更新')
  })
})
