import type { Role } from './api/types'

/** One page of the top navigation: the route it opens and who sees it. */
export interface NavItem {
  /** The route name (see router.ts). */
  route: string
  /** The i18n key of its label. */
  label: string
  roles: Role[]
}

/**
 * The pages of the app, in the order the top bar shows them. A new page adds its
 * route in router.ts and one line here.
 */
export const NAV_ITEMS: NavItem[] = [
  { route: 'inbox', label: 'nav.inbox', roles: ['admin', 'supervisor', 'agent'] },
  { route: 'tickets', label: 'service.nav.tickets', roles: ['admin', 'supervisor', 'agent'] },
  { route: 'handover', label: 'service.nav.handover', roles: ['supervisor', 'agent'] },
  { route: 'reports', label: 'service.nav.reports', roles: ['supervisor'] },
  { route: 'settings', label: 'desk.nav.settings', roles: ['admin', 'supervisor', 'agent'] },
  { route: 'channels', label: 'channels.nav', roles: ['admin', 'supervisor'] },
  { route: 'logistics-settings', label: 'logistics.nav', roles: ['admin', 'supervisor'] },
]

/** The pages a user with this role sees. */
export function navFor(role: Role | undefined): NavItem[] {
  if (!role) return []
  return NAV_ITEMS.filter((item) => item.roles.includes(role))
}
