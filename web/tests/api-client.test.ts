import { describe, expect, it, vi } from 'vitest'
import { ApiError, TOKEN_STORAGE_KEY, createApiClient, decodeError } from '../src/api/client'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
    data,
  }
}

function jsonResponse(status: number, body: unknown, init: ResponseInit = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
    ...init,
  })
}

function setup(responses: Array<Response | Error>, storage = memoryStorage()) {
  const calls: { url: string; init: RequestInit }[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} })
    const next = responses.shift()
    if (!next) throw new Error('unexpected request')
    if (next instanceof Error) throw next
    return next
  })
  const client = createApiClient({ fetch: fetchMock as unknown as typeof fetch, storage })
  return { client, calls, storage, fetchMock }
}

function header(init: RequestInit, name: string): string | undefined {
  return (init.headers as Record<string, string> | undefined)?.[name]
}

const user = { id: 'u1', username: 'alice', role: 'agent', shop_id: 's1', display_name: 'Alice', agent_no: '007' }

describe('API client: auth header', () => {
  it('sends no Authorization header before login', async () => {
    const { client, calls } = setup([jsonResponse(200, user)])
    await client.me()
    expect(header(calls[0].init, 'Authorization')).toBeUndefined()
    expect(calls[0].init.credentials).toBe('same-origin')
  })

  it('keeps the login token in memory and storage and sends it as a bearer token', async () => {
    const { client, calls, storage } = setup([
      jsonResponse(200, { token: 'tok-123', user }),
      jsonResponse(200, { items: [], next_cursor: null }),
    ])
    const res = await client.login('alice', 'secret')
    expect(res.user.username).toBe('alice')
    expect(calls[0].url).toBe('/api/v1/auth/login')
    expect(calls[0].init.method).toBe('POST')
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ username: 'alice', password: 'secret' })
    expect(header(calls[0].init, 'Content-Type')).toBe('application/json')
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('tok-123')

    await client.listConversations({ stage: 'pre_sale' })
    expect(header(calls[1].init, 'Authorization')).toBe('Bearer tok-123')
  })

  it('restores the token from storage after a reload', async () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'tok-saved' })
    const { client, calls } = setup([jsonResponse(200, user)], storage)
    await client.me()
    expect(header(calls[0].init, 'Authorization')).toBe('Bearer tok-saved')
  })

  it('forgets the token on logout, even when the request fails', async () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'tok' })
    const { client } = setup([new TypeError('Failed to fetch')], storage)
    await expect(client.logout()).rejects.toBeInstanceOf(ApiError)
    expect(client.getToken()).toBeNull()
    expect(storage.data.has(TOKEN_STORAGE_KEY)).toBe(false)
  })

  it('reports 401 from authenticated calls, but not from login or /me', async () => {
    const { client } = setup([
      jsonResponse(401, { error: { code: 'invalid_credentials', message: 'wrong username or password' } }),
      jsonResponse(401, { error: { code: 'unauthorized', message: 'login required' } }),
      jsonResponse(401, { error: { code: 'unauthorized', message: 'login required' } }),
    ])
    const onUnauthorized = vi.fn()
    client.setUnauthorizedHandler(onUnauthorized)
    await expect(client.login('a', 'b')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' })
    await expect(client.me()).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).not.toHaveBeenCalled()
    await expect(client.listConversations()).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })
})

describe('API client: error decoding', () => {
  it('decodes {"error":{"code","message"}}', async () => {
    const err = await decodeError(jsonResponse(429, { error: { code: 'rate_limited', message: 'too many attempts' } }))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(429)
    expect(err.code).toBe('rate_limited')
    expect(err.message).toBe('too many attempts')
  })

  it('keeps extra fields such as the forbidden phrases', async () => {
    const { client, calls } = setup([
      jsonResponse(422, {
        error: { code: 'forbidden_phrase', message: 'reply contains forbidden phrases', phrases: ['不退不换', '爱买不买'] },
      }),
    ])
    const err = await client.sendMessage('c1', '爱买不买', false).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const apiErr = err as ApiError
    expect(apiErr.status).toBe(422)
    expect(apiErr.code).toBe('forbidden_phrase')
    expect(apiErr.phrases).toEqual(['不退不换', '爱买不买'])
    expect(calls[0].url).toBe('/api/v1/conversations/c1/messages')
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ type: 'text', text: '爱买不买', override: false })
  })

  it('falls back to the HTTP status when the body is not the error shape', async () => {
    const plain = await decodeError(new Response('upstream down', { status: 502, statusText: 'Bad Gateway' }))
    expect(plain.code).toBe('http_502')
    expect(plain.message).toBe('Bad Gateway')

    const empty = await decodeError(new Response(null, { status: 500 }))
    expect(empty.code).toBe('http_500')
    expect(empty.message).toBe('HTTP 500')

    const stringError = await decodeError(jsonResponse(400, { error: 'bad stage' }))
    expect(stringError.code).toBe('http_400')
    expect(stringError.message).toBe('bad stage')
  })

  it('turns a network failure into status 0', async () => {
    const { client } = setup([new TypeError('Failed to fetch')])
    await expect(client.me()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })

  it('returns undefined for 204 and builds queries without empty values', async () => {
    const { client, calls } = setup([new Response(null, { status: 204 }), jsonResponse(200, { items: [] })])
    await expect(client.markRead('c/1')).resolves.toBeUndefined()
    expect(calls[0].url).toBe('/api/v1/conversations/c%2F1/read')

    await client.listConversations({ stage: 'after_sale', status: undefined, assignee: 'me', q: '', limit: 20 })
    expect(calls[1].url).toBe('/api/v1/conversations?stage=after_sale&assignee=me&limit=20')
  })
})
