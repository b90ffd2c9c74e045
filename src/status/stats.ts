// Server statistics: counters since start, per-level and per-client tallies, and rates over the last
// 10 s and 1 min (per-second buckets, so recording a record is O(1)). Every table keyed by wire data is bounded.
import type { RejectCode } from '../errors.js'
import type { LogRecord } from '../record.js'

export interface ClientStats {
  client: string
  records: number
  lastSeen: number
  levels: Record<string, number>
}

export interface StatsLimits {
  /** Distinct peers tracked; past it the least recently seen tenth is forgotten (counted in clientsForgotten). */
  maxClients?: number
  /** Distinct level names counted; levelname comes from the wire, so a hostile client could mint millions. */
  maxLevelNames?: number
}

const BUCKETS = 60
/** Where level names past maxLevelNames are counted (not a name CPython can produce: it has a space). */
export const OTHER_LEVELS = 'other levels'

export class Stats {
  readonly startedAt = Date.now()
  recordsReceived = 0
  bytesReceived = 0
  connectionsOpen = 0
  connectionsTotal = 0
  /** Peers dropped from `clients` to keep it bounded. */
  clientsForgotten = 0
  readonly byLevel = new Map<string, number>()
  readonly rejected = new Map<RejectCode, number>()
  readonly clients = new Map<string, ClientStats>()
  readonly maxClients: number
  readonly maxLevelNames: number
  private readonly perSecond = new Float64Array(BUCKETS)
  private bucketSecond = Math.floor(Date.now() / 1000)
  /** The client of the last record and its entry (undefined once forgotten). */
  private lastClient: string | null = null
  private lastClientStats: ClientStats | undefined = undefined

  constructor(limits: StatsLimits = {}) {
    this.maxClients = limits.maxClients ?? 10_000
    this.maxLevelNames = limits.maxLevelNames ?? 64
    if (!Number.isInteger(this.maxClients) || this.maxClients < 10) throw new RangeError(`invalid maxClients: ${this.maxClients}`)
    if (!Number.isInteger(this.maxLevelNames) || this.maxLevelNames < 1) throw new RangeError(`invalid maxLevelNames: ${this.maxLevelNames}`)
  }

  /** Only what counting needs (a decode thread's records reach here as such summaries, not records). */
  record(r: Pick<LogRecord, 'levelname' | 'client' | 'received'>): void {
    this.recordsReceived++
    const seen = this.byLevel.get(r.levelname)
    let level = r.levelname
    if (seen !== undefined) this.byLevel.set(level, seen + 1)
    else {
      if (this.byLevel.size >= this.maxLevelNames) level = OTHER_LEVELS
      this.byLevel.set(level, (this.byLevel.get(level) ?? 0) + 1)
    }
    // Records come in runs from one connection, whose client string is one string: no Map lookup for the run.
    let c = r.client === this.lastClient ? this.lastClientStats : this.clients.get(r.client)
    if (c === undefined) {
      if (this.clients.size >= this.maxClients) this.forgetIdleClients()
      c = { client: r.client, records: 0, lastSeen: 0, levels: Object.create(null) as Record<string, number> }
      this.clients.set(r.client, c)
    }
    this.lastClient = r.client
    this.lastClientStats = c
    c.records++
    c.lastSeen = r.received
    c.levels[level] = (c.levels[level] ?? 0) + 1
    this.advance(Math.floor(r.received))
    this.perSecond[this.bucketSecond % BUCKETS]!++
  }

  reject(code: RejectCode): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1)
  }

  /** Records per second over the last `seconds` whole seconds (1–60). */
  rate(seconds: number, nowMs = Date.now()): number {
    this.advance(Math.floor(nowMs / 1000))
    let sum = 0
    for (let i = 1; i <= seconds; i++) sum += this.perSecond[(this.bucketSecond - i + BUCKETS) % BUCKETS]!
    return sum / seconds
  }

  /** The `n` clients with the most records, busiest first. */
  topClients(n: number): ClientStats[] {
    return [...this.clients.values()].sort((a, b) => b.records - a.records || b.lastSeen - a.lastSeen).slice(0, n)
  }

  private advance(second: number): void {
    if (second <= this.bucketSecond) return
    const steps = Math.min(second - this.bucketSecond, BUCKETS)
    for (let i = 1; i <= steps; i++) this.perSecond[(this.bucketSecond + i) % BUCKETS] = 0
    this.bucketSecond = second
  }

  /** One O(n log n) sweep per maxClients/10 new peers: amortised O(log n) per record, none per known peer. */
  private forgetIdleClients(): void {
    const byAge = [...this.clients.values()].sort((a, b) => a.lastSeen - b.lastSeen)
    const drop = Math.max(1, Math.floor(this.maxClients / 10))
    for (let i = 0; i < drop && i < byAge.length; i++) this.clients.delete(byAge[i]!.client)
    this.lastClient = null
    this.lastClientStats = undefined
    this.clientsForgotten += Math.min(drop, byAge.length)
  }

  get rejectedTotal(): number {
    let n = 0
    for (const v of this.rejected.values()) n += v
    return n
  }
}
