// Ticket logic of the web: where a ticket's due time stands, the default due time of a
// new ticket and the conversion of the form's local time.
import type { Ticket } from '../api/service'

export type DueState = 'closed' | 'overdue' | 'soon' | 'ok'

/** A ticket due within this counts as due soon. */
export const SOON_MS = 60 * 60 * 1000

export function dueState(t: Pick<Ticket, 'status' | 'due_at'>, now: Date, soonMs = SOON_MS): DueState {
  if (t.status === 'closed') return 'closed'
  const left = new Date(t.due_at).getTime() - now.getTime()
  if (left <= 0) return 'overdue'
  if (left <= soonMs) return 'soon'
  return 'ok'
}

/** How far a time is from now, in the largest whole unit (at least 1 minute). */
export function distance(iso: string, now: Date): { unit: 'minutes' | 'hours' | 'days'; n: number } {
  const ms = Math.abs(new Date(iso).getTime() - now.getTime())
  const minutes = Math.max(1, Math.floor(ms / 60000))
  if (minutes < 60) return { unit: 'minutes', n: minutes }
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return { unit: 'hours', n: hours }
  return { unit: 'days', n: Math.floor(hours / 24) }
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A Date as the value of an <input type="datetime-local"> in the browser's time zone. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The form's local date and time as RFC 3339 (UTC), or null when it is not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/** A new ticket is due by default tomorrow at the same time, on the minute. */
export function defaultDue(now: Date, hours = 24): string {
  const d = new Date(now.getTime() + hours * 3600 * 1000)
  d.setSeconds(0, 0)
  return toLocalInput(d)
}

/** Open tickets soonest due first, then closed ones latest closed first. */
export function sortTickets(list: Ticket[]): Ticket[] {
  return [...list].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1
    if (a.status === 'open') return time(a.due_at) - time(b.due_at) || Number(a.id) - Number(b.id)
    return time(b.closed_at) - time(a.closed_at)
  })
}

function time(iso: string | null): number {
  return iso ? new Date(iso).getTime() : 0
}
