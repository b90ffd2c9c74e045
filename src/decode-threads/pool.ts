// The decode threads (log.decode_threads). One event loop reads, frames and writes; at a few hundred thousand
// records a second decoding and formatting fill it while a core stays idle. Then whole reads go to threads:
// only large reads (a client that is ahead of us: small reads cost more to hand over than to decode), only
// while the loop is busy (a loop with time to spare does the work itself, at a third of the CPU), and only while a
// thread has little work queued (MAX_QUEUED_BYTES) and the memory in flight is bounded (MAX_IN_FLIGHT_BYTES); else
// a read is decoded on the loop the same way (its frames batched, the line layout). Threads start at the first
// such read, not at start (cold start, memory). A batch's bytes stay here until its outcome is back: if a thread
// dies, its batches are decoded on the loop instead.
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { FormatOptions } from '../format/formatter.js'
import { isSkipped, ownMemory, type BatchDecoder, type BatchMemory, type BatchOutcome, type FrameBatch } from '../ingest/frame-batch.js'
import { decodeWith, formattingOf, type Formatting } from './formatting.js'
import type { FromThread, ThreadStart, ToThread } from './messages.js'
import { SharedSlab, type Region } from './shared-slab.js'

/** Reads shorter than this are decoded on the loop: the hand-over costs about as much as decoding them. */
export const MIN_READ_BYTES = 8 * 1024
/** A thread's work not yet done (frame bytes handed to it that it has not finished, as it counts them in shared
 *  memory: `done`), past which reads are decoded on the loop. More only makes records wait longer: 2 MiB is 30
 *  reads, a few milliseconds of a thread's work. Counted by the thread itself, not by the answers the loop has
 *  read: while the loop was held up (answering /api/records, a collection) a thread finished its queue and
 *  idled, but its answers, not yet read, still counted, so the loop decoded the next reads itself and fell
 *  further behind (32 clients with the page polled: 368k → 394k records/s). */
const MAX_QUEUED_BYTES = 2 * 1024 * 1024
/** Frame bytes handed to threads and not yet released (answered or not), past which reads are decoded on the
 *  loop, as batches all the same (record by record, a LogRecord each, cost the loop more and the heap 30 MiB
 *  more): what bounds the memory of reads in flight. */
export const MAX_IN_FLIGHT_BYTES = 6 * 1024 * 1024
/** The shared memory for frames: what is in flight, what the ring keeps, and room to go round. */
const FRAME_SLAB_BYTES = 8 * 1024 * 1024
/** The shared memory for formatted lines: a read's lines take up to 1.25 times its frames (OUT_PER_IN_BYTE). */
const LINE_SLAB_BYTES = 8 * 1024 * 1024
const OUT_PER_IN_BYTE = 1.25
/** How often the loop's utilisation is sampled. */
const SAMPLE_MS = 100
/** The loop counts as busy from this utilisation on, and as idle again below IDLE_BELOW (no flapping)… */
const BUSY_FROM = 0.9
const IDLE_BELOW = 0.6
/** …and only while most bytes come in full reads (clients ahead of us). 1,000 clients sending 50 records/s
 *  each keep the loop 70–100 % busy with one-frame reads: threads there only added a hand-over (and, while
 *  they warmed up, the wait for it) to the records behind each large read (send → disk p99 71 → 200 ms). */
const LARGE_READ_BYTES = 32 * 1024
const LARGE_SHARE_FROM = 0.5
const LARGE_SHARE_BELOW = 0.25

interface Pending {
  batch: FrameBatch
  /** The layout it was handed over under: if its thread dies, it is formatted here with the same. */
  format: Formatting
  lines: Region | null
  done: (outcome: BatchOutcome, finish: () => void) => void
}

class Thread {
  online = false
  dead = false
  /** Frame bytes handed to it, wrapping at 2^32 as its count in `done` does. */
  handedBytes = 0
  readonly pending = new Map<number, Pending>()
  constructor(readonly worker: Worker, private readonly done: Uint32Array, private readonly slot: number) {}

  /** Frame bytes handed to it that it has not finished yet (its answers may not have been read). */
  get queuedBytes(): number {
    return (this.handedBytes - Atomics.load(this.done, this.slot)) >>> 0
  }
}

