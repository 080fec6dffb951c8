import { describe, expect, it } from 'vitest'
import type { AgentReport, ReportFigures, ReportRow } from '../src/api/service'
import { addDays, datesBetween, formatPercent, formatSeconds } from '../src/service/format'
import { agentTotals, buildSeries, linePath, maxValue, niceTicks } from '../src/service/reportChart'

const zero: ReportFigures = {
  chats: 0, turns: 0, answered: 0, reply_rate: null, first_response_median_seconds: null, first_response_p90_seconds: null,
  within_target: 0, within_target_rate: null, resolved: 0, ratings: 0, rating_average: null, ratings_good: 0,
  rating_good_rate: null, complaints: 0, complaints_answered_in_time: 0, complaints_answered_late: 0, complaints_overdue: 0,
  complaints_pending: 0, complaints_in_time_rate: null, repeat_complaints: 0, repeat_complaint_rate: null, overrides: 0,
}
const row = (over: Partial<ReportRow>): ReportRow => ({ ...zero, agent_id: null, agent_name: '', ...over })

const report: AgentReport = {
  shop_id: '1', timezone: 'Asia/Shanghai', from: '2026-11-22', to: '2026-11-24', first_response_target_seconds: 30,
  generated_at: '2026-11-24T12:00:00Z',
  rows: [
    row({ date: '2026-11-23', agent_id: '7', agent_name: 'Amy 001', first_response_median_seconds: 40, reply_rate: 5 / 6 }),
    row({ date: '2026-11-24', agent_id: '7', agent_name: 'Amy 001', first_response_median_seconds: null, reply_rate: 0 }),
    row({ date: '2026-11-23', agent_id: '8', agent_name: 'Bob 002', first_response_median_seconds: 20, reply_rate: 1 }),
    row({ date: '2026-11-23', agent_id: null, agent_name: '', reply_rate: 0 }),
  ],
  agents: [
    row({ agent_id: '7', agent_name: 'Amy 001' }),
    row({ agent_id: '8', agent_name: 'Bob 002' }),
    row({ agent_id: null, agent_name: '' }),
  ],
  days: [
    row({ date: '2026-11-22' }),
    row({ date: '2026-11-23', first_response_median_seconds: 27.5, reply_rate: 0.8 }),
    row({ date: '2026-11-24', reply_rate: 0.5 }),
  ],
  total: { ...zero },
}

describe('report chart', () => {
  it('builds the team series and one per agent over every day, null where there is no figure', () => {
    const { dates, series } = buildSeries(report, 'first_response_median_seconds', 'Team', 'Unassigned')
    expect(dates).toEqual(['2026-11-22', '2026-11-23', '2026-11-24'])
    expect(series.map((s) => [s.key, s.name, s.values])).toEqual([
      ['team', 'Team', [null, 27.5, null]],
      ['7', 'Amy 001', [null, 40, null]],
      ['8', 'Bob 002', [null, 20, null]],
    ])
    // The unassigned chats have no first-response time, so no series; for the reply rate they do.
    const rates = buildSeries(report, 'reply_rate', 'Team', 'Unassigned').series
    expect(rates.map((s) => s.name)).toEqual(['Team', 'Amy 001', 'Bob 002', 'Unassigned'])
    expect(rates[1].values).toEqual([null, 5 / 6, 0])
    expect(rates[3].values).toEqual([null, 0, null])
  })

  it('breaks the line at days without a figure instead of drawing zero', () => {
    const x = (i: number) => i * 10
    const y = (v: number) => 100 - v
    expect(linePath([1, 2, null, 4, 5], x, y)).toBe('M0,99L10,98M30,96L40,95')
    expect(linePath([null, null], x, y)).toBe('')
    expect(linePath([null, 3, null], x, y)).toBe('M10,97')
  })

  it('picks round ticks that cover the largest value', () => {
    expect(niceTicks(90)).toEqual([0, 20, 40, 60, 80, 100])
    expect(niceTicks(27.5)).toEqual([0, 10, 20, 30])
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(0)).toEqual([0, 1])
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4])
    expect(maxValue(buildSeries(report, 'first_response_median_seconds', 'T', 'U').series)).toBe(40)
  })

  it('names the unassigned row and keeps the agents in order', () => {
    expect(agentTotals(report, '未分配').map((r) => r.agent_name)).toEqual(['Amy 001', 'Bob 002', '未分配'])
  })
})

describe('report formats', () => {
  it('shows rates as percentages and seconds with one decimal, a dash for none', () => {
    expect(formatPercent(5 / 6, 'en')).toBe('83.3%')
    expect(formatPercent(1, 'zh-CN')).toBe('100%')
    expect(formatPercent(null, 'en')).toBe('—')
    expect(formatSeconds(27.5, 'en')).toBe('27.5')
    expect(formatSeconds(12, 'en')).toBe('12')
    expect(formatSeconds(3.25, 'en')).toBe('3.3')
    expect(formatSeconds(null, 'en')).toBe('—')
  })

  it('walks dates across month ends', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(datesBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'])
    expect(datesBetween('2026-12-02', '2026-12-01')).toEqual([])
  })
})
