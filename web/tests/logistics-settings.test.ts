import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiClient } from '../src/api/client'
import { createLogisticsApi } from '../src/api/logistics'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'
import { auth } from '../src/stores/auth'
import LogisticsSettingsView from '../src/views/LogisticsSettingsView.vue'

type Call = { url: string; method: string; body: unknown }

let calls: Call[]
let answers: Array<() => Response>

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const settings = {
  timezone: 'Asia/Shanghai',
  logistics: {
    stuck_after_hours: 48,
    follow_up_after_hours: 72,
    poll_schedule: [
      { until_days: 3, every_hours: 2 },
      { until_days: 10, every_hours: 6 },
      { until_days: 0, every_hours: 24 },
    ],
    subscribed_poll_hours: 24,
    provider_order: ['kuaidi100', 'aftership'],
  },
}

const account = {
  id: '5',
  shop_id: '1',
  provider: 'kuaidi100',
  config: { customer: 'CUSTOMER1' },
  callback_url: 'https://cb.example/webhooks/logistics/kuaidi100/5',
  created_at: '2026-11-23T01:00:00Z',
  updated_at: '2026-11-23T01:00:00Z',
}

function client() {
  return createLogisticsApi(
    createApiClient({
      storage: null,
      fetch: async (input, init) => {
        calls.push({ url: String(input), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined })
        const next = answers.shift()
        if (!next) throw new Error('unexpected request')
        return next()
      },
    }),
  )
}

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  calls = []
  answers = []
  auth.user = { id: '2', username: 'sup', role: 'supervisor', shop_id: '1', display_name: 'Sup', agent_no: '' }
})

afterEach(() => {
  auth.user = null
})

async function mountView() {
  answers.push(
    () => json(200, { items: [account] }),
    () => json(200, settings),
  )
  const w = mount(LogisticsSettingsView, {
    props: { client: client() },
    global: { plugins: [i18n], stubs: { AppNav: true, LanguageSwitch: true } },
  })
  await flushPromises()
  return w
}

describe('LogisticsSettingsView', () => {
  it('lists the accounts without secrets and shows the push URL', async () => {
    const w = await mountView()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/v1/logistics/providers', 'GET /api/v1/settings'])
    const k100 = w.get('[data-testid="ls-provider-kuaidi100"]')
    expect(k100.text()).toContain('已接入')
    expect((w.get('[data-testid="ls-kuaidi100-customer"]').element as HTMLInputElement).value).toBe('CUSTOMER1')
    expect((w.get('[data-testid="ls-kuaidi100-key"]').element as HTMLInputElement).type).toBe('password')
    expect(w.get('[data-testid="ls-kuaidi100-callback"]').text()).toContain(account.callback_url)
    expect(w.get('[data-testid="ls-provider-aftership"]').text()).toContain('未接入')
  })

  it('connects AfterShip, clearing the secrets from the form', async () => {
    const w = await mountView()
    await w.get('[data-testid="ls-aftership-api_key"]').setValue('asat_123')
    await w.get('[data-testid="ls-aftership-webhook_secret"]').setValue('whsec_1')
    answers.push(() => json(201, { ...account, id: '6', provider: 'aftership', config: {}, callback_url: 'https://cb.example/webhooks/logistics/aftership/6' }))
    await w.get('[data-testid="ls-provider-aftership"]').trigger('submit')
    await flushPromises()
    expect(calls[2]).toEqual({
      url: '/api/v1/logistics/providers',
      method: 'POST',
      body: { provider: 'aftership', config: { api_key: 'asat_123', webhook_secret: 'whsec_1' } },
    })
    expect((w.get('[data-testid="ls-aftership-api_key"]').element as HTMLInputElement).value).toBe('')
    expect(w.get('[data-testid="ls-aftership-callback"]').text()).toContain('/webhooks/logistics/aftership/6')
  })

  it('shows the field the server refused', async () => {
    const w = await mountView()
    answers.push(() =>
      json(400, { error: { code: 'invalid_request', message: 'config.key: is required', field: 'config.key' } }),
    )
    await w.get('[data-testid="ls-provider-kuaidi100"]').trigger('submit')
    await flushPromises()
    expect(calls[2].body).toEqual({ provider: 'kuaidi100', config: { customer: 'CUSTOMER1', key: '' } })
    expect(w.get('[data-testid="ls-provider-kuaidi100"] [role="alert"]').text()).toContain('config.key')
  })

  it('saves the rules as the logistics section, with a step added', async () => {
    const w = await mountView()
    await w.get('[data-testid="ls-stuck"]').setValue('24')
    await w.get('[data-testid="ls-add-step"]').trigger('click')
    expect(w.findAll('[data-testid="ls-step"]')).toHaveLength(4)
    await w.get('[data-testid="ls-provider-order"]').setValue('aftership')
    answers.push(() => json(200, { ...settings, logistics: { ...settings.logistics, stuck_after_hours: 24 } }))
    await w.get('[data-testid="ls-rules"] form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1)
    expect(w.find('[data-testid="ls-rules-error"]').exists()).toBe(false)
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.url).toBe('/api/v1/settings/logistics')
    expect(put?.body).toEqual({
      stuck_after_hours: 24,
      follow_up_after_hours: 72,
      poll_schedule: [
        { until_days: 3, every_hours: 2 },
        { until_days: 10, every_hours: 6 },
        { until_days: 11, every_hours: 24 },
        { until_days: 0, every_hours: 24 },
      ],
      subscribed_poll_hours: 24,
      provider_order: ['aftership', 'kuaidi100'],
    })
  })
})
