import { describe, expect, it } from 'vitest'
import type { Ticket } from '../src/api/service'
import { defaultDue, distance, dueState, fromLocalInput, sortTickets, toLocalInput } from '../src/service/tickets'

const ticket = (id: string, over: Partial<Ticket> = {}): Ticket => ({
  id, conversation_id: 'c1', customer: { id: 'b1', name: '小林' }, category: 'logistics', title: `T${id}`, detail: '',
  owner_id: '7', owner_name: 'Amy', created_by: '8', due_at: '2026-11-23T10:00:00Z', status: 'open', overdue: false,
  outcome: '', outcome_message_id: null, closed_by: null, closed_at: null, created_at: '2026-11-23T08:00:00Z',
  updated_at: '2026-11-23T08:00:00Z', ...over,
})

describe('ticket due state', () => {
  const now = new Date('2026-11-23T09:00:00Z')
  it('is overdue at and after its due time, soon within the hour, ok before, closed when closed', () => {
    expect(dueState(ticket('1', { due_at: '2026-11-23T09:00:00Z' }), now)).toBe('overdue')
    expect(dueState(ticket('1', { due_at: '2026-11-23T08:59:00Z' }), now)).toBe('overdue')
    expect(dueState(ticket('1', { due_at: '2026-11-23T10:00:00Z' }), now)).toBe('soon')
    expect(dueState(ticket('1', { due_at: '2026-11-23T10:00:01Z' }), now)).toBe('ok')
    expect(dueState(ticket('1', { due_at: '2026-11-23T08:00:00Z', status: 'closed' }), now)).toBe('closed')
  })

  it('tells the distance in the largest whole unit', () => {
    expect(distance('2026-11-23T09:00:20Z', now)).toEqual({ unit: 'minutes', n: 1 })
    expect(distance('2026-11-23T09:45:00Z', now)).toEqual({ unit: 'minutes', n: 45 })
    expect(distance('2026-11-23T07:30:00Z', now)).toEqual({ unit: 'hours', n: 1 })
    expect(distance('2026-11-25T08:59:00Z', now)).toEqual({ unit: 'hours', n: 47 })
    expect(distance('2026-11-26T09:00:00Z', now)).toEqual({ unit: 'days', n: 3 })
  })
})

describe('ticket form times', () => {
  it('round-trips the local input and refuses what is no time', () => {
    const d = new Date(2026, 10, 23, 18, 30)
    expect(toLocalInput(d)).toBe('2026-11-23T18:30')
    expect(fromLocalInput('2026-11-23T18:30')).toBe(d.toISOString())
    expect(fromLocalInput('')).toBeNull()
    expect(fromLocalInput('tomorrow')).toBeNull()
    expect(fromLocalInput('2026-13-45T99:99')).toBeNull()
  })

  it('defaults to a day later on the minute', () => {
    expect(defaultDue(new Date(2026, 10, 23, 18, 30, 42))).toBe('2026-11-24T18:30')
  })
})

describe('ticket order', () => {
  it('lists open tickets soonest due first, then closed ones latest closed first', () => {
    const list = [
      ticket('1', { status: 'closed', closed_at: '2026-11-23T08:00:00Z' }),
      ticket('2', { due_at: '2026-11-24T10:00:00Z' }),
      ticket('3', { status: 'closed', closed_at: '2026-11-23T09:00:00Z' }),
      ticket('4', { due_at: '2026-11-23T10:00:00.5Z' }),
      ticket('5', { due_at: '2026-11-23T10:00:00Z' }),
    ]
    expect(sortTickets(list).map((t) => t.id)).toEqual(['5', '4', '2', '3', '1'])
  })
})
