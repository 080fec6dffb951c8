import { createRouter, createWebHistory } from 'vue-router'
import { auth, ensureUser } from './stores/auth'
import ChannelsView from './views/ChannelsView.vue'
import InboxView from './views/InboxView.vue'
import LoginView from './views/LoginView.vue'
import SettingsView from './views/SettingsView.vue'
import LogisticsSettingsView from './views/LogisticsSettingsView.vue'
import HandoverView from './views/service/HandoverView.vue'
import ReportsView from './views/service/ReportsView.vue'
import TicketsView from './views/service/TicketsView.vue'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
    // Both inbox routes render the same component, so opening a conversation
    // does not remount the inbox (and its live connection).
    { path: '/', name: 'inbox', component: InboxView },
    { path: '/c/:id', name: 'conversation', component: InboxView },
    { path: '/reports', name: 'reports', component: ReportsView, meta: { roles: ['supervisor'] } },
    { path: '/tickets', name: 'tickets', component: TicketsView, meta: { roles: ['admin', 'supervisor', 'agent'] } },
    { path: '/handover', name: 'handover', component: HandoverView, meta: { roles: ['supervisor', 'agent'] } },
    { path: '/settings', name: 'settings', component: SettingsView },
    { path: '/channels', name: 'channels', component: ChannelsView, meta: { roles: ['admin', 'supervisor'] } },
    {
      path: '/settings/logistics',
      name: 'logistics-settings',
      component: LogisticsSettingsView,
      meta: { roles: ['admin', 'supervisor'] },
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) {
    if (to.name === 'login' && (auth.user || (await ensureUser()))) return { path: '/' }
    return true
  }
  const user = await ensureUser()
  if (!user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !roles.includes(user.role)) return { path: '/' }
  return true
})
