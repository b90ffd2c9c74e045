// Fans each LogRecord out to the central file, the recent ring and the stats, and turns the file's backlog
// into backpressure: past the bound reading stops on every socket, and starts again once the file drains.
// It also keeps the order of arrival when a decode thread does a read's work (log.decode_threads): the read
// takes its place in line (reserve) and what arrives after it waits until its records are in (fill).
import type { LogRecord } from './record.js'

/** What the dispatcher needs of the central file. */
export interface BackloggedSink {
  write(record: LogRecord): void
  /** A run's lines, already formatted by a decode thread. */
  writeRun(run: RecordRun): void
  readonly backlogBytes: number
  on(event: 'drain', listener: () => void): unknown
}

/** What counting a record needs of it (the stats, the page's chart, the per-client series). */
export type RecordSummary = Pick<LogRecord, 'levelname' | 'levelno' | 'client' | 'received'>

export interface RecordCounter {
  record(record: RecordSummary): void
}

/** An observer that keeps records: it takes a run's records too (as the run, to decode again when read), or
 *  runs cannot be dispatched at all (takesRuns). */
export interface RecordKeeper {
  record(record: LogRecord): void
  run?(run: RecordRun, firstSeq: number): void
}

/** Records a decode thread decoded and formatted: one read's, from one client, all arrived at one time. */
export interface RecordRun {
  readonly count: number
  readonly client: string
  readonly received: number
  /** The run's lines, each with its '\n', in UTF-8. */
  readonly bytes: Uint8Array
  /** Where record i's line ends in `bytes`. */
  lineEnd(i: number): number
  levelname(i: number): string
  levelno(i: number): number
  /** The size of record i's frame: what keeping it to decode again holds. */
  frameBytes(i: number): number
  /** The run's frames (what a keeper keeps): record i decoded again from its frame, numbered `seq`; `bytes`
   *  is their size. */
  readonly frames: { readonly bytes: number; resolve(i: number, seq: number): LogRecord; hold(): void; letGo(): void }
}

/** Reading on every log socket (ingest's FlowControl). */
export interface ReadThrottle {
  pauseAll(reason: 'backpressure'): void
  resumeAll(reason: 'backpressure'): void
}

/** A place in line for work finished later; `release` delivers it, in order. */
export interface Slot {
  release: (() => void) | null
}

const RELEASED: Slot = { release: null }
/** Records read while a thread's read ahead of them is not back (one by one, or as a read's batch done before its
 *  turn): past this many, reading pauses (as for the file's backlog) until half have gone out, so a stalled
 *  thread cannot make the line grow for ever. */
export const MAX_WAITING_RECORDS = 200_000

export class Dispatcher {
  private seq = 0
  private paused = false
  /** Why reading is paused: the file is behind, and/or too many records wait in line. */
  private fileBehind = false
  private lineLong = false
  private waitingRecords = 0
  /** Places in line, oldest first, from lineHead on: the head is released as soon as it is filled, and what
   *  follows it waits. An index, not shift(): records read inline while a thread works wait here by thousands. */
  private line: Slot[] = []
  private lineHead = 0
  private releasing = false
  private settledWaiters: Array<() => void> = []
  private readonly summary = { levelname: '', levelno: 0, client: '', received: 0 }

  constructor(
    private readonly file: BackloggedSink,
    private readonly counters: readonly RecordCounter[],
    private readonly keepers: readonly RecordKeeper[],
    private maxBacklogBytes: number,
    private readonly throttle: ReadThrottle,
  ) {
    file.on('drain', () => {
      this.fileBehind = false
      this.resumeIfClear()
    })
  }

  /** True while reading is stopped because the file is behind. */
  get backpressure(): boolean {
    return this.paused
  }

  /** Whether every keeper takes deferred records, so a decode thread's runs can be dispatched. */
  get takesRuns(): boolean {
    return this.keepers.every((k) => k.run !== undefined)
  }

  /** Places in line not yet released (reads a decode thread is working on, and what waits behind them). */
  get waiting(): number {
    return this.line.length - this.lineHead
  }

  accept(record: LogRecord): void {
    if (this.lineHead === this.line.length || this.releasing) this.deliver(record)
    else {
      this.line.push({
        release: () => {
          this.waitingRecords--
          this.deliver(record)
        },
      })
      this.waitMore(1)
    }
  }

