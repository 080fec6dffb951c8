import type {
  AgentStatus,
  ChannelSettings,
  ChannelSummary,
  ChannelTestResult,
  ChannelType,
  CreatedChannel,
  MediaInfo,
  Conversation,
  ConversationDetail,
  ConversationPage,
  ConversationQuery,
  LoginResponse,
  MessagePage,
  SendMessageResponse,
  Stage,
  User,
} from './types'

/** An error answered by the API (or a failure to reach it). */
export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number
  /** Machine-readable code from `{"error":{"code"}}`, or a fallback. */
  readonly code: string
  /** Any extra fields of the error object (e.g. `phrases`). */
  readonly details: Record<string, unknown>

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** The forbidden phrases reported with a `forbidden_phrase` error. */
  get phrases(): string[] {
    const p = this.details.phrases
    return Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : []
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError
}

/** Turns a non-2xx response into an ApiError, whatever its body looks like. */
export async function decodeError(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await res.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  const fallbackCode = `http_${res.status}`
  const fallbackMessage = res.statusText || `HTTP ${res.status}`
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown }).error
    if (e && typeof e === 'object') {
      const { code, message, ...rest } = e as Record<string, unknown>
      return new ApiError(
        res.status,
        typeof code === 'string' && code ? code : fallbackCode,
        typeof message === 'string' && message ? message : fallbackMessage,
        rest,
      )
    }
    if (typeof e === 'string' && e) {
      return new ApiError(res.status, fallbackCode, e)
    }
  }
  return new ApiError(res.status, fallbackCode, fallbackMessage)
}

export const TOKEN_STORAGE_KEY = 'chatbridge.token'

export interface ApiClientOptions {
  /** Prefix for every request path; empty for same origin. */
  baseUrl?: string
  /** fetch implementation; defaults to the global one (looked up per call). */
  fetch?: typeof fetch
  /** Where the token survives a reload; defaults to sessionStorage. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
}

type Query = Record<string, string | number | undefined | null>

function defaultStorage(): ApiClientOptions['storage'] {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

function buildQuery(q: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? ''
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const storage = options.storage === undefined ? defaultStorage() : options.storage

  let token: string | null = null
  try {
    token = storage?.getItem(TOKEN_STORAGE_KEY) ?? null
  } catch {
    token = null
  }
  let onUnauthorized: (() => void) | null = null

  function setToken(value: string | null) {
    token = value || null
    try {
      if (token) storage?.setItem(TOKEN_STORAGE_KEY, token)
      else storage?.removeItem(TOKEN_STORAGE_KEY)
    } catch {
      // Storage may be unavailable (private mode); memory is enough.
    }
  }

  interface RequestOptions {
    body?: unknown
    /** A multipart body (file upload); the browser sets its Content-Type. */
    form?: FormData
    query?: Query
    /** Do not report a 401 to the unauthorized handler (login, probing /me). */
    quiet401?: boolean
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (token) headers.Authorization = `Bearer ${token}`
    let body: string | FormData | undefined
    if (opts.form !== undefined) {
      body = opts.form
    } else if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(opts.body)
    }
    let res: Response
    try {
      res = await doFetch(baseUrl + path + buildQuery(opts.query ?? {}), {
        method,
        headers,
        body,
        credentials: 'same-origin',
      })
    } catch (err) {
      throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err))
    }
    if (!res.ok) {
      const err = await decodeError(res)
      if (res.status === 401 && !opts.quiet401) onUnauthorized?.()
      throw err
    }
    if (res.status === 204) return undefined as T
    const text = await res.text()
    if (!text) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ApiError(res.status, 'bad_response', 'response is not valid JSON')
    }
  }

  const enc = encodeURIComponent

  return {
    request,
    getToken: () => token,
    setToken,
    /** Called whenever an authenticated request answers 401. */
    setUnauthorizedHandler(fn: (() => void) | null) {
      onUnauthorized = fn
    },

    async login(username: string, password: string): Promise<LoginResponse> {
      const res = await request<LoginResponse>('POST', '/api/v1/auth/login', {
        body: { username, password },
        quiet401: true,
      })
      setToken(res.token)
      return res
    },
    async logout(): Promise<void> {
      try {
        await request<void>('POST', '/api/v1/auth/logout', { quiet401: true })
      } finally {
        setToken(null)
      }
    },
    me: () => request<User>('GET', '/api/v1/me', { quiet401: true }),
    setStatus: (status: AgentStatus) =>
      request<{ status: AgentStatus }>('POST', '/api/v1/me/status', { body: { status } }),

    listConversations: (q: ConversationQuery = {}) =>
      request<ConversationPage>('GET', '/api/v1/conversations', { query: { ...q } }),
    getConversation: (id: string) =>
      request<ConversationDetail>('GET', `/api/v1/conversations/${enc(id)}`),
    listMessages: (id: string, q: { before?: string; limit?: number } = {}) =>
      request<MessagePage>('GET', `/api/v1/conversations/${enc(id)}/messages`, { query: q }),
    sendMessage: (id: string, text: string, override = false) =>
      request<SendMessageResponse>('POST', `/api/v1/conversations/${enc(id)}/messages`, {
        body: { type: 'text', text, override },
      }),
    resolve: (id: string) => request<Conversation>('POST', `/api/v1/conversations/${enc(id)}/resolve`),
    setStage: (id: string, stage: Stage) =>
      request<Conversation>('POST', `/api/v1/conversations/${enc(id)}/stage`, { body: { stage } }),
    assign: (id: string, assigneeId: string) =>
      request<Conversation>('POST', `/api/v1/conversations/${enc(id)}/assign`, {
        body: { assignee_id: assigneeId },
      }),
    markRead: (id: string) => request<void>('POST', `/api/v1/conversations/${enc(id)}/read`),

    // ---- images ----
    /** Uploads an image to send; the server checks its size and type. */
    uploadMedia(file: Blob, fileName: string, shopId?: string): Promise<MediaInfo> {
      const form = new FormData()
      if (shopId) form.append('shop_id', shopId)
      form.append('file', file, fileName)
      return request<MediaInfo>('POST', '/api/v1/media', { form })
    },
    sendImage: (id: string, mediaId: string, text = '', override = false) =>
      request<SendMessageResponse>('POST', `/api/v1/conversations/${enc(id)}/messages`, {
        body: { type: 'image', media_id: mediaId, text, override },
      }),

    // ---- channels ----
    listChannelTypes: () => request<{ items: ChannelType[] }>('GET', '/api/v1/channel-types'),
    /** Supervisors and admins get ChannelSettings; other staff a ChannelSummary. */
    listChannels: <T extends ChannelSummary = ChannelSettings>(shopId?: string) =>
      request<{ items: T[] }>('GET', '/api/v1/channels', { query: { shop_id: shopId } }),
    createChannel: (body: { shop_id?: string; type: string; name: string; config: Record<string, unknown> }) =>
      request<CreatedChannel>('POST', '/api/v1/channels', { body }),
    updateChannel: (id: string, body: { name?: string; config?: Record<string, unknown> }) =>
      request<ChannelSettings>('PUT', `/api/v1/channels/${enc(id)}`, { body }),
    testChannel: (id: string) => request<ChannelTestResult>('POST', `/api/v1/channels/${enc(id)}/test`),
    /** Asks the server to pull from the platform now (channel types that pull). */
    pollChannel: (id: string) => request<unknown>('POST', `/api/v1/channels/${enc(id)}/poll`),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>

/** The app-wide client (same origin). */
export const api = createApiClient()
