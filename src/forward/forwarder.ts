// The forward room's face to the server: one target per `forward` entry, fed every record by the dispatcher
// (as an observer, beside the stats and the ring), each record encoded once per distinct format. Queues are
// bounded per target, so a slow or absent receiver costs counted drops, never the file or the log port.
import type { ForwardTargetConfig } from '../config/schema.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { LogRecord } from '../record.js'
import { FACILITIES } from './facilities.js'
import { RelpTarget } from './relp-target.js'
import { toRfc5424 } from './rfc5424.js'
import type { ForwardStatusJson } from '../status/io-status.js'
import type { ForwardTarget } from './target.js'
import { parseForwardUrl } from './target-url.js'
import { TcpTarget } from './tcp-target.js'
import { UdpTarget } from './udp-target.js'

/** IPv4's largest UDP payload: a longer message is cut there whatever max_message_bytes says. */
export const UDP_MAX_BYTES = 65_507

/** `forward` changes only at a restart: a reload that moved a queue would have to decide what it holds. */
export const FORWARD_RELOADABLE: readonly string[] = []

/** Targets that take the same bytes: one facility and size limit, so one encoding of each record. */
interface Encoding {
  facility: number
  maxBytes: number
  targets: ForwardTarget[]
}

export class Forwarder {
  private readonly targets: ForwardTarget[] = []
  private readonly encodings: Encoding[] = []

  constructor(configs: readonly ForwardTargetConfig[], private readonly diagnostics: Diagnostics) {
    for (const c of configs) {
      const where = parseForwardUrl(c.url)
      // The loader checked every URL; reaching this is a bug, not a config problem.
      if (typeof where === 'string') throw new Error(`forward url ${c.url}: ${where}`)
      const Target = where.protocol === 'relp' ? RelpTarget : where.protocol === 'tcp' ? TcpTarget : UdpTarget
      const target = new Target(c.url, where, c.queue_bytes, diagnostics)
      const facility = FACILITIES[c.facility]
      const maxBytes = where.protocol === 'udp' ? Math.min(c.max_message_bytes, UDP_MAX_BYTES) : c.max_message_bytes
      const same = this.encodings.find((e) => e.facility === facility && e.maxBytes === maxBytes)
      if (same) same.targets.push(target)
      else this.encodings.push({ facility, maxBytes, targets: [target] })
      this.targets.push(target)
    }
  }

  get size(): number {
    return this.targets.length
  }

  start(): void {
    for (const t of this.targets) t.start()
  }

  record(record: LogRecord): void {
    for (const e of this.encodings) {
      const message = toRfc5424(record, e.facility, e.maxBytes)
      for (const t of e.targets) t.enqueue(message)
    }
  }

  statuses(): ForwardStatusJson[] {
    return this.targets.map((t) => t.status())
  }

  /** The stop: each connected target writes what it holds until `deadline`; what remains is reported lost. */
  async stop(deadline: number): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        const lost = await target.stop(deadline)
        const s = target.status()
        const summary = `${s.sent} sent${s.acked === null ? '' : `, ${s.acked} acknowledged, ${s.resent} re-sent`}, ${s.dropped} dropped`
        if (lost > 0) this.diagnostics.report('LS-FORWARD-LOST-AT-STOP', `forwarding to ${target.url}: ${lost} records still queued at the stop are not forwarded (${summary}); the central file has them`)
        else this.diagnostics.report('LS-FORWARD-STOPPED', `forwarding to ${target.url}: stopped with nothing queued (${summary})`)
      }),
    )
  }
}
