import { reactive } from 'vue'
import { api, isApiError } from '../api/client'
import type { User } from '../api/types'

export const auth = reactive({
  user: null as User | null,
  /** Whether we already asked the server who is logged in. */
  checked: false,
})

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
}
