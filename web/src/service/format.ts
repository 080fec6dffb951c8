// Display of report figures: rates as percentages, times in seconds, "—" for none.

export const NONE = '—'

/** 0.8333 → "83.3%" (one decimal, dropped when whole: "100%"). */
export function formatPercent(v: number | null | undefined, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NONE
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v)
}

/** Seconds with at most one decimal: 27.5, 12, 3.3. */
export function formatSeconds(v: number | null | undefined, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NONE
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(v)
}

/** A rating average with two decimals. */
export function formatAverage(v: number | null | undefined, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NONE
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v)
}

/** The date n days before or after an ISO date (YYYY-MM-DD), as an ISO date. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return t.toISOString().slice(0, 10)
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to && out.length < 366; d = addDays(d, 1)) out.push(d)
  return out
}
