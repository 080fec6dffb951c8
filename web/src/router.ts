import { createRouter, createWebHistory } from 'vue-router'
import { auth, ensureUser } from './stores/auth'

// Both inbox routes share one component instance, so opening a conversation
// does not remount the inbox (and its live connection).
const InboxView = () => import('./views/InboxView.vue')

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/', name: 'inbox', component: InboxView },
    { path: '/c/:id', name: 'conversation', component: InboxView },
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
