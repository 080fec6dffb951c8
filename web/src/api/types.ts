// Wire types of the ChatBridge HTTP and WebSocket API (JSON, snake_case).

export type Role = string

export interface User {
  id: string
  username: string
  role: Role
  /** Null for platform administrators, who are not tied to one shop. */
  shop_id: string | null
  display_name: string
  agent_no: string
  skills?: string[]
  status?: string
}

export interface LoginResponse {
  token: string
  user: User
}

export const AGENT_STATUSES = ['online', 'away', 'offline'] as const
export type AgentStatus = (typeof AGENT_STATUSES)[number]

export const STAGES = ['pre_sale', 'in_sale', 'after_sale'] as const
export type Stage = (typeof STAGES)[number]

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'] as const
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number]

export interface Customer {
  id: string
  name: string
}

export interface Conversation {
  id: string
  shop_id: string
  channel_id: string
  customer: Customer
  stage: Stage
  status: ConversationStatus
  assignee_id: string | null
  last_message_at: string | null
  last_message_preview: string
  unread_count: number
  /** When the server last changed this conversation; used to ignore stale updates. */
  updated_at?: string
  /** The inquiry's category ("" until classified). */
  category?: string
}

export interface ConversationPage {
  items: Conversation[]
  next_cursor?: string | null
}

export interface OrderItem {
  sku: string
  title: string
  quantity: number
}

export interface OrderAddress {
  name: string
  phone: string
  region: string
  detail: string
}

export interface OrderTracking {
  carrier: string
  number: string
}

export interface Order {
  id: string
  external_id: string
  status: string
  total: number | string
  currency: string
  items: OrderItem[] | null
  address: OrderAddress | null
  tracking: OrderTracking | null
  note: string
  flag: string | number | null
  updated_at: string
}

export interface ConversationDetail extends Conversation {
  orders: Order[] | null
}

export type MessageDirection = 'in' | 'out'
export type MessageStatus = 'received' | 'pending' | 'sent' | 'failed'

export type MessageSender = string | { id?: string; name?: string; display_name?: string } | null

export interface Message {
  id: string
  conversation_id: string
  direction: MessageDirection
  type: string
  text: string
  status: MessageStatus
  sender?: MessageSender
  sender_id?: string | null
  /** Why delivery failed (status "failed"). */
  error?: string
  created_at: string
  updated_at?: string
}

export interface MessagePage {
  items: Message[]
}

export interface SendMessageResponse {
  id: string
  status: MessageStatus
}

export interface Alert {
  id?: string
  conversation_id?: string
  kind?: string
  level?: string
  message?: string
  text?: string
  title?: string
  created_at?: string
}

export type RealtimeEvent =
  | { type: 'message.created'; data: Message; cursor?: string }
  | { type: 'message.updated'; data: Message; cursor?: string }
  | { type: 'conversation.updated'; data: Conversation; cursor?: string }
  | { type: 'alert.created'; data: Alert; cursor?: string }

export interface ConversationQuery {
  stage?: Stage
  status?: ConversationStatus
  /** An inquiry category, or "none" for chats not classified yet. */
  category?: string
  assignee?: string
  q?: string
  cursor?: string
  limit?: number
}