export interface DecodePoolOptions {
  threads: number
  /** The decode thread's bundle (dist/src/decode-worker.cjs). */
  workerFile: string
  format: FormatOptions
  diagnostics: Diagnostics
  /** 'always': every read goes to a thread, however small, however idle the loop and however many bytes are in
   *  flight (tests, and checking the threads on a quiet machine: LOGGINGSERVER_DECODE_ALWAYS=1). */
  when?: 'busy' | 'always'
  /** Where the pool counts its threads, reads and records (/metrics). */
  counts?: ThreadCounts
  /** Bytes in threads' hands past which reads are decoded on the loop (MAX_IN_FLIGHT_BYTES; none for 'always'). */
  maxInFlightBytes?: number
  /** A thread's unfinished bytes past which reads are decoded on the loop (MAX_QUEUED_BYTES; none for 'always'). */
  maxQueuedBytes?: number
}

/** Threads running now, and the reads and records they took (status/telemetry.ts's DecodeThreadCounts). */
interface ThreadCounts {
  running: number
  reads: number
  records: number
}

export class DecodePool implements BatchDecoder {
  private readonly code: string
  private readonly threads: Thread[] = []
  private format: FormatOptions
  private formatHere: Formatting
  private nextId = 0
  private inFlightBytes = 0
  private busy = false
  /** Bytes read since the last sample, and those in large reads. */
  private windowBytes = 0
  private windowLargeBytes = 0
  private lastSample: EventLoopUtilization
  private readonly sampler: NodeJS.Timeout
  private readonly diagnostics: Diagnostics
  private readonly counts: ThreadCounts
  /** Created with the threads. */
  private frames: SharedSlab | null = null
  private lines: SharedSlab | null = null
  private readonly maxInFlightBytes: number
  private readonly maxQueuedBytes: number

