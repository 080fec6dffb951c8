import { describe, expect, it } from 'vitest'
import { auth, endShift, onlineOnOpen, takeShiftStart } from '../src/stores/auth'

describe('the status the inbox opens with', () => {
  it('sets online at the start of a shift, whatever the stored status', () => {
    expect(onlineOnOpen('offline', true)).toBe(true)
    expect(onlineOnOpen('away', true)).toBe(true)
    expect(onlineOnOpen(undefined, true)).toBe(true)
  })

  it('keeps an offline user offline otherwise (a handover or their choice)', () => {
    expect(onlineOnOpen('offline', false)).toBe(false)
    expect(onlineOnOpen('away', false)).toBe(true)
    expect(onlineOnOpen('online', false)).toBe(true)
  })

  it('starts the shift once per login, and a handover ends it', () => {
    auth.user = { id: '7', username: 'a', role: 'agent', shop_id: '1', display_name: 'A', agent_no: '', status: 'online' }
    auth.startsShift = true
    expect(takeShiftStart()).toBe(true)
    expect(takeShiftStart()).toBe(false)

    auth.startsShift = true // logged in, then went straight to the handover page
    endShift()
    expect(takeShiftStart()).toBe(false)
    expect(auth.user.status).toBe('offline')
    expect(onlineOnOpen(auth.user.status, takeShiftStart())).toBe(false)
  })
})
