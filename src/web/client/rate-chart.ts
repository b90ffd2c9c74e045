// The records-per-second chart (issue 11 item 5): one line per level over the last 15 minutes from /api/rates,
// drawn as SVG by this script (the CSP allows no other). Lines carry the level classes of levels.ts, so the
// stylesheet colours them, the operator's too. Log scale: an ERROR a second must show beside 10,000 DEBUG.
import type { LevelRateJson, RatesResponse } from '../api-contract.js'
import { CUSTOM_LEVEL_CLASS, levelClass } from './levels.js'
import { byId, count, el } from './status-view.js'

const SVG = 'http://www.w3.org/2000/svg'
/** Plot area in SVG units: one unit per second across, so the 900 points need no rounding. */
const LEFT = 48
const TOP = 8
const WIDTH = 900
const HEIGHT = 150
const BOTTOM = 20
const RIGHT = 10

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  if (text !== undefined) e.textContent = text
  return e
}

/** A series' classes: its level's, plus `custom-N` so several custom levels can differ in the stylesheet. */
function seriesClass(s: LevelRateJson, customIndex: number): string {
  if (s.levelno === null) return `${CUSTOM_LEVEL_CLASS} level-other`
  const cls = levelClass(s.levelno)
  return cls === CUSTOM_LEVEL_CLASS ? `${cls} custom-${customIndex}` : cls
}

function rate(n: number): string {
  return n >= 1000 ? `${count(n / 1000)}k` : count(n)
}

function clock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

function minutes(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`
}

/**
 * Only the stretches where the level has records, with the step up from and down to zero at their ends: runs of
 * zeros are left to the baseline, or every level's flat line would lie on it and the last drawn hide the rest.
 */
function linePath(counts: readonly number[], step: number, y: (v: number) => number): string {
  let path = ''
  let drawing = false
  const at = (i: number): string => `${(LEFT + i * step).toFixed(1)},${y(counts[i] ?? 0).toFixed(1)}`
  for (let i = 0; i < counts.length; i++) {
    const wanted = (counts[i] ?? 0) > 0 || (counts[i - 1] ?? 0) > 0 || (counts[i + 1] ?? 0) > 0
    if (wanted) path += `${drawing ? 'L' : 'M'}${at(i)}`
    drawing = wanted
  }
  return path
}

interface Drawn {
  series: LevelRateJson
  cls: string
  total: number
  peak: number
  peakAt: number
}

export function renderRates(r: RatesResponse): void {
  let customIndex = 0
  const drawn: Drawn[] = r.series.map((series) => {
    const custom = series.levelno !== null && levelClass(series.levelno) === CUSTOM_LEVEL_CLASS
    const cls = seriesClass(series, custom ? ++customIndex : 0)
    let total = 0
    let peak = 0
    let peakAt = 0
    series.counts.forEach((n, i) => {
      total += n
      if (n > peak) [peak, peakAt] = [n, i]
    })
    return { series, cls, total, peak, peakAt }
  })
  const peak = Math.max(1, ...drawn.map((d) => d.peak))
  let top = 10
  while (top < peak) top *= 10
  const scale = Math.log10(1 + top)
  const y = (v: number): number => TOP + HEIGHT - (HEIGHT * Math.log10(1 + v)) / scale
  const step = r.seconds > 1 ? WIDTH / (r.seconds - 1) : 0

  const chart = svg('svg', { viewBox: `0 0 ${LEFT + WIDTH + RIGHT} ${TOP + HEIGHT + BOTTOM}`, role: 'img', 'aria-labelledby': 'rate-title rate-summary' })
  chart.append(svg('title', { id: 'rate-title' }, `Records per second by level, last ${minutes(r.seconds)} (log scale)`))
  for (let v = 1; v <= top; v *= 10) {
    chart.append(svg('line', { class: 'grid', x1: LEFT, x2: LEFT + WIDTH, y1: y(v), y2: y(v) }))
    chart.append(svg('text', { class: 'axis', x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${rate(v)}/s`))
  }
  chart.append(svg('line', { class: 'baseline', x1: LEFT, x2: LEFT + WIDTH, y1: y(0), y2: y(0) }))
  for (const back of [r.seconds, (r.seconds * 2) / 3, r.seconds / 3]) {
    const x = LEFT + WIDTH - back * step
    chart.append(svg('text', { class: 'axis', x, y: TOP + HEIGHT + 15, 'text-anchor': back === r.seconds ? 'start' : 'middle' }, `−${minutes(Math.round(back))}`))
  }
  chart.append(svg('text', { class: 'axis', x: LEFT + WIDTH, y: TOP + HEIGHT + 15, 'text-anchor': 'end' }, clock(r.end)))
  for (const d of drawn) {
    if (d.total === 0) continue // a flat line on the baseline hides the others' and says nothing the legend does not
    const line = svg('path', { class: `rate-line ${d.cls}`, d: linePath(d.series.counts, step, y), 'data-level': d.series.name, 'data-total': d.total })
    line.append(svg('title', {}, `${d.series.name}: ${count(d.total)} records, peak ${count(d.peak)}/s`))
    chart.append(line)
  }
  byId('rate-chart').replaceChildren(chart)

  byId('rate-legend').replaceChildren(
    ...drawn.map((d) => {
      const li = el('li', '', `level-name ${d.cls}`)
      li.dataset['level'] = d.series.name
      li.append(el('span', '', 'swatch'), el('span', d.series.name, 'name'), el('span', count(d.total), 'total'))
      return li
    }),
  )

  const all = drawn.reduce((n, d) => n + d.total, 0)
  const totals = r.series[0]?.counts.map((_, i) => drawn.reduce((n, d) => n + (d.series.counts[i] ?? 0), 0)) ?? []
  const busiest = totals.reduce((best, n, i) => (n > (totals[best] ?? 0) ? i : best), 0)
  const levels = drawn.filter((d) => d.total > 0).map((d) => `${d.series.name} ${count(d.total)} (peak ${count(d.peak)}/s at ${clock(r.end - r.seconds + 1 + d.peakAt)})`)
  byId('rate-summary').textContent =
    all === 0
      ? `No records in the last ${minutes(r.seconds)}.`
      : `Last ${minutes(r.seconds)}: ${count(all)} records, ${(all / r.seconds).toFixed(all < r.seconds ? 2 : 1)}/s on average, busiest second ${clock(r.end - r.seconds + 1 + busiest)} with ${count(totals[busiest] ?? 0)}. ${levels.join('; ')}.`
}