  constructor(private readonly options: DecodePoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`invalid decode threads: ${options.threads}`)
    // Read now, not when the load comes: during an in-place upgrade the file on disk may already be another version's.
    this.code = readFileSync(options.workerFile, 'utf8')
    this.format = options.format
    this.formatHere = formattingOf(options.format)
    this.diagnostics = options.diagnostics
    this.counts = options.counts ?? { running: 0, reads: 0, records: 0 }
    this.maxInFlightBytes = options.maxInFlightBytes ?? (options.when === 'always' ? Infinity : MAX_IN_FLIGHT_BYTES)
    this.maxQueuedBytes = options.maxQueuedBytes ?? (options.when === 'always' ? Infinity : MAX_QUEUED_BYTES)
    this.lastSample = performance.eventLoopUtilization()
    this.sampler = setInterval(() => this.sample(), SAMPLE_MS)
    this.sampler.unref()
    // Every read is to go to a thread: have them up before the first read rather than at it.
    if (options.when === 'always') this.start()
  }

  /** Threads started and still alive. */
  get running(): number {
    return this.threads.filter((t) => !t.dead).length
  }

  wants(bytes: number): boolean {
    this.windowBytes += bytes
    if (bytes >= LARGE_READ_BYTES) this.windowLargeBytes += bytes
    // JSON lines carry the dispatcher's seq, which a thread cannot know (a reload may switch the style).
    if (this.format.style !== 'text') return false
    if (this.options.when !== 'always' && (bytes < MIN_READ_BYTES || !this.busy)) return false
    if (this.threads.length === 0) this.start()
    return this.threads.some((t) => t.online)
  }

  memory(capacity: number): BatchMemory {
    const region = this.frames?.take(capacity) ?? null
    return region === null ? ownMemory(capacity) : new SharedMemory(region)
  }

  decode(batch: FrameBatch, done: (outcome: BatchOutcome, finish: () => void) => void): void {
    let thread: Thread | null = null
    if (this.inFlightBytes < this.maxInFlightBytes) {
      let queued = this.maxQueuedBytes
      for (const t of this.threads) {
        if (!t.online) continue
        const q = t.queuedBytes
        if (q < queued) [thread, queued] = [t, q]
      }
    }
    const bytes = batch.bytes.byteLength
    // The lines go to the shared memory on the loop too: a fresh buffer per read counts as external memory, which
    // brings V8's next full collection nearer.
    const lines = this.lines?.take(Math.ceil(4096 + bytes * OUT_PER_IN_BYTE)) ?? null
    if (thread === null) {
      done(decodeWith(batch, this.formatHere, lines?.bytes), lines === null ? noop : () => lines.finish())
      return
    }
    const id = ++this.nextId
    this.counts.reads++
    thread.pending.set(id, { batch, format: this.formatHere, lines, done })
    thread.handedBytes = (thread.handedBytes + bytes) >>> 0
    this.inFlightBytes += bytes
    this.post(thread, lines === null ? { kind: 'batch', id, batch } : { kind: 'batch', id, batch, out: lines.bytes })
  }

  /** SIGHUP reload of the file's layout: reads handed over from now on are formatted with it. */
  setFormat(format: FormatOptions): void {
    this.format = format
    this.formatHere = formattingOf(format)
    for (const t of this.threads) if (!t.dead) this.post(t, { kind: 'format', format })
  }

  /**
   * Crash path: what the threads still hold is decoded here, now, in the order it was handed over, so the file's
   * last synchronous write has it (the frames are in this process's memory: nothing is lost to the threads).
   */
  finishOnLoop(): void {
    const held: Array<[Thread, number, Pending]> = []
    for (const t of this.threads) for (const [id, pending] of t.pending) held.push([t, id, pending])
    held.sort((a, b) => a[1] - b[1])
    for (const [t, id, { batch, format }] of held) this.finished(t, id, decodeWith(batch, format))
  }

  /** At the end of a stop, once nothing is in flight (Dispatcher.settled). */
  close(): void {
    clearInterval(this.sampler)
    for (const t of this.threads) if (!t.dead) void t.worker.terminate()
  }

  private sample(): void {
    const now = performance.eventLoopUtilization()
    const { utilization } = performance.eventLoopUtilization(now, this.lastSample)
    this.lastSample = now
    const largeShare = this.windowBytes === 0 ? 0 : this.windowLargeBytes / this.windowBytes
    this.windowBytes = 0
    this.windowLargeBytes = 0
    if (utilization >= BUSY_FROM && largeShare >= LARGE_SHARE_FROM) this.busy = true
    else if (utilization < IDLE_BELOW || largeShare < LARGE_SHARE_BELOW) this.busy = false
  }

  private start(): void {
    this.frames = new SharedSlab(FRAME_SLAB_BYTES)
    this.lines = new SharedSlab(LINE_SLAB_BYTES)
    const done = new Uint32Array(new SharedArrayBuffer(4 * this.options.threads))
    for (let slot = 0; slot < this.options.threads; slot++) {
      const start: ThreadStart = { format: this.format, done, slot }
      const worker = new Worker(this.code, { eval: true, workerData: start, resourceLimits: { maxYoungGenerationSizeMb: 8 } })
      const thread = new Thread(worker, done, slot)
      worker.unref()
      worker.on('online', () => {
        thread.online = true
        this.counts.running++
      })
      worker.on('message', (message: FromThread) => this.finished(thread, message.id, message.outcome))
      worker.on('error', (err) => this.lost(thread, err.stack ?? err.message))
      worker.on('exit', (code) => this.lost(thread, `exited with code ${code}`))
      this.threads.push(thread)
    }
  }

  private post(thread: Thread, message: ToThread): void {
    thread.worker.postMessage(message)
  }

  private finished(thread: Thread, id: number, outcome: BatchOutcome): void {
    const pending = thread.pending.get(id)
    if (pending === undefined) return
    thread.pending.delete(id)
    const bytes = pending.batch.bytes.byteLength
    this.counts.records += recordsIn(pending.batch, outcome)
    // In flight until released: a read done early waits in line with its memory.
    pending.done(outcome, () => {
      this.inFlightBytes -= bytes
      pending.lines?.finish()
    })
  }

  /** A thread that failed: its batches are decoded here, in the order they were handed over. */
  private lost(thread: Thread, why: string): void {
    if (thread.dead) return
    if (thread.online) this.counts.running--
    thread.dead = true
    thread.online = false
    if (!why.startsWith('exited with code') || thread.pending.size > 0) {
      this.diagnostics.report('LS-DECODE-THREAD-FAILED', `a decode thread failed (${why}); its ${thread.pending.size} reads in flight are decoded on the main thread, ${this.running} threads left`)
    }
    for (const [id, { batch, format }] of [...thread.pending]) this.finished(thread, id, decodeWith(batch, format))
  }
}

function noop(): void {}

/** The entries that came back as records: neither refused by the decoder nor read past. */
function recordsIn(batch: FrameBatch, outcome: BatchOutcome): number {
  let skipped = 0
  for (let i = 0; i < outcome.lineEnds.length; i++) if (isSkipped(batch, i)) skipped++
  return outcome.lineEnds.length - outcome.refused.length - skipped
}

/** A read's frames in the shared slab. */
class SharedMemory implements BatchMemory {
  readonly bytes: Uint8Array

  constructor(private readonly region: Region) {
    this.bytes = region.bytes
  }

  fit(used: number): void {
    this.region.slab.shrink(this.region, used)
  }

  finish(): void {
    this.region.finish()
  }

  hold(): void {
    this.region.hold()
  }

  letGo(): void {
    this.region.letGo()
  }
}
