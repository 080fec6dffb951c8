// Display helpers for times, money and order flags.

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? null : d
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

/** Clock time, e.g. 14:05. */
export function formatClock(iso: string | null | undefined, locale: string): string {
  const d = parse(iso)
  if (!d) return ''
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(d)
}

/** Compact time for list rows: today → 14:05, yesterday → label, this year → 3/21, else 2023/3/21. */
export function formatListTime(
  iso: string | null | undefined,
  locale: string,
  yesterdayLabel: string,
  now: Date = new Date(),
): string {
  const d = parse(iso)
  if (!d) return ''
  if (sameDay(d, now)) return formatClock(iso, locale)
  const y = new Date(now)
  y.setDate(now.getDate() - 1)
  if (sameDay(d, y)) return yesterdayLabel
  if (d.getFullYear() === now.getFullYear()) {
    return new Intl.DateTimeFormat(locale, { month: 'numeric', day: 'numeric' }).format(d)
  }
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(d)
}

/** Full local date and time, for tooltips and order timestamps. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  const d = parse(iso)
  if (!d) return ''
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d)
}

/** Order total with its currency; falls back to the raw value when it is not a number. */
export function formatMoney(total: number | string | null | undefined, currency: string | null | undefined, locale: string): string {
  if (total === null || total === undefined || total === '') return ''
  const n = typeof total === 'number' ? total : Number(total)
  if (!Number.isFinite(n)) return `${total}${currency ? ` ${currency}` : ''}`
  if (currency && /^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(n)
    } catch {
      // Unknown currency code: fall through.
    }
  }
  const plain = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)
  return currency ? `${plain} ${currency}` : plain
}

export const FLAG_COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'grey'] as const
export type FlagColour = (typeof FLAG_COLOURS)[number]

// Marketplaces number their seller flags; 1–5 are red, yellow, green, blue, purple.
const NUMBERED_FLAGS: Record<string, FlagColour> = {
  '1': 'red',
  '2': 'yellow',
  '3': 'green',
  '4': 'blue',
  '5': 'purple',
  '6': 'orange',
}

/** Normalises an order flag (colour name or marketplace number) to a colour, or null for none. */
export function flagColour(flag: string | number | null | undefined): FlagColour | null {
  if (flag === null || flag === undefined) return null
  const v = String(flag).trim().toLowerCase()
  if (!v || v === '0' || v === 'none') return null
  if (v in NUMBERED_FLAGS) return NUMBERED_FLAGS[v]
  if (v === 'gray') return 'grey'
  return (FLAG_COLOURS as readonly string[]).includes(v) ? (v as FlagColour) : 'grey'
}
