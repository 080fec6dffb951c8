import { createI18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from './locales/zh-CN'
import en from './locales/en'

export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: AppLocale = 'zh-CN'
export const LOCALE_STORAGE_KEY = 'chatbridge.locale'

export const messages: Record<AppLocale, MessageSchema> = {
  'zh-CN': zhCN,
  en,
}

export function isSupportedLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value)
}

/** The remembered language, or the default (zh-CN). */
export function storedLocale(): AppLocale {
  try {
    const v = localStorage.getItem(LOCALE_STORAGE_KEY)
    if (isSupportedLocale(v)) return v
  } catch {
    // localStorage unavailable: use the default.
  }
  return DEFAULT_LOCALE
}

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages,
})

function applyDocumentLang(locale: AppLocale) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

applyDocumentLang(i18n.global.locale.value)

/** Switches the language and remembers the choice. */
export function setLocale(locale: AppLocale) {
  i18n.global.locale.value = locale
  applyDocumentLang(locale)
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // Not remembered, but still switched for this page.
  }
}
