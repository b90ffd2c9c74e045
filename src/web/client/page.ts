// The status page's script: statistics from /api/status and the rate chart from /api/rates every
// refresh_seconds; records from /api/stream
// (Server-Sent Events, within a second) with /api/records?after= polled as the fallback. No innerHTML.
import type { RatesResponse, RecordsEventData, RecordsResponse, StatusSnapshot } from '../api-contract.js'
import { renderIo } from './io-panel.js'
import { renderRates } from './rate-chart.js'
import { RecordRows, type Filter } from './record-rows.js'
import { renderStatus } from './status-view.js'

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`the page lacks #${id}`)
  return el as T
}

let refreshMs = 5000
let startedAt: string | null = null
let stream: EventSource | null = null
let online = true

const rows = new RecordRows(byId('records'), byId('records-scroll'), 300, showCounts)
const pauseButton = byId<HTMLButtonElement>('pause')

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return (await res.json()) as T
}

function showCounts(): void {
  byId('shown').textContent = `(${rows.shown} shown of ${rows.total})`
  pauseButton.textContent = rows.paused ? `Resume${rows.held > 0 ? ` (${rows.held} new)` : ''}` : 'Pause'
  pauseButton.setAttribute('aria-pressed', String(rows.paused))
}

function showLive(): void {
  const live = byId('live')
  const state = !online ? 'offline' : rows.paused ? 'paused' : stream?.readyState === EventSource.OPEN ? 'live' : 'polling'
  live.dataset['state'] = state
  live.textContent = { offline: 'server unreachable', paused: 'paused', live: 'live', polling: `polling every ${refreshMs / 1000} s` }[state]
}

async function refreshStatus(): Promise<void> {
  const status = await getJson<StatusSnapshot>('/api/status')
  if (startedAt !== null && status.startedAt !== startedAt) rows.clear() // a restarted server counts from 1 again
  startedAt = status.startedAt
  refreshMs = status.page.refreshSeconds * 1000
  rows.capacity = status.page.recentRecords
  renderStatus(status)
  renderIo(status.inputs, status.forward)
  // The chart is extra: its failure is shown in its summary, not as the server being unreachable.
  await getJson<RatesResponse>('/api/rates').then(renderRates, (err: Error) => (byId('rate-summary').textContent = `chart not updated: ${err.message}`))
  byId('updated').textContent = `updated ${new Date().toLocaleTimeString()}`
}

async function pollRecords(): Promise<void> {
  const after = rows.lastSeq
  let page = await getJson<RecordsResponse>(after > 0 ? `/api/records?after=${after}` : '/api/records')
  // Fell further behind than the ring holds: take the newest instead of paging through what is gone.
  if (page.more || page.missed > 0) page = await getJson<RecordsResponse>('/api/records')
  if (page.lastSeq < after) {
    rows.clear()
    page = await getJson<RecordsResponse>('/api/records')
  }
  rows.add(page.records)
}

function openStream(): void {
  stream?.close()
  const es = new EventSource(`/api/stream?after=${rows.lastSeq}`)
  es.addEventListener('records', (ev) => rows.add(JSON.parse((ev as MessageEvent<string>).data) as RecordsEventData))
  es.addEventListener('open', showLive)
  es.addEventListener('error', showLive) // EventSource reconnects by itself; the poll covers the gap
  stream = es
}

async function tick(): Promise<void> {
  try {
    await refreshStatus()
    if (stream?.readyState !== EventSource.OPEN) await pollRecords()
    // A stream refused outright (an HTTP error) is CLOSED for good: try again each round.
    if (stream === null || stream.readyState === EventSource.CLOSED) openStream()
    online = true
  } catch {
    online = false
  }
  showLive()
  setTimeout(() => void tick(), refreshMs)
}

function readFilter(): Filter {
  const level = byId<HTMLSelectElement>('filter-level').value
  return {
    minLevel: level === '' ? null : Number(level),
    logger: byId<HTMLInputElement>('filter-logger').value,
    client: byId<HTMLInputElement>('filter-client').value,
    text: byId<HTMLInputElement>('filter-text').value,
  }
}

const filters = byId<HTMLFormElement>('filters')
filters.addEventListener('input', () => rows.setFilter(readFilter()))
filters.addEventListener('submit', (ev) => ev.preventDefault())
pauseButton.addEventListener('click', () => {
  rows.setPaused(!rows.paused)
  showLive()
})
showCounts()
void tick()
