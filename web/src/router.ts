import { createRouter, createWebHistory } from 'vue-router'
import { auth, ensureUser } from './stores/auth'
import InboxView from './views/InboxView.vue'
import LoginView from './views/LoginView.vue'
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
    { path: '/reports', name: 'reports', component: ReportsView },
    { path: '/tickets', name: 'tickets', component: TicketsView },
    { path: '/handover', name: 'handover', component: HandoverView },
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
  return true
})
