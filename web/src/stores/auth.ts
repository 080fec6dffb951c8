import { reactive } from 'vue'
import { api, isApiError } from '../api/client'
import type { User } from '../api/types'

export const auth = reactive({
  user: null as User | null,
  /** Whether we already asked the server who is logged in. */
  checked: false,
  /**
   * Set by a login in this page: a login starts a shift, so the inbox, once opened, sets
   * the user online. Used once; ending the shift (a handover) clears it.
   */
  startsShift: false,
})

/** Whether a login in this page still has to start the shift (read once). */
export function takeShiftStart(): boolean {
  const v = auth.startsShift
  auth.startsShift = false
  return v
}

/**
 * Whether opening the inbox sets the user online: at the start of a shift, and whenever
 * they are not offline (an away session comes back). Offline was chosen, or set by a
 * shift handover, and holds until the user chooses again or logs in for a new shift.
 */
export function onlineOnOpen(status: string | undefined, startsShift: boolean): boolean {
  return startsShift || status !== 'offline'
}

/** A handover ended the user's own shift: they are offline until they choose again. */
export function endShift() {
  auth.startsShift = false
  if (auth.user) auth.user.status = 'offline'
}

let pending: Promise<User | null> | null = null

/** The logged-in user, asking the server once per page load. */
export function ensureUser(): Promise<User | null> {
  if (auth.user) return Promise.resolve(auth.user)
  if (auth.checked) return Promise.resolve(null)
  pending ??= api
    .me()
    .then((u) => {
      auth.user = u
      return u
    })
    .catch((err) => {
      if (isApiError(err) && err.status === 401) api.setToken(null)
      return null
    })
    .finally(() => {
      auth.checked = true
      pending = null
    })
  return pending
}

export async function login(username: string, password: string): Promise<User> {
  const res = await api.login(username, password)
  auth.user = res.user
  auth.checked = true
  auth.startsShift = true
  return res.user
}

export async function logout(): Promise<void> {
  try {
    await api.logout()
  } catch {
    // The local login state is cleared either way.
  } finally {
    forgetUser()
  }
}

/** Forgets the logged-in user and token (after logout or a 401). */
export function forgetUser() {
  api.setToken(null)
  auth.user = null
  auth.checked = true
  auth.startsShift = false
}
