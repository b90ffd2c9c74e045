// The forward room's face to the server: one target per `forward` entry, fed every record by the dispatcher
// (as an observer, beside the stats and the ring), each record encoded once per distinct format. Queues are
// bounded per target, so a slow or absent receiver costs counted drops, never the file or the log port.
import type { ForwardTargetConfig } from '../config/schema.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { LogRecord } from '../record.js'
import { FACILITIES } from './facilities.js'
import { RelpTarget } from './relp-target.js'
import { toRfc5424 } from './rfc5424.js'
import type { ForwardStatusJson, ForwardTarget } from './target.js'
import { parseForwardUrl } from './target-url.js'
import { TcpTarget } from './tcp-target.js'
import { UdpTarget } from './udp-target.js'

/** IPv4's largest UDP payload: a longer message is cut there whatever max_message_bytes says. */
export const UDP_MAX_BYTES = 65_507

/** `forward` changes only at a restart: a reload that moved a queue would have to decide what it holds. */
export const FORWARD_RELOADABLE: readonly string[] = []

interface Route {
  target: ForwardTarget
  facility: number
  maxBytes: number
}

export class Forwarder {
  private readonly routes: Route[]

  constructor(configs: readonly ForwardTargetConfig[], private readonly diagnostics: Diagnostics) {
    this.routes = configs.map((c) => {
      const where = parseForwardUrl(c.url)
      // The loader checked every URL; reaching this is a bug, not a config problem.
      if (typeof where === 'string') throw new Error(`forward url ${c.url}: ${where}`)
      const Target = where.protocol === 'relp' ? RelpTarget : where.protocol === 'tcp' ? TcpTarget : UdpTarget
      const maxBytes = where.protocol === 'udp' ? Math.min(c.max_message_bytes, UDP_MAX_BYTES) : c.max_message_bytes
      return { target: new Target(c.url, where, c.queue_bytes, diagnostics), facility: FACILITIES[c.facility], maxBytes }
    })
  }

  get size(): number {
    return this.routes.length
  }

  start(): void {
    for (const r of this.routes) r.target.start()
  }

  record(record: LogRecord): void {
    // Targets with the same facility and size limit share one encoding of the record.
    const encoded = new Map<string, Buffer>()
    for (const r of this.routes) {
      const key = `${r.facility}/${r.maxBytes}`
      let message = encoded.get(key)
      if (message === undefined) {
        message = toRfc5424(record, r.facility, r.maxBytes)
        encoded.set(key, message)
      }
      r.target.enqueue(message)
    }
  }

  statuses(): ForwardStatusJson[] {
    return this.routes.map((r) => r.target.status())
  }

  /** The stop: each connected target writes what it holds until `deadline`; what remains is reported lost. */
  async stop(deadline: number): Promise<void> {
    await Promise.all(
      this.routes.map(async ({ target }) => {
        const lost = await target.stop(deadline)
        const s = target.status()
        const summary = `${s.sent} sent${s.acked === null ? '' : `, ${s.acked} acknowledged, ${s.resent} re-sent`}, ${s.dropped} dropped`
        if (lost > 0) this.diagnostics.report('LS-FORWARD-LOST-AT-STOP', `forwarding to ${target.url}: ${lost} records still queued at the stop are not forwarded (${summary}); the central file has them`)
        else this.diagnostics.report('LS-FORWARD-STOPPED', `forwarding to ${target.url}: stopped with nothing queued (${summary})`)
      }),
    )
  }
}
