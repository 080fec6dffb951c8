// The service-quality part of the API: inquiry category and complaints, tickets, shift
// handover and the supervisor's reports (docs/openapi.yaml).
import { api, type ApiClient } from './client'
import type { Conversation } from './types'

export const CATEGORIES = ['consultation', 'order', 'logistics', 'return_refund', 'complaint'] as const
export type Category = (typeof CATEGORIES)[number]

export interface Complaint {
  id: string
  conversation_id: string
  agent_id: string | null
  opened_by: string | null
  opened_at: string
  deadline_at: string
  answered_at: string | null
  late: boolean
  repeat: boolean
  repeat_of: string | null
  withdrawn_at: string | null
  status: 'open' | 'overdue' | 'answered' | 'withdrawn'
}

export interface Ticket {
  id: string
  conversation_id: string
  customer: { id: string; name: string }
  category: Category
  title: string
  detail: string
  owner_id: string
  owner_name: string
  created_by: string
  due_at: string
  status: 'open' | 'closed'
  overdue: boolean
  outcome: string
  outcome_message_id: string | null
  closed_by: string | null
  closed_at: string | null
  created_at: string
  updated_at: string
}

export interface TicketPage {
  items: Ticket[]
  next_cursor: string | null
}

export interface NewTicket {
  category: Category
  title: string
  detail?: string
  owner_id: string
  /** RFC 3339. */
  due_at: string
}

export interface TicketClosing {
  outcome: string
  notify_buyer: boolean
  message?: string
  override?: boolean
}

export interface TicketQuery {
  status?: 'open' | 'closed'
  owner?: string
  overdue?: boolean
  cursor?: string
  limit?: number
}

export interface HandoverItem {
  conversation_id: string
  customer: { id: string; name: string }
  note: string
  to_user_id: string | null
  to_user_name: string
}

export interface Handover {
  id: string
  user_id: string
  user_name: string
  created_by: string
  created_by_name: string
  note: string
  created_at: string
  items: HandoverItem[]
}

export interface NewHandover {
  note: string
  user_id?: string
  items: { conversation_id: string; note: string }[]
}

/** Figures of an agent (or the team) over a day (or the range); null: nothing to compute from. */
export interface ReportFigures {
  chats: number
  turns: number
  answered: number
  reply_rate: number | null
  first_response_median_seconds: number | null
  first_response_p90_seconds: number | null
  within_target: number
  within_target_rate: number | null
  resolved: number
  ratings: number
  rating_average: number | null
  ratings_good: number
  rating_good_rate: number | null
  complaints: number
  complaints_answered_in_time: number
  complaints_answered_late: number
  complaints_overdue: number
  complaints_pending: number
  complaints_in_time_rate: number | null
  repeat_complaints: number
  repeat_complaint_rate: number | null
  overrides: number
}

export interface ReportRow extends ReportFigures {
  date?: string
  agent_id: string | null
  agent_name: string
}

export interface AgentReport {
  shop_id: string
  timezone: string
  from: string
  to: string
  first_response_target_seconds: number
  generated_at: string
  rows: ReportRow[]
  agents: ReportRow[]
  days: ReportRow[]
  total: ReportFigures
}

export interface ReportQuery {
  from?: string
  to?: string
}

/** The service calls on a client (the app's by default; tests pass their own). */
export function serviceApi(client: ApiClient = api) {
  const enc = encodeURIComponent
  const r = client.request
  return {
    setCategory: (conversationId: string, category: Category) =>
      r<Conversation>('POST', `/api/v1/conversations/${enc(conversationId)}/category`, { body: { category } }),
    complaints: (conversationId: string) =>
      r<{ items: Complaint[] }>('GET', `/api/v1/conversations/${enc(conversationId)}/complaints`),
    conversationTickets: (conversationId: string) =>
      r<TicketPage>('GET', `/api/v1/conversations/${enc(conversationId)}/tickets`),
    createTicket: (conversationId: string, t: NewTicket) =>
      r<Ticket>('POST', `/api/v1/conversations/${enc(conversationId)}/tickets`, { body: t }),
    tickets: (q: TicketQuery = {}) =>
      r<TicketPage>('GET', '/api/v1/tickets', {
        query: { ...q, overdue: q.overdue ? 'true' : undefined },
      }),
    closeTicket: (id: string, c: TicketClosing) => r<Ticket>('POST', `/api/v1/tickets/${enc(id)}/close`, { body: c }),
    updateTicket: (id: string, change: Partial<Pick<Ticket, 'title' | 'detail' | 'owner_id' | 'due_at'>>) =>
      r<Ticket>('PATCH', `/api/v1/tickets/${enc(id)}`, { body: change }),
    handovers: (q: { before?: string; limit?: number } = {}) => r<{ items: Handover[] }>('GET', '/api/v1/handovers', { query: q }),
    createHandover: (h: NewHandover) => r<Handover>('POST', '/api/v1/handovers', { body: h }),
    agentReport: (q: ReportQuery = {}) => r<AgentReport>('GET', '/api/v1/reports/agents', { query: { ...q } }),
    /** The CSV export's URL; the session cookie authenticates the download. */
    agentReportCsvUrl: (q: ReportQuery & { lang?: string } = {}) => {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(q)) if (v) params.set(k, v)
      const s = params.toString()
      return `/api/v1/reports/agents.csv${s ? `?${s}` : ''}`
    },
  }
}

export type ServiceApi = ReturnType<typeof serviceApi>
