// Per-client counters for /metrics. Unlike the page's client table (which forgets idle peers to stay bounded),
// a client keeps its series from first sight until restart, so its counter never goes backwards and
// Prometheus's rate() stays right. The bound is on how many clients get a series; later ones share "other".
import type { LogRecord } from '../record.js'

/** Where clients past the cap are counted: not an address or "unix", so it never collides with a client. */
export const OTHER_CLIENTS = 'other'

export interface ClientSeriesEntry {
  records: number
  /** When its last record arrived, seconds since the epoch. */
  lastSeen: number
}

export class ClientSeries {
  private readonly series = new Map<string, ClientSeriesEntry>()
  private readonly other: ClientSeriesEntry = { records: 0, lastSeen: 0 }
  private lastClient: string | null = null
  private lastEntry: ClientSeriesEntry | undefined = undefined

  /** `web.metrics_max_clients`; lowering it on reload keeps the series already given (they must stay monotonic). */
  constructor(public maxClients: number) {}

  record(r: Pick<LogRecord, 'client' | 'received'>): void {
    // Records come in runs from one connection (one client string): the run needs no Map lookup. Series are
    // never dropped, so a remembered series stays right; "other" is not remembered (a reload may raise the cap).
    let entry = r.client === this.lastClient ? this.lastEntry : this.series.get(r.client)
    if (entry === undefined) {
      if (this.series.size >= this.maxClients) entry = this.other
      else this.series.set(r.client, (entry = { records: 0, lastSeen: 0 }))
    }
    this.lastClient = entry === this.other ? null : r.client
    this.lastEntry = entry
    entry.records++
    entry.lastSeen = r.received
  }

  /** Every series, "other" last and only once it has counted something. */
  *entries(): IterableIterator<[string, ClientSeriesEntry]> {
    yield* this.series
    if (this.other.records > 0) yield [OTHER_CLIENTS, this.other]
  }
}
