// Server statistics: counters since start, per-level and per-client tallies, and rates over the last
// 10 s and 1 min (per-second buckets, so recording a record is O(1)).
import type { RejectCode } from '../errors.js'
import type { LogRecord } from '../record.js'

export interface ClientStats {
  client: string
  records: number
  lastSeen: number
  levels: Record<string, number>
}

const BUCKETS = 60

export class Stats {
  readonly startedAt = Date.now()
  recordsReceived = 0
  bytesReceived = 0
  connectionsOpen = 0
  connectionsTotal = 0
  readonly byLevel = new Map<string, number>()
  readonly rejected = new Map<RejectCode, number>()
  readonly clients = new Map<string, ClientStats>()
  private readonly perSecond = new Float64Array(BUCKETS)
  private bucketSecond = Math.floor(Date.now() / 1000)

  record(r: LogRecord): void {
    this.recordsReceived++
    this.byLevel.set(r.levelname, (this.byLevel.get(r.levelname) ?? 0) + 1)
    let c = this.clients.get(r.client)
    if (c === undefined) {
      c = { client: r.client, records: 0, lastSeen: 0, levels: Object.create(null) as Record<string, number> }
      this.clients.set(r.client, c)
    }
    c.records++
    c.lastSeen = r.received
    c.levels[r.levelname] = (c.levels[r.levelname] ?? 0) + 1
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

  private advance(second: number): void {
    if (second <= this.bucketSecond) return
    const steps = Math.min(second - this.bucketSecond, BUCKETS)
    for (let i = 1; i <= steps; i++) this.perSecond[(this.bucketSecond + i) % BUCKETS] = 0
    this.bucketSecond = second
  }

  get rejectedTotal(): number {
    let n = 0
    for (const v of this.rejected.values()) n += v
    return n
  }
}
