import { afterEach, describe, expect, it, vi } from 'vitest'
import { AGENT_STATUSES, CONVERSATION_STATUSES, STAGES } from '../src/api/types'
import { DEFAULT_LOCALE, LOCALE_STORAGE_KEY, SUPPORTED_LOCALES, i18n, messages, setLocale, storedLocale } from '../src/i18n'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out[key] = v
    else Object.assign(out, flatten(v, key))
  }
  return out
}

const flat = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, flatten(messages[l] as unknown as Tree)]))
const zhKeys = Object.keys(flat['zh-CN']).sort()

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
}

afterEach(() => {
  setLocale(DEFAULT_LOCALE)
})

describe('i18n messages', () => {
  it.each(SUPPORTED_LOCALES)('%s defines exactly the same keys as zh-CN, none empty', (locale) => {
    expect(Object.keys(flat[locale]).sort()).toEqual(zhKeys)
    for (const [key, value] of Object.entries(flat[locale])) {
      expect(value.trim(), `${locale}: ${key}`).not.toBe('')
    }
  })

  it('uses the same placeholders in every language', () => {
    for (const key of zhKeys) {
      const expected = placeholders(flat['zh-CN'][key])
      for (const locale of SUPPORTED_LOCALES) {
        expect(placeholders(flat[locale][key]), `${locale}: ${key}`).toEqual(expected)
      }
    }
  })

  it('compiles every message without warnings', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    for (const locale of SUPPORTED_LOCALES) {
      setLocale(locale)
      for (const key of zhKeys) {
        const out = i18n.global.t(key, { message: 'm', count: 1, no: '7', id: '1', n: 2, time: 't', type: 'x' })
        expect(out, `${locale}: ${key}`).not.toBe(key)
      }
    }
    expect(warn).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
  })

  it('has a message for every stage, status and order flag the app shows', () => {
    const needed = [
      ...STAGES.map((s) => `stage.${s}`),
      ...CONVERSATION_STATUSES.map((s) => `conversationStatus.${s}`),
      ...AGENT_STATUSES.map((s) => `agentStatus.${s}`),
      ...['pending', 'sent', 'failed', 'received'].map((s) => `message.status.${s}`),
      ...['none', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'grey'].map((f) => `orders.flag.${f}`),
      ...SUPPORTED_LOCALES.map((l) => `lang.${l}`),
      'filters.mine',
      'filters.unassigned',
      'filters.all',
    ]
    for (const key of needed) expect(zhKeys, key).toContain(key)
  })

  it('has every key the source code asks for', () => {
    const sources = import.meta.glob('../src/**/*.{ts,vue}', { query: '?raw', import: 'default', eager: true }) as Record<
      string,
      string
    >
    expect(Object.keys(sources).length).toBeGreaterThan(5)
    const used = new Set<string>()
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt[e]?\(\s*'([\w.-]+)'/g)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(20)
    for (const key of used) expect(zhKeys, `used in source: ${key}`).toContain(key)
  })

  it('uses the shop terms in Chinese', () => {
    expect(flat['zh-CN']['stage.pre_sale']).toBe('售前')
    expect(flat['zh-CN']['stage.in_sale']).toBe('售中')
    expect(flat['zh-CN']['stage.after_sale']).toBe('售后')
    expect(flat['zh-CN']['orders.note']).toBe('旗帜备注')
  })
})

describe('language choice', () => {
  it('defaults to zh-CN and remembers the choice', () => {
    localStorage.removeItem(LOCALE_STORAGE_KEY)
    expect(storedLocale()).toBe('zh-CN')
    setLocale('en')
    expect(i18n.global.locale.value).toBe('en')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
    expect(storedLocale()).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    expect(i18n.global.t('stage.after_sale')).toBe('After-sale')
  })

  it('ignores an unknown remembered language', () => {
    localStorage.setItem(LOCALE_STORAGE_KEY, 'xx-YY')
    expect(storedLocale()).toBe('zh-CN')
  })
})
