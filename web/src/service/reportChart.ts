// What the report charts draw: one series per agent (and the team) over the report's
// days, on a scale with round ticks. Plain SVG paths; no chart library.
import type { AgentReport, ReportFigures, ReportRow } from '../api/service'
import { datesBetween } from './format'

export const METRICS = [
  'first_response_median_seconds',
  'first_response_p90_seconds',
  'reply_rate',
  'within_target_rate',
  'chats',
  'rating_average',
] as const
export type Metric = (typeof METRICS)[number]

/** Whether a metric is a fraction (drawn 0–100 %). */
export function isRate(m: Metric): boolean {
  return m === 'reply_rate' || m === 'within_target_rate'
}

export interface Series {
  /** The agent's id, or "team". */
  key: string
  name: string
  values: (number | null)[]
}

export function metricValue(f: ReportFigures, m: Metric): number | null {
  return f[m]
}

/**
 * One series per agent with activity in the range (their daily values, null on days
 * without them) and the team's, over every day of the report.
 */
export function buildSeries(report: AgentReport, metric: Metric, teamName: string, unassignedName: string): { dates: string[]; series: Series[] } {
  const dates = datesBetween(report.from, report.to)
  const index = new Map(dates.map((d, i) => [d, i]))
  const byAgent = new Map<string, Series>()
  for (const a of report.agents) {
    const key = a.agent_id ?? 'unassigned'
    byAgent.set(key, { key, name: a.agent_id ? a.agent_name : unassignedName, values: dates.map(() => null) })
  }
  for (const row of report.rows) {
    const s = byAgent.get(row.agent_id ?? 'unassigned')
    const i = row.date ? index.get(row.date) : undefined
    if (s && i !== undefined) s.values[i] = metricValue(row, metric)
  }
  const team: Series = { key: 'team', name: teamName, values: dates.map(() => null) }
  for (const day of report.days) {
    const i = day.date ? index.get(day.date) : undefined
    if (i !== undefined) team.values[i] = metricValue(day, metric)
  }
  const agents = [...byAgent.values()].filter((s) => s.values.some((v) => v !== null))
  return { dates, series: [team, ...agents] }
}

/** Round ticks from 0 covering max: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(max: number, count = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1]
  const raw = max / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = 0; v < max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)))
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)))
  return ticks
}

/**
 * The SVG path of a series: x from the value's index, y from the value; a null value
 * breaks the line (a day without figures is not zero).
 */
export function linePath(values: (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = ''
  let pen = false
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false
      return
    }
    d += `${pen ? 'L' : 'M'}${round(x(i))},${round(y(v))}`
    pen = true
  })
  return d
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

/** The largest value of the series (0 when none). */
export function maxValue(series: Series[]): number {
  let m = 0
  for (const s of series) for (const v of s.values) if (v !== null && v > m) m = v
  return m
}

/** Rows of the table: the agents' totals, named, "unassigned" last. */
export function agentTotals(report: AgentReport, unassignedName: string): ReportRow[] {
  return report.agents.map((a) => ({ ...a, agent_name: a.agent_id ? a.agent_name : unassignedName }))
}

export const PALETTE = ['#1f6feb', '#e5484d', '#30a46c', '#f76b15', '#8e4ec6', '#0090ff', '#e2a400', '#8b8d98']
