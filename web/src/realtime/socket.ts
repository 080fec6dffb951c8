import type { RealtimeEvent } from '../api/types'

/** What the header indicator shows. */
export type ConnectionState = 'live' | 'reconnecting'

/** The part of the browser WebSocket this client uses (lets tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: Event) => void) | null
  onmessage: ((ev: MessageEvent) => void) | null
  onclose: ((ev: CloseEvent) => void) | null
  onerror: ((ev: Event) => void) | null
  close(code?: number, reason?: string): void
}

export interface RealtimeOptions {
  /** Builds the URL to connect to; `since` is the last cursor received, if any. */
  url: (since: string | null) => string
  onEvent: (event: RealtimeEvent) => void
  onStateChange?: (state: ConnectionState) => void
  /** Called before each reconnect attempt with the number of failures so far. */
  onRetry?: (failures: number) => void
  createSocket?: (url: string) => SocketLike
  minDelayMs?: number
  maxDelayMs?: number
}

export const MIN_RECONNECT_DELAY_MS = 1000
export const MAX_RECONNECT_DELAY_MS = 30_000

/** Delay before reconnect attempt number `failures` (1-based): 1s, 2s, 4s … capped. */
export function backoffDelay(failures: number, min = MIN_RECONNECT_DELAY_MS, max = MAX_RECONNECT_DELAY_MS): number {
  const n = Math.max(1, failures)
  return Math.min(max, min * 2 ** Math.min(n - 1, 30))
}

const EVENT_TYPES = new Set(['message.created', 'message.updated', 'conversation.updated', 'alert.created', 'conversation.event'])

/** Parses one frame; returns null for anything that is not a known event. */
export function parseFrame(raw: unknown): (RealtimeEvent & { cursor?: string }) | { cursor?: string } | null {
  if (typeof raw !== 'string') return null
  let frame: unknown
  try {
    frame = JSON.parse(raw)
  } catch {
    return null
  }
  if (!frame || typeof frame !== 'object') return null
  const f = frame as { type?: unknown; data?: unknown; cursor?: unknown }
  const cursor = typeof f.cursor === 'string' && f.cursor ? f.cursor : undefined
  if (typeof f.type === 'string' && EVENT_TYPES.has(f.type) && f.data && typeof f.data === 'object') {
    return { type: f.type, data: f.data, cursor } as RealtimeEvent
  }
  // Unknown frame types (e.g. pings) may still advance the cursor.
  return { cursor }
}

/**
 * Keeps a WebSocket to the event stream open. Remembers the cursor of the
 * last frame and reconnects with `since=<cursor>` (backoff 1s → 30s) so the
 * server replays whatever was missed while disconnected.
 */
export class RealtimeClient {
  private readonly opts: Required<Pick<RealtimeOptions, 'minDelayMs' | 'maxDelayMs'>> & RealtimeOptions
  private socket: SocketLike | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running = false
  private failures = 0
  private _cursor: string | null = null
  private _state: ConnectionState = 'reconnecting'

  constructor(options: RealtimeOptions) {
    this.opts = { minDelayMs: MIN_RECONNECT_DELAY_MS, maxDelayMs: MAX_RECONNECT_DELAY_MS, ...options }
  }

  get cursor(): string | null {
    return this._cursor
  }

  get state(): ConnectionState {
    return this._state
  }

  /** Number of consecutive failed connections since the last successful one. */
  get failureCount(): number {
    return this.failures
  }

  start() {
    if (this.running) return
    this.running = true
    this.connect()
  }

  stop() {
    this.running = false
    this.clearTimer()
    const s = this.socket
    this.socket = null
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null
      try {
        s.close(1000, 'closing')
      } catch {
        // Already closed.
      }
    }
    this.setState('reconnecting')
  }

  /** Skip the remaining backoff wait (e.g. when the browser comes back online). */
  reconnectNow() {
    if (!this.running || this.socket) return
    this.clearTimer()
    this.connect()
  }

  private connect() {
    this.clearTimer()
    const url = this.opts.url(this._cursor)
    let socket: SocketLike
    try {
      socket = this.opts.createSocket ? this.opts.createSocket(url) : new WebSocket(url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket !== socket) return
      this.failures = 0
      this.setState('live')
    }
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket) return
      const frame = parseFrame(ev.data)
      if (!frame) return
      if (frame.cursor) this._cursor = frame.cursor
      if ('type' in frame) this.opts.onEvent(frame)
    }
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    }
    socket.onclose = () => {
      if (this.socket !== socket) return
      this.socket = null
      this.setState('reconnecting')
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect() {
    if (!this.running) return
    this.failures += 1
    const delay = backoffDelay(this.failures, this.opts.minDelayMs, this.opts.maxDelayMs)
    this.clearTimer()
    this.timer = setTimeout(() => {
      this.timer = null
      if (!this.running) return
      this.opts.onRetry?.(this.failures)
      this.connect()
    }, delay)
  }

  private clearTimer() {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
  }

  private setState(state: ConnectionState) {
    if (state === this._state) return
    this._state = state
    this.opts.onStateChange?.(state)
  }
}

/** URL of the event stream on the current origin. */
export function eventStreamUrl(since: string | null, token: string | null, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  const params = new URLSearchParams()
  if (since) params.set('since', since)
  // The login cookie authenticates the socket; the token is a fallback
  // for setups where the cookie is not sent (e.g. a Secure cookie on plain HTTP).
  if (token) params.set('token', token)
  const q = params.toString()
  return `${proto}//${loc.host}/api/v1/ws${q ? `?${q}` : ''}`
}
