// Fills the statistics cards from /api/status. Every value is set with textContent.
import type { StatusSnapshot } from '../api-contract.js'
import { levelClassOfName, PAGE_LEVELS } from './levels.js'

const LEVEL_ORDER = PAGE_LEVELS.map((l) => l.name)

export function byId(id: string): HTMLElement {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`the page lacks #${id}`)
  return el
}

function set(id: string, text: string): void {
  byId(id).textContent = text
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  e.textContent = text
  if (className !== undefined) e.className = className
  return e
}

export function count(n: number): string {
  return n.toLocaleString('en-US')
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]} (${count(n)} B)`
}

export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

function levelsText(levels: Record<string, number>): string {
  return Object.entries(levels)
    .map(([name, n]) => `${name} ${count(n)}`)
    .join(' · ')
}

/** Local time as 2026-11-25 22:49:45: short enough for a card, unambiguous unlike toLocaleString's. */
export function localTime(iso: string): string {
  const d = new Date(iso)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

export function renderStatus(s: StatusSnapshot): void {
  set('version', s.version)
  set('stat-started', localTime(s.startedAt))
  set('stat-uptime', duration(s.uptimeSeconds))
  set('stat-records', count(s.recordsReceived))
  set('stat-rate', `${s.ratePerSecond10s.toFixed(1)}/s · ${s.ratePerSecond1m.toFixed(1)}/s`)
  set('stat-bytes', bytes(s.bytesReceived))
  set('stat-connections-open', count(s.connectionsOpen))
  set('stat-connections-total', count(s.connectionsTotal))

  const names = Object.keys(s.recordsByLevel).sort((a, b) => {
    const ia = LEVEL_ORDER.indexOf(a)
    const ib = LEVEL_ORDER.indexOf(b)
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b)
  })
  byId('stat-levels').replaceChildren(
    ...names.flatMap((name) => {
      const dt = el('dt', name, `level-name ${levelClassOfName(name)}`)
      const dd = el('dd', count(s.recordsByLevel[name] ?? 0))
      dd.dataset['level'] = name
      return [dt, dd]
    }),
  )

  const rejected = Object.entries(s.rejected)
  byId('stat-rejected-none').hidden = rejected.length > 0
  byId('stat-rejected').replaceChildren(...rejected.flatMap(([code, n]) => [el('dt', code), el('dd', count(n))]))

  const banner = byId('config-banner')
  banner.hidden = s.config.valid
  banner.textContent = s.config.valid ? '' : `Running on the last valid configuration (${s.config.source ?? 'built-in defaults'}): ${s.config.problem ?? 'the config file is invalid'}. Fix it, then restart or reload.`

  set('stat-file-path', s.file.path)
  set('stat-file-size', bytes(s.file.sizeBytes))
  set('stat-file-rotations', count(s.file.rotations))
  set('stat-file-written', count(s.file.recordsWritten))
  set('stat-backlog', `${count(s.file.backlogRecords)} records · ${bytes(s.file.backlogBytes)}`)
  set('stat-backpressure', s.backpressure ? 'yes — the file is behind' : 'no')
  byId('stat-backpressure').classList.toggle('warn', s.backpressure)
  set('stat-health', s.file.healthy ? 'healthy' : `failing: ${s.file.lastError ?? 'unknown error'}`)
  byId('stat-health').classList.toggle('bad', !s.file.healthy)

  set('stat-clients-count', `(${count(s.clientsTracked)} hosts${s.clientsTracked > s.clients.length ? `, busiest ${s.clients.length} shown` : ''})`)
  byId('clients').replaceChildren(
    ...s.clients.map((c) => {
      const tr = document.createElement('tr')
      tr.append(el('td', c.client, 'host'), el('td', count(c.records), 'num'), el('td', localTime(c.lastSeen).slice(11)), el('td', levelsText(c.levels)))
      return tr
    }),
  )
}
