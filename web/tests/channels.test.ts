import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ChannelAbilities, ChannelSettings, ChannelType, Conversation } from '../src/api/types'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'
import { navFor } from '../src/nav'
import { auth } from '../src/stores/auth'
import { createChannelDirectory, useSendsImages } from '../src/stores/channels'
import ChannelsView from '../src/views/ChannelsView.vue'

type FetchCall = { method: string; url: string; body: unknown }

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const none: ChannelAbilities = {
  chat: true, sends_images: false, receives_images: false, reply_window_seconds: 0, max_replies_in_window: 0,
  pull: false, pull_every_seconds: 0, note_write_back: false, address_change: false, test_connection: false,
  register_webhook: false, url_verification: false,
}

const types: ChannelType[] = [
  { type: 'generic', described: true, abilities: { ...none, sends_images: true, test_connection: true },
    fields: [{ key: 'callback_url', label: 'Callback URL', label_zh: '回调地址', secret: false, required: true }] },
  { type: 'telegram', described: true, abilities: { ...none, sends_images: true, register_webhook: true, test_connection: true },
    fields: [
      { key: 'bot_token', label: 'Bot token', label_zh: '机器人令牌', secret: true, required: true },
      { key: 'api_base_url', label: 'API base URL', label_zh: 'API 地址', secret: false, required: false },
    ] },
  { type: 'taobao', described: false, abilities: { ...none, chat: false, pull: true, pull_every_seconds: 60 }, fields: [] },
]

function channel(over: Partial<ChannelSettings>): ChannelSettings {
  return { id: '1', shop_id: 's1', type: 'generic', name: 'Relay', abilities: types[0].abilities,
    webhook_url: 'http://cb.test/webhooks/generic/1', config: { callback_url: 'https://relay.test/cb' }, secrets_set: [],
    last_in_at: '2026-11-23T08:00:00Z', last_out_at: null, last_error: '', ...over }
}

let calls: FetchCall[]
let routes: Record<string, Array<() => Response>>

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  auth.user = { id: 'u1', username: 'sup', role: 'supervisor', shop_id: 's1', display_name: '主管', agent_no: '' }
  auth.checked = true
  calls = []
  routes = {}
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input)
      const method = init?.method ?? 'GET'
      calls.push({ method, url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined })
      const key = `${method} ${url.split('?')[0]}`
      const next = routes[key]?.shift()
      if (!next) throw new Error('unexpected request ' + key)
      return next()
    }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
  auth.user = null
})

function on(key: string, ...answers: Array<() => Response>) {
  ;(routes[key] ??= []).push(...answers)
}

async function mountPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'inbox', component: { template: '<div />' } },
      { path: '/channels', name: 'channels', component: ChannelsView },
      { path: '/settings/logistics', name: 'logistics-settings', component: { template: '<div />' } },
      { path: '/settings', name: 'settings', component: { template: '<div />' } },
      { path: '/login', name: 'login', component: { template: '<div />' } },
      // The other pages of the navigation, which the page's top bar links to.
      { path: '/tickets', name: 'tickets', component: { template: '<div />' } },
      { path: '/handover', name: 'handover', component: { template: '<div />' } },
      { path: '/reports', name: 'reports', component: { template: '<div />' } },
    ],
  })
  await router.push('/channels')
  const w = mount(ChannelsView, { global: { plugins: [i18n, router] } })
  await flushPromises()
  return w
}

