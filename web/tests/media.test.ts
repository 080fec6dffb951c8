import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApiClient } from '../src/api/client'
import type { Message } from '../src/api/types'
import MessageComposer from '../src/components/MessageComposer.vue'
import MessageList from '../src/components/MessageList.vue'
import { DEFAULT_LOCALE, i18n, setLocale } from '../src/i18n'

type FetchCall = { url: string; init: RequestInit }

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

let calls: FetchCall[]
let responses: Array<() => Response>

beforeEach(() => {
  setLocale(DEFAULT_LOCALE)
  calls = []
  responses = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // The composer's reply-window hint reads the conversation; that read is not
      // part of what attaching an image sends.
      if ((init?.method ?? 'GET') === 'GET' && /^\/api\/v1\/conversations\/[^/]+$/.test(String(input))) {
        return json(200, { id: 'c1', reply_window: null })
      }
      calls.push({ url: String(input), init: init ?? {} })
      const next = responses.shift()
      if (!next) throw new Error('unexpected request ' + String(input))
      return next()
    }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
})

const base = { conversation_id: 'c1', status: 'received' as const, created_at: '2026-11-23T08:00:00Z' }

function thread(messages: Message[]) {
  return mount(MessageList, {
    props: { conversationId: 'c1', messages, loading: false, loadingOlder: false, hasMore: false, error: null },
    global: { plugins: [i18n] },
  })
}

describe('images in the thread', () => {
  it('shows a ready image as a thumbnail that opens the full image, with its caption', () => {
    const w = thread([
      { ...base, id: 'm1', direction: 'in', type: 'image', text: '盖子是裂的',
        media: { id: '5', status: 'ready', content_type: 'image/png', url: '/api/v1/media/5' } },
    ])
    const img = w.get('[data-testid="message-image"]')
    expect(img.attributes('src')).toBe('/api/v1/media/5')
    expect(img.attributes('alt')).toBe('买家发送的图片')
    const link = img.element.closest('a')!
    expect(link.getAttribute('href')).toBe('/api/v1/media/5')
    expect(link.getAttribute('target')).toBe('_blank')
    expect(link.getAttribute('rel')).toContain('noopener')
    expect(w.text()).toContain('盖子是裂的')
    // The media replaces the "[图片]" label.
    expect(w.text()).not.toContain('[图片]')
  })

  it('shows a pending image as being fetched, and a failed one with its reason', () => {
    const w = thread([
      { ...base, id: 'm1', direction: 'in', type: 'image', text: '', media: { id: '6', status: 'pending' } },
      { ...base, id: 'm2', direction: 'in', type: 'image', text: '',
        media: { id: '7', status: 'failed', error: 'generic: image URL answered 500: down' } },
    ])
    const media = w.findAll('[data-testid="message-media"]')
    expect(media.map((m) => m.attributes('data-status'))).toEqual(['pending', 'failed'])
    expect(media[0].text()).toContain('图片获取中')
    expect(media[1].text()).toContain('图片获取失败')
    expect(w.get('[data-testid="message-media-error"]').text()).toContain('answered 500')
    expect(w.find('[data-testid="message-image"]').exists()).toBe(false)
  })

  it('keeps the type label for a file message without media', () => {
    const w = thread([{ ...base, id: 'm1', direction: 'in', type: 'image', text: '' }])
    expect(w.text()).toContain('[图片]')
    expect(w.find('[data-testid="message-media"]').exists()).toBe(false)
  })
})

function composer(canAttachImages: boolean) {
  return mount(MessageComposer, {
    props: { conversationId: 'c1', canAttachImages, shopId: 's1' },
    global: { plugins: [i18n] },
  })
}

async function pick(w: ReturnType<typeof composer>, file: File) {
  const input = w.get('[data-testid="composer-attach-input"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

describe('attaching an image', () => {
  it('shows the attach button only when the channel sends images', () => {
    expect(composer(false).find('[data-testid="composer-attach"]').exists()).toBe(false)
    expect(composer(true).find('[data-testid="composer-attach"]').exists()).toBe(true)
  })

  it('uploads the picked image, sends it as an image reply and reports it sent', async () => {
    responses.push(
      () => json(201, { id: '77', status: 'ready', content_type: 'image/png', url: '/api/v1/media/77' }),
      () => json(202, { id: 'm-9', status: 'pending' }),
    )
    const w = composer(true)
    await pick(w, new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], '破损.png', { type: 'image/png' }))

    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST /api/v1/media',
      'POST /api/v1/conversations/c1/messages',
    ])
    const form = calls[0].init.body as FormData
    expect(form).toBeInstanceOf(FormData)
    expect((form.get('file') as File).name).toBe('破损.png')
    expect(form.get('shop_id')).toBe('s1')
    // The browser sets the multipart boundary itself: no JSON Content-Type.
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBeUndefined()
    expect(JSON.parse(calls[1].init.body as string)).toEqual({ type: 'image', media_id: '77', text: '', override: false })
    expect(w.emitted('sent')).toEqual([[{ conversationId: 'c1', id: 'm-9', status: 'pending', text: '' }]])
    expect(w.find('[data-testid="composer-attach-error"]').exists()).toBe(false)
  })

  it('says why a file was refused and sends nothing', async () => {
    responses.push(() => json(415, { error: { code: 'unsupported_media_type', message: 'not an accepted image' } }))
    const w = composer(true)
    await pick(w, new File(['%PDF-1.4'], 'invoice.pdf', { type: 'application/pdf' }))
    expect(calls).toHaveLength(1)
    expect(w.get('[data-testid="composer-attach-error"]').text()).toContain('只能发送图片')
    expect(w.emitted('sent')).toBeUndefined()

    responses.push(() => json(413, { error: { code: 'too_large', message: 'file too large: 25.0 MiB is more than the limit of 20.0 MiB' } }))
    await pick(w, new File(['x'], 'huge.jpg', { type: 'image/jpeg' }))
    expect(w.get('[data-testid="composer-attach-error"]').text()).toContain('20.0 MiB')
  })
})

describe('API client: media', () => {
  it('sends an admin upload with the shop before the file', async () => {
    const seen: RequestInit[] = []
    const client = createApiClient({
      storage: null,
      fetch: (async (_url: RequestInfo | URL, init?: RequestInit) => {
        seen.push(init ?? {})
        return json(201, { id: '1', status: 'ready' })
      }) as typeof fetch,
    })
    await client.uploadMedia(new Blob(['x']), 'a.png', 's9')
    const form = seen[0].body as FormData
    expect([...form.keys()]).toEqual(['shop_id', 'file'])
    expect(form.get('shop_id')).toBe('s9')
  })
})
