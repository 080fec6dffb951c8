import { createApp } from 'vue'
import App from './App.vue'
import { api } from './api/client'
import { i18n } from './i18n'
import { router } from './router'
import { forgetUser } from './stores/auth'
import './styles.css'

api.setUnauthorizedHandler(() => {
  forgetUser()
  if (router.currentRoute.value.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } })
  }
})

createApp(App).use(i18n).use(router).mount('#app')
