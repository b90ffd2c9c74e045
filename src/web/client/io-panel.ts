// The inputs and forwarding panel (issue 11 item 5): every way in with its counters, every forward target with
// its queue. A target that drops records or is not connected gets the class `trouble`, which the stylesheet
// makes stand out. Built with textContent only.
import type { ForwardStatusJson, InputStatusJson } from '../api-contract.js'
import { byId, count, el } from './status-view.js'

function inputRow(i: InputStatusJson): HTMLTableRowElement {
  const tr = document.createElement('tr')
  tr.className = `input kind-${i.kind}`
  tr.dataset['kind'] = i.kind
  tr.append(
    el('td', i.kind, 'kind'),
    el('td', i.address, 'address'),
    el('td', count(i.records), 'num in-records'),
    el('td', count(i.rejected), `num in-rejected${i.rejected > 0 ? ' warn' : ''}`),
    el('td', i.open === null ? '–' : count(i.open), 'num in-open'),
  )
  return tr
}

function forwardRow(f: ForwardStatusJson): HTMLTableRowElement {
  const tr = document.createElement('tr')
  const trouble = f.dropped > 0 || f.state !== 'connected'
  tr.className = `forward-target state-${f.state}${trouble ? ' trouble' : ''}`
  tr.dataset['url'] = f.url
  const full = f.queueBytesMax > 0 ? Math.round((100 * f.queuedBytes) / f.queueBytesMax) : 0
  tr.append(
    el('td', f.url, 'url'),
    el('td', f.state, `state state-${f.state}`),
    el('td', `${count(f.queuedRecords)} · ${count(f.queuedBytes)} of ${count(f.queueBytesMax)} B (${full} %)`, 'queue'),
    el('td', count(f.sent), 'num sent'),
    el('td', f.acked === null ? '–' : count(f.acked), 'num acked'),
    el('td', count(f.resent), 'num resent'),
    el('td', count(f.dropped), `num dropped${f.dropped > 0 ? ' bad' : ''}`),
    el('td', f.lastError ?? '', 'last-error'),
  )
  return tr
}

export function renderIo(inputs: readonly InputStatusJson[], forward: readonly ForwardStatusJson[]): void {
  byId('inputs').replaceChildren(...inputs.map(inputRow))
  byId('inputs-none').hidden = inputs.length > 0
  byId('forward').replaceChildren(...forward.map(forwardRow))
  byId('forward-table').hidden = forward.length === 0
  byId('forward-none').hidden = forward.length > 0
}
