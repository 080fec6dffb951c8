// Parcel tracking: an order's parcel and timeline, the shop's tracking-provider
// accounts and its logistics settings.
import { api, type ApiClient } from './client'

export const PARCEL_STATES = [
  'pending',
  'collected',
  'in_transit',
  'customs',
  'out_for_delivery',
  'delivered',
  'problem',
  'refused',
  'returning',
  'returned',
] as const
export type ParcelState = (typeof PARCEL_STATES)[number]

/** The open exception shown beside the chat ('' when none). */
export type ParcelException = 'stuck' | 'problem' | 'returned' | ''

export interface Parcel {
  id: string
  order_id: string
  carrier: string
  carrier_code: string
  number: string
  /** kuaidi100, aftership, or '' while the shop has no provider that can follow it. */
  provider: string
  state: ParcelState
  exception: ParcelException
  subscribed: boolean
  active: boolean
  last_event_at: string | null
  last_event_text: string
  started_at: string
  delivered_at: string | null
  follow_up_at: string | null
  next_poll_at: string | null
  last_polled_at: string | null
  last_error?: string
  updated_at: string
}

export interface ParcelEvent {
  id: string
  at: string
  text: string
  location: string
  status: string
  state: ParcelState | ''
}

export interface Tracking {
  parcel: Parcel | null
  /** Newest first. */
  events: ParcelEvent[]
}

export const PROVIDERS = ['kuaidi100', 'aftership'] as const
export type ProviderName = (typeof PROVIDERS)[number]

export interface ProviderAccount {
  id: string
  shop_id: string
  provider: ProviderName
  /** The settings without their secrets. */
  config: Record<string, unknown>
  /** Where the provider pushes (set it in AfterShip's webhook settings). */
  callback_url: string
  created_at: string
  updated_at: string
}

export interface PollStep {
  until_days: number
  every_hours: number
}

export interface LogisticsSettings {
  stuck_after_hours: number
  follow_up_after_hours: number
  poll_schedule: PollStep[]
  subscribed_poll_hours: number
  provider_order: ProviderName[]
}

/** States that show as trouble in the timeline. */
export function isTroubleState(s: string): boolean {
  return s === 'problem' || s === 'refused' || s === 'returning' || s === 'returned'
}

export function createLogisticsApi(client: Pick<ApiClient, 'request'> = api) {
  const enc = encodeURIComponent
  const shopQuery = (shopId?: string | null) => (shopId ? { shop_id: shopId } : {})
  return {
    tracking: (orderId: string) => client.request<Tracking>('GET', `/api/v1/orders/${enc(orderId)}/tracking`),
    providers: (shopId?: string | null) =>
      client.request<{ items: ProviderAccount[] }>('GET', '/api/v1/logistics/providers', { query: shopQuery(shopId) }),
    saveProvider: (provider: ProviderName, config: Record<string, string>, shopId?: string | null) =>
      client.request<ProviderAccount>('POST', '/api/v1/logistics/providers', {
        body: { provider, config, ...(shopId ? { shop_id: shopId } : {}) },
      }),
    settings: (shopId?: string | null) =>
      client.request<{ logistics: LogisticsSettings }>('GET', '/api/v1/settings', { query: shopQuery(shopId) }),
    saveSettings: (s: LogisticsSettings, shopId?: string | null) =>
      client.request<{ logistics: LogisticsSettings }>('PUT', '/api/v1/settings/logistics', {
        body: s,
        query: shopQuery(shopId),
      }),
  }
}

export type LogisticsApi = ReturnType<typeof createLogisticsApi>

export const logisticsApi = createLogisticsApi()
