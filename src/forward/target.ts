// What every forward target shares: the bounded queue (a full queue drops and counts, it never blocks the
// log port or the file), the counters of the status page's panel, reconnection with backoff, and the
// down/up messages. The protocols (stream-target.ts for tcp, relp-target.ts, udp-target.ts) do the I/O.
import type { Diagnostics } from '../diagnostic-codes.js'
import { MessageQueue } from './message-queue.js'
import type { ForwardUrl } from './target-url.js'
import type { ForwardStatusJson } from '../status/io-status.js'

export type ForwardState = ForwardStatusJson['state']

/** Reconnect delays: quick for a receiver restarting, then no more than one attempt per 30 s. */
export const BACKOFF_FIRST_MS = 250
export const BACKOFF_MAX_MS = 30_000
/** A connection must last this long before the backoff starts again from the first delay: a receiver that
 *  accepts and at once closes is retried ever more slowly, and its up/down lines cannot flood the journal. */
export const HEALTHY_AFTER_MS = 5_000
/** Drops are reported at most this often per target, with the count since the last report. */
const DROP_REPORT_INTERVAL_MS = 10_000

export abstract class ForwardTarget {
  protected readonly queue = new MessageQueue()
  protected state: ForwardState = 'connecting'
  protected stopping = false
  sent = 0
  resent = 0
  dropped = 0
  lastError: string | null = null
  private backoffMs = BACKOFF_FIRST_MS
  private retryTimer: NodeJS.Timeout | null = null
  private connectedAt = 0
  private pumpScheduled = false
  /** Whether the operator was told the target is down (so "up" follows only a "down", and "down" comes once). */
  private reportedDown = false
  private everConnected = false
  private droppedUnreported = 0
  private lastDropReport = 0

  constructor(
    readonly url: string,
    protected readonly where: ForwardUrl,
    readonly queueBytesMax: number,
    protected readonly diagnostics: Diagnostics,
  ) {}

  /** Takes one encoded message; a full queue drops it (counted), anything else never waits. */
  enqueue(message: Buffer): void {
    if (this.state === 'closed') return this.drop()
    if (this.heldBytes() + message.length > this.queueBytesMax) return this.drop()
    this.queue.push(message)
    if (this.state === 'connected' && !this.pumpScheduled) {
      // Records of one read arrive in one tick: write them together, one syscall rather than one each.
      this.pumpScheduled = true
      setImmediate(() => {
        this.pumpScheduled = false
        if (this.state === 'connected') this.pump()
      })
    }
  }

  status(): ForwardStatusJson {
    return {
      url: this.url,
      state: this.state,
      queuedRecords: this.heldRecords(),
      queuedBytes: this.heldBytes(),
      queueBytesMax: this.queueBytesMax,
      sent: this.sent,
      acked: this.ackedCount(),
      resent: this.resent,
      dropped: this.dropped,
      lastError: this.lastError,
    }
  }

  start(): void {
    this.connect()
  }

  /**
   * The stop: write what is queued while connected, until `deadline` (ms since the epoch); a target that is
   * down at the stop is not waited for. Resolves with the records given up.
   */
  async stop(deadline: number): Promise<number> {
    this.stopping = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    if (this.state === 'connected') await this.flush(deadline)
    const lost = this.heldRecords()
    this.shutdown()
    this.state = 'closed'
    return lost
  }

  /** Messages held: queued, and (RELP) written but not acknowledged. */
  protected heldRecords(): number {
    return this.queue.length
  }

  protected heldBytes(): number {
    return this.queue.bytes
  }

  protected ackedCount(): number | null {
    return null
  }

  /** Opens the connection (or socket); calls connected() or failed(). */
  protected abstract connect(): void
  /** Writes queued messages while the socket takes them. */
  protected abstract pump(): void
  /** Resolves once everything held is written (acknowledged, for RELP) or at `deadline`. */
  protected abstract flush(deadline: number): Promise<void>
  /** Closes the socket at once. */
  protected abstract shutdown(): void

  protected connected(): void {
    this.state = 'connected'
    this.connectedAt = Date.now()
    if (this.reportedDown || !this.everConnected) {
      this.diagnostics.report('LS-FORWARD-UP', `forwarding to ${this.url}: connected${this.queue.length > 0 ? `, sending ${this.queue.length} queued records` : ''}`)
    }
    this.reportedDown = false
    this.everConnected = true
    this.pump()
  }

  /** The connection failed or ended: try again after the backoff (doubling up to 30 s). */
  protected failed(reason: string): void {
    this.lastError = reason
    if (this.stopping || this.state === 'closed') return
    if (this.state === 'connected' && Date.now() - this.connectedAt >= HEALTHY_AFTER_MS) this.backoffMs = BACKOFF_FIRST_MS
    if (!this.reportedDown) {
      this.reportedDown = true
      this.diagnostics.report('LS-FORWARD-DOWN', `forwarding to ${this.url}: ${reason}; retrying with backoff, queueing up to ${this.queueBytesMax} bytes (${this.heldRecords()} records held)`)
    }
    this.state = 'backoff'
    const delay = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (this.stopping) return
      this.state = 'connecting'
      this.connect()
    }, delay)
    this.retryTimer.unref()
  }

  private drop(): void {
    this.dropped++
    this.droppedUnreported++
    const now = Date.now()
    if (now - this.lastDropReport < DROP_REPORT_INTERVAL_MS) return
    this.lastDropReport = now
    this.diagnostics.report('LS-FORWARD-DROPPED', `forwarding to ${this.url}: queue full (${this.heldBytes()} of ${this.queueBytesMax} bytes, state ${this.state}): ${this.droppedUnreported} records dropped for this target (${this.dropped} since start); the central file has them`)
    this.droppedUnreported = 0
  }
}