describe('channel settings page', () => {
  it('is in the navigation of supervisors and admins only', () => {
    expect(navFor('supervisor').map((i) => i.route)).toContain('channels')
    expect(navFor('admin').map((i) => i.route)).toContain('channels')
    expect(navFor('agent').map((i) => i.route)).not.toContain('channels')
  })

  it('lists channels with their webhook URL and health, and offers only what each type can do', async () => {
    on('GET /api/v1/channel-types', () => json(200, { items: types }))
    on('GET /api/v1/channels', () =>
      json(200, { items: [
        channel({}),
        channel({ id: '2', type: 'taobao', name: '天猫店', abilities: types[2].abilities, webhook_url: 'http://cb.test/webhooks/taobao/2',
          config: {}, last_in_at: null, last_error: 'taobao: session expired' }),
      ] }),
    )
    const w = await mountPage()
    const rows = w.findAll('[data-testid="channel-row"]')
    expect(rows).toHaveLength(2)
    expect((rows[0].get('[data-testid="channel-webhook-url"]').element as HTMLInputElement).value).toBe('http://cb.test/webhooks/generic/1')
    expect(rows[0].get('[data-testid="channel-last-out"]').text()).toBe('暂无')
    expect(rows[0].find('[data-testid="channel-test"]').exists()).toBe(true)
    expect(rows[0].find('[data-testid="channel-sync"]').exists()).toBe(false)
    expect(rows[1].get('[data-testid="channel-last-error"]').text()).toBe('taobao: session expired')
    expect(rows[1].find('[data-testid="channel-test"]').exists()).toBe(false)
    expect(rows[1].text()).toContain('仅订单')

    // Sync now on a server without the poll endpoint says so instead of failing.
    on('POST /api/v1/channels/2/poll', () => json(404, { error: { code: 'not_found', message: 'not found' } }))
    await rows[1].get('[data-testid="channel-sync"]').trigger('click')
    await flushPromises()
    expect(rows[1].get('[data-testid="channel-sync-result"]').text()).toContain('还不支持立即同步')

    on('POST /api/v1/channels/1/test', () => json(200, { ok: false, error: 'generic: callback answered 500: down', webhook_registered: false, webhook_url: '' }))
    await rows[0].get('[data-testid="channel-test"]').trigger('click')
    await flushPromises()
    const result = rows[0].get('[data-testid="channel-test-result"]')
    expect(result.attributes('data-ok')).toBe('false')
    expect(result.text()).toContain('callback answered 500')
  })

  it('adds a channel through a form drawn from its type, then shows the webhook URL and the secret once', async () => {
    on('GET /api/v1/channel-types', () => json(200, { items: types }), () => json(200, { items: types }))
    on('GET /api/v1/channels', () => json(200, { items: [] }), () => json(200, { items: [channel({ id: '9', type: 'telegram', name: '客服机器人' })] }))
    const w = await mountPage()
    expect(w.find('[data-testid="channels-empty"]').exists()).toBe(true)
    await w.get('[data-testid="channel-add"]').trigger('click')
    await w.get('[data-testid="channel-form-type"]').setValue('telegram')
    const token = w.get('[data-testid="channel-field-bot_token"]')
    expect(token.attributes('type')).toBe('password')
    expect(w.text()).toContain('机器人令牌')
    await w.get('[data-testid="channel-form-name"]').setValue('客服机器人')

    // A required field left empty is named, and nothing is sent.
    await w.get('[data-testid="channel-form"]').trigger('submit')
    expect(w.get('[data-testid="channel-form-error"]').text()).toContain('机器人令牌')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)

    await token.setValue('123:ABC')
    on('POST /api/v1/channels', () =>
      json(201, { id: '9', type: 'telegram', name: '客服机器人', secret: 's3cr3t-once', webhook_url: 'http://cb.test/webhooks/telegram/9' }),
    )
    await w.get('[data-testid="channel-form"]').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ shop_id: 's1', type: 'telegram', name: '客服机器人', config: { bot_token: '123:ABC' } })
    const created = w.get('[data-testid="channel-created"]')
    expect((created.get('[data-testid="channel-created-webhook"]').element as HTMLInputElement).value).toBe('http://cb.test/webhooks/telegram/9')
    expect((created.get('[data-testid="channel-created-secret"]').element as HTMLInputElement).value).toBe('s3cr3t-once')
    expect(created.text()).toContain('只显示这一次')
    expect(w.findAll('[data-testid="channel-row"]')).toHaveLength(1)

    await w.get('[data-testid="channel-created-done"]').trigger('click')
    expect(w.find('[data-testid="channel-created"]').exists()).toBe(false)
    expect(w.text()).not.toContain('s3cr3t-once')
  })

  it('edits a channel without ever showing its secret; an empty secret keeps it', async () => {
    const bot = channel({ id: '9', type: 'telegram', name: 'Bot', abilities: types[1].abilities,
      config: { api_base_url: 'http://127.0.0.1:9' }, secrets_set: ['bot_token'] })
    on('GET /api/v1/channel-types', () => json(200, { items: types }), () => json(200, { items: types }))
    on('GET /api/v1/channels', () => json(200, { items: [bot] }), () => json(200, { items: [{ ...bot, name: 'Bot 2' }] }))
    const w = await mountPage()
    await w.get('[data-testid="channel-edit"]').trigger('click')
    const token = w.get('[data-testid="channel-field-bot_token"]')
    expect((token.element as HTMLInputElement).value).toBe('')
    expect(token.attributes('placeholder')).toContain('留空则保持不变')
    expect((w.get('[data-testid="channel-field-api_base_url"]').element as HTMLInputElement).value).toBe('http://127.0.0.1:9')
    expect((w.get('[data-testid="channel-form-type"]').element as HTMLSelectElement).disabled).toBe(true)
    await w.get('[data-testid="channel-form-name"]').setValue('Bot 2')
    on('PUT /api/v1/channels/9', () => json(200, { ...bot, name: 'Bot 2' }))
    await w.get('[data-testid="channel-form"]').trigger('submit')
    await flushPromises()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.body).toEqual({ name: 'Bot 2', config: { api_base_url: 'http://127.0.0.1:9' } })
    expect(w.find('[data-testid="channel-form"]').exists()).toBe(false)
    expect(w.get('[data-testid="channel-row"]').text()).toContain('Bot 2')
  })
})

describe('channel directory for the inbox', () => {
  it('loads a shop once and tells whether a conversation can carry images', async () => {
    const listChannels = vi.fn(async () => ({
      items: [
        { id: '1', shop_id: 's1', type: 'generic', name: 'a', abilities: { ...none, sends_images: true } },
        { id: '2', shop_id: 's1', type: 'taobao', name: 'b', abilities: none },
      ],
    }))
    const dir = createChannelDirectory({ listChannels } as never)
    const conv = ref<Conversation | null>(null)
    const can = useSendsImages(conv, dir)
    expect(can.value).toBe(false)
    conv.value = { id: 'c1', shop_id: 's1', channel_id: '1' } as Conversation
    await flushPromises()
    expect(can.value).toBe(true)
    conv.value = { id: 'c2', shop_id: 's1', channel_id: '2' } as Conversation
    await nextTick()
    expect(can.value).toBe(false)
    expect(listChannels).toHaveBeenCalledTimes(1)
  })
})
