// /api/stream: Server-Sent Events. One shared timer looks at the ring every tickMs and sends each page the
// records that arrived since, as one `records` event (a batch, serialised once for all unfiltered pages),
// so 4 clients sending flat out cost one JSON.stringify per tick, not one write per record per page.
import type Router from '@koa/router'
import type { ServerResponse } from 'node:http'
import type { LogRecord } from '../../record.js'
import type { Ring } from '../../status/ring.js'
import { admitRequest, SlowReaderError, STALL_MS, type Admission } from '../limits.js'
import type { RecordJson, RecordsEventData } from '../api-contract.js'
import { isEmptyFilter, matches, parseFilter, QueryError, selectRecords, type RecordFilter } from '../record-query.js'

interface Subscriber {
  res: ServerResponse
  filter: RecordFilter | null
  /** The newest seq this page already has (its catch-up may run ahead of the shared batch). */
  seq: number
  /** While its catch-up is being written (at the reader's pace), the shared ticks leave it alone. */
  catchingUp: boolean
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no', // nginx in front must not hold events back
}

/**
 * One event carries at most this much JSON (one record more if a record alone is larger): 300 records of
 * escape-heavy text can make 30 MB, which must reach a page in pieces made as it reads them, not as one
 * string held per subscriber.
 */
export const EVENT_BYTES = 64 * 1024
/** Records selected for one catch-up event (it may take fewer, to stay within EVENT_BYTES). */
const CATCH_UP_STEP = 64

export interface StreamOptions {
  tickMs?: number
  heartbeatMs?: number
  /** A live page that stops reading is cut off past this many unsent bytes; EventSource reconnects and catches up. */
  maxBufferedBytes?: number
  /** A catch-up the reader takes nothing of for this long is cut off (see limits.ts STALL_MS). */
  stallMs?: number
}

export class RecordStream {
  private readonly subscribers = new Set<Subscriber>()
  private timer: NodeJS.Timeout | null = null
  private sentSeq = 0
  private lastWrite = Date.now()
  private readonly tickMs: number
  private readonly heartbeatMs: number
  private readonly maxBufferedBytes: number
  private readonly stallMs: number

  constructor(private readonly ring: Ring<LogRecord>, private readonly toJson: (r: LogRecord) => RecordJson, options: StreamOptions = {}) {
    this.tickMs = options.tickMs ?? 250
    this.heartbeatMs = options.heartbeatMs ?? 15_000
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024
    this.stallMs = options.stallMs ?? STALL_MS
  }

  get size(): number {
    return this.subscribers.size
  }

  subscribe(res: ServerResponse, after: number | null, filter: RecordFilter): void {
    const sub: Subscriber = { res, filter: isEmptyFilter(filter) ? null : filter, seq: after ?? this.ring.last()?.seq ?? 0, catchingUp: true }
    res.writeHead(200, SSE_HEADERS)
    res.write('retry: 2000\n\n')
    if (this.subscribers.size === 0) this.start()
    this.subscribers.add(sub)
    res.on('close', () => {
      this.subscribers.delete(sub)
      if (this.subscribers.size === 0) this.stop()
    })
    void this.catchUp(sub, filter)
  }

  /**
   * Writes what the page missed, one event of at most EVENT_BYTES at a time, each only once the socket took
   * the one before; a reader that takes nothing for stallMs is cut off. Then the page joins the shared ticks,
   * once it has everything up to what they have sent.
   */
  private async catchUp(sub: Subscriber, filter: RecordFilter): Promise<void> {
    while (!sub.res.destroyed) {
      const [id, text] = this.nextCatchUpEvent(sub.seq, filter)
      sub.seq = id
      if (text === null) break // level with the ring: what comes next, the shared ticks send
      if (!sub.res.write(text) && !(await this.drained(sub.res))) return
    }
    sub.catchingUp = false
  }

