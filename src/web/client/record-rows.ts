// The records table: at most `capacity` rows, oldest on top, built with textContent only. Filters hide
// rows; pausing holds new records back; old rows fall off the top without moving what the operator reads.
import type { RecordJson } from '../api-contract.js'
import { levelClass } from './levels.js'
import { RECENT_TEXT_CHARS } from './text-caps.js'

export interface Filter {
  minLevel: number | null
  logger: string
  client: string
  text: string
}

interface Row {
  record: RecordJson
  tr: HTMLTableRowElement
}

function cell(tr: HTMLTableRowElement, cls: string, text: string): HTMLTableCellElement {
  const td = tr.insertCell()
  td.className = cls
  td.textContent = text
  return td
}

function buildRow(r: RecordJson): HTMLTableRowElement {
  const tr = document.createElement('tr')
  tr.className = `record ${levelClass(r.levelno)}`
  tr.dataset['seq'] = String(r.seq)
  cell(tr, 'time', r.time)
  cell(tr, 'client', r.client)
  cell(tr, 'logger', r.name)
  cell(tr, 'level', r.levelname)
  const td = cell(tr, 'message', '')
  const text = document.createElement('div')
  text.className = 'text'
  text.textContent = r.message
  td.append(text)
  const pres: Partial<Record<'exc_text' | 'stack_info', HTMLPreElement>> = {}
  for (const [label, field] of [['traceback', 'exc_text'], ['stack', 'stack_info']] as const) {
    const body = r[field]
    if (!body) continue
    const details = document.createElement('details')
    details.className = label
    const summary = document.createElement('summary')
    summary.textContent = label
    const pre = document.createElement('pre')
    pre.textContent = body
    details.append(summary, pre)
    td.append(details)
    pres[field] = pre
  }
  if (r.truncated) td.append(wholeTextToggle(r.seq, text, pres))
  return tr
}

/** Lists carry each text cut short; opening this fetches the record whole and puts its texts in place. */
function wholeTextToggle(seq: number, message: HTMLElement, pres: Partial<Record<'exc_text' | 'stack_info', HTMLPreElement>>): HTMLElement {
  const details = document.createElement('details')
  details.className = 'whole'
  const summary = document.createElement('summary')
  summary.textContent = 'text cut: show whole'
  const note = document.createElement('p')
  details.append(summary, note)
  let loaded = false
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return
    loaded = true
    note.textContent = 'loading…'
    void fetchWhole(seq).then(
      (whole) => {
        message.textContent = whole.message
        for (const field of ['exc_text', 'stack_info'] as const) {
          const pre = pres[field]
          if (pre && whole[field] !== null) pre.textContent = whole[field]
        }
        summary.textContent = 'whole text shown'
        note.textContent = whole.truncated ? `still cut: the server keeps ${RECENT_TEXT_CHARS / 1024} KiB of a text; the central file has it whole` : ''
      },
      (err: Error) => {
        loaded = false
        note.textContent = `${err.message}; the central file has the whole text`
      },
    )
  })
  return details
}

async function fetchWhole(seq: number): Promise<RecordJson> {
  const res = await fetch(`/api/records/${seq}`, { headers: { Accept: 'application/json' }, cache: 'no-store' })
  if (res.status === 404) throw new Error('no longer on the server')
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  return (await res.json()) as RecordJson
}

export function matches(r: RecordJson, f: Filter): boolean {
  if (f.minLevel !== null && r.levelno < f.minLevel) return false
  if (f.logger !== '' && !r.name.startsWith(f.logger)) return false
  if (f.client !== '' && !r.client.startsWith(f.client)) return false
  if (f.text === '') return true
  const t = f.text.toLowerCase()
  return [r.message, r.name, r.client, r.exc_text ?? '', r.stack_info ?? ''].some((s) => s.toLowerCase().includes(t))
}

export class RecordRows {
  lastSeq = 0
  paused = false
  filter: Filter = { minLevel: null, logger: '', client: '', text: '' }
  private rows: Row[] = []
  private pending: RecordJson[] = []

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    private readonly scroller: HTMLElement,
    public capacity: number,
    private readonly onChange: () => void,
  ) {}

  get total(): number {
    return this.rows.length
  }

  get shown(): number {
    return this.rows.reduce((n, row) => n + (row.tr.hidden ? 0 : 1), 0)
  }

  get held(): number {
    return this.pending.length
  }

  /** Records may come twice (stream and poll overlap): only those newer than any seen are taken. */
  add(records: readonly RecordJson[]): void {
    const fresh = records.filter((r) => r.seq > this.lastSeq)
    if (fresh.length === 0) return
    this.lastSeq = fresh[fresh.length - 1]!.seq
    if (this.paused) {
      this.pending.push(...fresh)
      if (this.pending.length > this.capacity) this.pending.splice(0, this.pending.length - this.capacity)
    } else {
      this.render(fresh)
    }
    this.onChange()
  }

  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused && this.pending.length > 0) {
      const held = this.pending
      this.pending = []
      this.render(held)
    }
    this.onChange()
  }

  setFilter(filter: Filter): void {
    this.filter = filter
    for (const row of this.rows) row.tr.hidden = !matches(row.record, filter)
    this.onChange()
  }

  /** The server restarted (its sequence numbers began again): start over. */
  clear(): void {
    for (const row of this.rows) row.tr.remove()
    this.rows = []
    this.pending = []
    this.lastSeq = 0
    this.onChange()
  }

  private render(records: readonly RecordJson[]): void {
    const box = this.scroller
    // Following the tail (at the bottom) keeps following; reading further up stays where it is.
    const following = this.rows.length === 0 || box.scrollHeight - box.scrollTop - box.clientHeight < 8
    const fragment = document.createDocumentFragment()
    for (const record of records.slice(-this.capacity)) {
      const tr = buildRow(record)
      tr.hidden = !matches(record, this.filter)
      this.rows.push({ record, tr })
      fragment.append(tr)
    }
    this.tbody.append(fragment)
    const excess = this.rows.length - this.capacity
    if (excess > 0) {
      const gone = this.rows.splice(0, excess)
      let removedHeight = 0
      if (!following) for (const row of gone) removedHeight += row.tr.offsetHeight
      for (const row of gone) row.tr.remove()
      if (!following) box.scrollTop -= removedHeight
    }
    if (following) box.scrollTop = box.scrollHeight
  }
}
