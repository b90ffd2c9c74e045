// /api/stream: Server-Sent Events. One shared timer looks at the ring every tickMs and sends each page the
// records that arrived since, as one `records` event (a batch, serialised once for all unfiltered pages),
// so 4 clients sending flat out cost one JSON.stringify per tick, not one write per record per page.
import type Router from '@koa/router'
import type { ServerResponse } from 'node:http'
import type { LogRecord } from '../../record.js'
import type { Ring } from '../../status/ring.js'
import { admitRequest, type Admission } from '../limits.js'
import type { RecordJson, RecordsEventData } from '../api-contract.js'
import { isEmptyFilter, matches, parseFilter, QueryError, selectRecords, type RecordFilter } from '../record-query.js'

interface Subscriber {
  res: ServerResponse
  filter: RecordFilter | null
  /** The newest seq this page already has (its catch-up may run ahead of the shared batch). */
  seq: number
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no', // nginx in front must not hold events back
}

export interface StreamOptions {
  tickMs?: number
  heartbeatMs?: number
  /** A page that stops reading is cut off past this many unsent bytes; EventSource reconnects and catches up. */
  maxBufferedBytes?: number
}

export class RecordStream {
  private readonly subscribers = new Set<Subscriber>()
  private timer: NodeJS.Timeout | null = null
  private sentSeq = 0
  private lastWrite = Date.now()
  private readonly tickMs: number
  private readonly heartbeatMs: number
  private readonly maxBufferedBytes: number

  constructor(private readonly ring: Ring<LogRecord>, private readonly toJson: (r: LogRecord) => RecordJson, options: StreamOptions = {}) {
    this.tickMs = options.tickMs ?? 250
    this.heartbeatMs = options.heartbeatMs ?? 15_000
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024
  }

  get size(): number {
    return this.subscribers.size
  }

  subscribe(res: ServerResponse, after: number | null, filter: RecordFilter): void {
    const sub: Subscriber = { res, filter: isEmptyFilter(filter) ? null : filter, seq: 0 }
    res.writeHead(200, SSE_HEADERS)
    res.write('retry: 2000\n\n')
    const catchUp = selectRecords(this.ring, { after: after ?? this.ring.last()?.seq ?? 0, limit: this.ring.capacity, filter })
    sub.seq = catchUp.lastSeq
    if (catchUp.records.length > 0) res.write(event(catchUp.lastSeq, catchUp.records.map(this.toJson)))
    if (this.subscribers.size === 0) this.start()
    this.subscribers.add(sub)
    res.on('close', () => {
      this.subscribers.delete(sub)
      if (this.subscribers.size === 0) this.stop()
    })
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const sub of this.subscribers) sub.res.end()
    this.subscribers.clear()
    this.stop()
  }

  private start(): void {
    this.sentSeq = this.ring.last()?.seq ?? 0
    this.timer = setInterval(() => this.tick(), this.tickMs)
    this.timer.unref()
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  private tick(): void {
    const last = this.ring.last()?.seq ?? 0
    const now = Date.now()
    if (last <= this.sentSeq) {
      // A comment line keeps proxies and idle-timeouts from closing a quiet stream.
      if (now - this.lastWrite >= this.heartbeatMs) this.writeAll(': keepalive\n\n', now)
      return
    }
    const since = this.sentSeq
    this.sentSeq = last
    const batch = this.ring.latest(last - since).filter((r) => r.seq > since)
    const json = batch.map(this.toJson)
    let shared: string | null = null
    for (const sub of this.subscribers) {
      if (sub.seq >= last) continue
      let text: string
      if (sub.filter === null && sub.seq <= since) {
        text = shared ??= event(last, json)
      } else {
        const wanted = json.filter((j, i) => j.seq > sub.seq && (sub.filter === null || matches(batch[i]!, sub.filter)))
        if (wanted.length === 0) continue
        text = event(last, wanted)
      }
      sub.seq = last
      this.send(sub, text)
    }
    this.lastWrite = now
  }

  private writeAll(text: string, now: number): void {
    for (const sub of this.subscribers) this.send(sub, text)
    this.lastWrite = now
  }

  private send(sub: Subscriber, text: string): void {
    if (sub.res.writableLength > this.maxBufferedBytes) {
      sub.res.destroy()
      return
    }
    sub.res.write(text)
  }
}

function event(id: number, records: RecordsEventData): string {
  // JSON.stringify escapes CR and LF, so the data is one SSE line whatever the messages contain.
  return `id: ${id}\nevent: records\ndata: ${JSON.stringify(records)}\n\n`
}

export function eventRoutes(router: Router, stream: RecordStream, subscribers: Admission): void {
  router.get('/api/stream', (ctx) => {
    const filter = parseFilter(ctx.query)
    // EventSource sends Last-Event-ID when it reconnects: that, not the URL's after=, is where it stopped.
    const lastId = ctx.get('Last-Event-ID') || (typeof ctx.query['after'] === 'string' ? ctx.query['after'] : '')
    if (lastId !== '' && !/^\d{1,15}$/.test(lastId)) throw new QueryError('after must be a whole number ≥ 0')
    // The router serves HEAD with this GET handler: answer with the headers only, and subscribe nobody.
    if (ctx.method === 'HEAD') {
      ctx.set(SSE_HEADERS)
      ctx.status = 200
      return
    }
    if (!admitRequest(ctx, subscribers)) return
    ctx.req.socket.setNoDelay(true)
    ctx.req.socket.setTimeout(0)
    ctx.respond = false
    stream.subscribe(ctx.res, lastId === '' ? null : Number(lastId), filter)
  })
}
