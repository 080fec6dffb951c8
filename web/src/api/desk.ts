// The inbox tools of the API: transfer, notes, labels, quick replies, forbidden
// phrases, staff and the inbox settings (see docs/openapi.yaml).
import { api as defaultApi, type ApiClient } from './client'
import type { Conversation, Stage, User } from './types'

export interface ConversationEvent {
  id: string
  conversation_id: string
  /** created, assigned, stage_changed, resolved, reopened, note */
  kind: string
  actor_id: string | null
  data: Record<string, unknown>
  created_at: string
}

export const FLOW_STEPS = ['greeting', 'promotion', 'product', 'order_confirmation', 'favorite'] as const
export type FlowStep = (typeof FLOW_STEPS)[number]

export interface QuickReply {
  id: string
  scope: 'shop' | 'personal'
  stage: Stage | ''
  step: FlowStep | ''
  title: string
  text: string
  position: number
  /** Filled in for one conversation (GET /conversations/{id}/quick-replies). */
  rendered?: string
  missing?: string[]
}

export type QuickReplyInput = Omit<QuickReply, 'id' | 'rendered' | 'missing'>

export interface ForbiddenPhrase {
  id: string
  phrase: string
  standard: boolean
  created_at: string
}

export interface StaffMember extends User {
  max_open: number
}

export interface InboxSettings {
  greeting: { enabled: boolean; template: string }
  default_max_open: number
  presence_grace_seconds: number
}

export interface Transfer {
  to_user_id?: string
  to_stage?: Stage
  note?: string
}

export function createDeskApi(client: ApiClient = defaultApi) {
  const r = client.request
  const enc = encodeURIComponent
  const conv = (id: string) => `/api/v1/conversations/${enc(id)}`
  return {
    events: (id: string) => r<{ items: ConversationEvent[] }>('GET', `${conv(id)}/events`),
    transfer: (id: string, t: Transfer) => r<Conversation>('POST', `${conv(id)}/transfer`, { body: t }),
    reopen: (id: string) => r<Conversation>('POST', `${conv(id)}/reopen`),
    addNote: (id: string, text: string) => r<ConversationEvent>('POST', `${conv(id)}/notes`, { body: { text } }),
    setLabels: (id: string, labels: string[]) => r<Conversation>('PUT', `${conv(id)}/labels`, { body: { labels } }),
    labels: () => r<{ items: { label: string; count: number }[] }>('GET', '/api/v1/labels'),
    quickRepliesFor: (id: string) => r<{ items: QuickReply[] }>('GET', `${conv(id)}/quick-replies`),
    quickReplies: () => r<{ items: QuickReply[] }>('GET', '/api/v1/quick-replies'),
    createQuickReply: (q: QuickReplyInput) => r<QuickReply>('POST', '/api/v1/quick-replies', { body: q }),
    updateQuickReply: (id: string, q: QuickReplyInput) => r<QuickReply>('PUT', `/api/v1/quick-replies/${enc(id)}`, { body: q }),
    deleteQuickReply: (id: string) => r<void>('DELETE', `/api/v1/quick-replies/${enc(id)}`),
    phrases: () => r<{ items: ForbiddenPhrase[] }>('GET', '/api/v1/forbidden-phrases'),
    addPhrase: (phrase: string) => r<ForbiddenPhrase>('POST', '/api/v1/forbidden-phrases', { body: { phrase } }),
    deletePhrase: (id: string) => r<void>('DELETE', `/api/v1/forbidden-phrases/${enc(id)}`),
    staff: () => r<{ items: StaffMember[] }>('GET', '/api/v1/users'),
    updateStaff: (id: string, patch: Partial<Pick<StaffMember, 'display_name' | 'agent_no' | 'skills' | 'max_open'>>) =>
      r<StaffMember>('PATCH', `/api/v1/users/${enc(id)}`, { body: patch }),
    settings: () => r<{ inbox: InboxSettings }>('GET', '/api/v1/settings'),
    saveInboxSettings: (s: InboxSettings) => r<{ inbox: InboxSettings }>('PUT', '/api/v1/settings/inbox', { body: s }),
  }
}

export type DeskApi = ReturnType<typeof createDeskApi>

export const desk = createDeskApi()
