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
  labels?: string[]
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
  /** The platform's reply window; null or absent when the channel has none. */
  reply_window?: ReplyWindow | null
}

/** How long, and how many more times, an agent may still answer on a limited platform. */
export interface ReplyWindow {
  closes_at: string
  replies_left: number | null
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
  /** The image of an image message; absent for text. */
  media?: MediaInfo | null
}

// ---- media (images) -------------------------------------------------------------

/** A buyer's image is pending while the server fetches it, then ready or failed. */
export type MediaStatus = 'pending' | 'ready' | 'failed'

export interface MediaInfo {
  id: string
  status: MediaStatus
  content_type?: string
  size?: number
  file_name?: string
  /** Why the file could not be fetched (failed), or the last attempt's error (pending). */
  error?: string
  /** Where the shop's staff load it (when ready). */
  url?: string
}

// ---- channels ---------------------------------------------------------------------

/** What a channel type can do (read from its adapter). */
export interface ChannelAbilities {
  chat: boolean
  sends_images: boolean
  receives_images: boolean
  reply_window_seconds: number
  max_replies_in_window: number
  pull: boolean
  pull_every_seconds: number
  note_write_back: boolean
  address_change: boolean
  test_connection: boolean
  register_webhook: boolean
  url_verification: boolean
}

export interface ConfigField {
  key: string
  label: string
  label_zh: string
  secret: boolean
  required: boolean
  help?: string
}

export interface ChannelType {
  type: string
  /** False when the type lists no fields: its config is edited as JSON. */
  described: boolean
  fields: ConfigField[]
  abilities: ChannelAbilities
}

/** What every member of staff may know of a channel. */
export interface ChannelSummary {
  id: string
  shop_id: string
  type: string
  name: string
  abilities: ChannelAbilities
}

/** A channel as supervisors and admins see it: settings (secrets masked) and health. */
export interface ChannelSettings extends ChannelSummary {
  webhook_url: string
  config: Record<string, unknown>
  /** Secret fields that hold a value; the value itself never reaches the browser. */
  secrets_set: string[]
  last_in_at: string | null
  last_out_at: string | null
  last_error: string
}

/** The answer to creating a channel: the secret is shown only here. */
export interface CreatedChannel {
  id: string
  shop_id?: string
  type: string
  name: string
  secret: string
  webhook_url: string
}

export interface ChannelTestResult {
  ok: boolean
  error?: string
  webhook_registered: boolean
  webhook_url: string
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
  | { type: 'conversation.event'; data: import('./desk').ConversationEvent; cursor?: string }

export interface ConversationQuery {
  stage?: Stage
  status?: ConversationStatus
  /** An inquiry category, or "none" for chats not classified yet. */
  category?: string
  assignee?: string
  q?: string
  label?: string
  cursor?: string
  limit?: number
}