  /**
   * `action` in its place in line: now when nothing waits, else once everything accepted before it is out (a
   * reload's new layout for the file starts between two records in arrival order, as a thread's reads do).
   */
  inTurn(action: () => void): void {
    if (this.lineHead === this.line.length) action()
    else this.line.push({ release: action })
  }

  /** A place in line for a read a decode thread takes: what is accepted after it waits until `fill`. */
  reserve(): Slot {
    const slot: Slot = { release: null }
    this.line.push(slot)
    return slot
  }

  /**
   * The reserved read's work is done: `release` dispatches it (runs and refusals, in order) once its turn comes.
   * `records`: how many it holds, counted among the waiting while a place ahead of it is not filled.
   */
  fill(slot: Slot, release: () => void, records = 0): void {
    if (records > 0 && this.line[this.lineHead] !== slot) {
      slot.release = () => {
        this.waitingRecords -= records
        release()
      }
      this.waitMore(records)
    } else slot.release = release
    if (this.releasing) return
    this.releasing = true
    const { line } = this
    try {
      while (this.lineHead < line.length && line[this.lineHead]!.release !== null) {
        const release = line[this.lineHead]!.release!
        line[this.lineHead++] = RELEASED
        release()
      }
    } finally {
      this.releasing = false
    }
    if (this.lineLong && this.waitingRecords <= MAX_WAITING_RECORDS / 2) {
      this.lineLong = false
      this.resumeIfClear()
    }
    if (this.lineHead === line.length) {
      this.line = []
      this.lineHead = 0
      this.settle()
    } else if (this.lineHead > 1024 && this.lineHead * 2 > line.length) {
      this.line = line.slice(this.lineHead)
      this.lineHead = 0
    }
  }

  /** Inside a slot's release: the run goes out now, in its place. */
  acceptRun(run: RecordRun): void {
    const { summary } = this
    summary.client = run.client
    summary.received = run.received
    for (let i = 0; i < run.count; i++) {
      summary.levelname = run.levelname(i)
      summary.levelno = run.levelno(i)
      for (const counter of this.counters) counter.record(summary)
    }
    const firstSeq = this.seq + 1
    this.seq += run.count
    for (const keeper of this.keepers) keeper.run!(run, firstSeq)
    this.file.writeRun(run)
    this.checkBacklog()
  }

  /** Resolves once every reserved place has been released (a stop waits for it before closing the file). */
  settled(): Promise<void> {
    if (this.lineHead === this.line.length) return Promise.resolve()
    return new Promise((resolve) => this.settledWaiters.push(resolve))
  }

  /** SIGHUP reload of log.max_backlog_bytes. */
  setMaxBacklogBytes(bytes: number): void {
    this.maxBacklogBytes = bytes
  }

  /** Shutdown: read everything the peers already sent, however far behind the file is. */
  release(): void {
    this.maxBacklogBytes = Infinity
    this.fileBehind = false
    this.lineLong = false
    this.resumeIfClear()
  }

  private deliver(record: LogRecord): void {
    record.seq = ++this.seq
    for (const counter of this.counters) counter.record(record)
    for (const keeper of this.keepers) keeper.record(record)
    this.file.write(record)
    this.checkBacklog()
  }

  /** `records` more wait behind a place not yet filled: past MAX_WAITING_RECORDS, reading pauses. */
  private waitMore(records: number): void {
    this.waitingRecords += records
    if (this.waitingRecords > MAX_WAITING_RECORDS && !this.lineLong) {
      this.lineLong = true
      this.pause()
    }
  }

  private checkBacklog(): void {
    if (!this.fileBehind && this.file.backlogBytes > this.maxBacklogBytes) {
      this.fileBehind = true
      this.pause()
    }
  }

  private settle(): void {
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const resolve of waiters) resolve()
  }

  private pause(): void {
    if (this.paused) return
    this.paused = true
    this.throttle.pauseAll('backpressure')
  }

  private resumeIfClear(): void {
    if (!this.paused || this.fileBehind || this.lineLong) return
    this.paused = false
    this.throttle.resumeAll('backpressure')
  }
}