  /**
   * The next catch-up event after `seq` and the seq it reaches, or [the ring's newest seq, null] when nothing
   * (that passes the filter) is left: the ring's newest is at least what the shared ticks have sent. Records are selected afresh each time, in a function
   * of their own so no reference outlives it: held across the wait for a reader they would keep records the
   * ring has let go alive, one set per waiting page (64 pages × 64 big records: over a gigabyte).
   */
  private nextCatchUpEvent(seq: number, filter: RecordFilter): [number, string | null] {
    const found = selectRecords(this.ring, { after: seq, limit: CATCH_UP_STEP, filter })
    // found.lastSeq also brings back an `after` from before a restart (beyond the ring).
    if (found.records.length === 0) return [found.lastSeq, null]
    const last = found.more ? (found.records.at(-1) as LogRecord).seq : found.lastSeq
    return events(last, found.records, this.toJson).next().value as [number, string]
  }

  /** True once the socket drains; false (and the response destroyed) when it closes or stalls first. */
  private drained(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer)
        res.off('drain', onDrain)
        res.off('close', onClose)
        resolve(ok)
      }
      const onDrain = (): void => done(true)
      const onClose = (): void => done(false)
      const timer = setTimeout(() => {
        res.destroy(new SlowReaderError(`live stream catch-up: no progress for ${this.stallMs / 1000} s, cut off`))
        done(false)
      }, this.stallMs)
      res.once('drain', onDrain)
      res.once('close', onClose)
    })
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
    // Buffers, made once: a string written to 64 sockets becomes 64 copies of it, held until each is sent.
    let shared: Buffer[] | null = null
    for (const sub of this.subscribers) {
      if (sub.catchingUp || sub.seq >= last) continue
      let texts: Buffer[]
      if (sub.filter === null && sub.seq <= since) {
        texts = shared ??= eventBuffers(last, json)
      } else {
        const wanted = json.filter((j, i) => j.seq > sub.seq && (sub.filter === null || matches(batch[i]!, sub.filter)))
        if (wanted.length === 0) continue
        texts = eventBuffers(last, wanted)
      }
      sub.seq = last
      this.send(sub, texts)
    }
    this.lastWrite = now
  }

  private writeAll(text: string, now: number): void {
    const chunk = [Buffer.from(text)]
    for (const sub of this.subscribers) if (!sub.catchingUp) this.send(sub, chunk)
    this.lastWrite = now
  }

  /** A live page keeps up or is cut off: checked before each event, so it never holds more than the limit and one event. */
  private send(sub: Subscriber, texts: readonly Buffer[]): void {
    for (const text of texts) {
      if (sub.res.writableLength > this.maxBufferedBytes) {
        sub.res.destroy(new SlowReaderError(`live stream: over ${this.maxBufferedBytes} bytes unread, cut off`))
        return
      }
      sub.res.write(text)
    }
  }
}

/**
 * `records` events of at most EVENT_BYTES of JSON each, made one at a time as they are taken, with the id a
 * reconnecting EventSource resumes from: each event's last record, and `lastId` for the final one (a
 * filtered page has seen up to there).
 */
function* events<T extends { seq: number }>(lastId: number, records: readonly T[], toJson: (r: T) => RecordsEventData[number]): Generator<[number, string]> {
  let group: string[] = []
  let bytes = 0
  for (let i = 0; i < records.length; i++) {
    const json = JSON.stringify(toJson(records[i] as T))
    if (group.length > 0 && bytes + json.length > EVENT_BYTES) {
      yield event((records[i - 1] as T).seq, group)
      group = []
      bytes = 0
    }
    group.push(json)
    bytes += json.length + 1
  }
  if (group.length > 0) yield event(lastId, group)
}

/** Live events as bytes, for pages that already share one rendering of the records. */
function eventBuffers(lastId: number, records: readonly RecordJson[]): Buffer[] {
  return [...events(lastId, records, (j: RecordJson) => j)].map(([, text]) => Buffer.from(text))
}

function event(id: number, records: readonly string[]): [number, string] {
  // JSON.stringify escapes CR and LF, so the data is one SSE line whatever the messages contain.
  return [id, `id: ${id}\nevent: records\ndata: [${records.join(',')}]\n\n`]
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
