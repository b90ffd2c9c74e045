// A frame whose framing is intact but whose record cannot be had (too large, not a pickle we accept, over a
// budget, not a dict) becomes a placeholder record in the central file: the operator sees, in place and in
// order, that a record from that peer was lost and why. Placeholders are rate-limited per peer, so a hostile
// sender cannot fill the file with them; past the limit they are only counted.
import type { RejectCode } from '../errors.js'
import type { LogRecord } from '../record.js'

/** The logger name of the server's own records in the central file. */
export const SERVER_LOGGER = 'loggingserver'

export interface PlaceholderLimits {
  /** Placeholders written per peer per window; more are counted only. */
  perWindow: number
  windowMs: number
  /** Peers remembered; the longest-unseen is forgotten first (a forgotten peer starts a fresh window). */
  maxPeers: number
  /** Placeholders from all peers together per window, so many addresses cannot flood the file either. */
  totalPerWindow: number
}

export const DEFAULT_PLACEHOLDER_LIMITS: Readonly<PlaceholderLimits> = Object.freeze({ perWindow: 10, windowMs: 60_000, maxPeers: 4096, totalPerWindow: 600 })

interface Window {
  start: number
  written: number
  suppressed: number
}

export class PlaceholderLimiter {
  private readonly peers = new Map<string, Window>()
  private total: Window = { start: -Infinity, written: 0, suppressed: 0 }

  constructor(private readonly limits: Readonly<PlaceholderLimits> = DEFAULT_PLACEHOLDER_LIMITS) {
    if (!(limits.perWindow >= 1 && limits.windowMs > 0 && limits.maxPeers >= 1 && limits.totalPerWindow >= 1)) throw new RangeError(`invalid placeholder limits: ${JSON.stringify(limits)}`)
  }

  /**
   * Whether a placeholder for `peer` may be written now; if so, how many were suppressed since the last one
   * written (the placeholder says so), else null.
   */
  admit(peer: string, now: number): number | null {
    let w = this.peers.get(peer)
    if (w !== undefined) this.peers.delete(peer) // re-inserted below: Map order is least recently seen first
    else if (this.peers.size >= this.limits.maxPeers) this.peers.delete(this.peers.keys().next().value as string)
    if (w === undefined || now - w.start >= this.limits.windowMs) w = { start: now, written: 0, suppressed: w?.suppressed ?? 0 }
    this.peers.set(peer, w)
    if (now - this.total.start >= this.limits.windowMs) this.total = { start: now, written: 0, suppressed: 0 }
    if (w.written >= this.limits.perWindow || this.total.written >= this.limits.totalPerWindow) {
      w.suppressed++
      return null
    }
    w.written++
    this.total.written++
    const suppressed = w.suppressed
    w.suppressed = 0
    return suppressed
  }
}

/** `undecodable record from 10.0.0.5: PICKLE_BUDGET_EXCEEDED (319488 bytes): <why>`, at WARNING, from the peer. */
export function placeholderRecord(peer: string, code: RejectCode, frameBytes: number, why: string, suppressed: number, now: number): LogRecord {
  const seconds = now / 1000
  const more = suppressed > 0 ? ` (${suppressed} more from this peer since the last such line were only counted)` : ''
  return {
    name: SERVER_LOGGER,
    msg: `undecodable record from ${peer}: ${code} (${frameBytes} bytes): ${why}${more}`,
    args: null,
    levelname: 'WARNING',
    levelno: 30,
    pathname: '',
    filename: '',
    module: '',
    lineno: 0,
    funcName: '',
    created: seconds,
    msecs: Math.floor((seconds % 1) * 1000),
    relativeCreated: 0,
    thread: null,
    threadName: null,
    process: null,
    processName: null,
    taskName: null,
    exc_text: null,
    stack_info: null,
    client: peer,
    received: seconds,
    seq: 0,
    extra: new Map(),
  }
}
