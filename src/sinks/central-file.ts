// The central log file as a sink: format each record, hand lines to the batched writer, rotate by size
// and/or time between records (never inside one), reopen on SIGHUP, and report health and backlog.
import { EventEmitter } from 'node:events'
import { stat } from 'node:fs/promises'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { LogRecord } from '../record.js'
import { BatchedWriter } from './batched-writer.js'
import { WriteLatency, type LatencyObserver } from './write-latency.js'
import {
  checkRotation, computeRollover, gzipFile, nextRolloverAt, rotateBySize, rotateByTime, rotatedSuffix,
  sizeRolloverDue, type RotationOptions,
} from './rotation.js'

export type { RotationOptions, When } from './rotation.js'

export interface CentralFileOptions {
  path: string
  format: (r: LogRecord) => string
  rotation: RotationOptions
  diagnostics?: Diagnostics
  /** Told each record's arrival-to-disk time. */
  writeLatency?: LatencyObserver
}

/** Records formatted elsewhere (a decode thread): their lines, each with its '\n', in UTF-8, all arrived at `received`. */
export interface FormattedRun {
  readonly count: number
  readonly received: number
  readonly bytes: Uint8Array
  /** Where record i's line ends in `bytes`. */
  lineEnd(i: number): number
}

export interface CentralFileStats {
  path: string
  sizeBytes: number
  rotations: number
  backlogRecords: number
  backlogBytes: number
  healthy: boolean
  lastError: string | null
  recordsWritten: number
}

/** After a failed rename chain, wait this long before trying again instead of retrying on every record. */
const ROTATION_RETRY_MS = 60_000
const quiet: Diagnostics = { report() {}, reportLimited() {} }

/**
 * Events: 'drain' (nothing left in memory), 'error-state' (err), 'recovered'.
 * Records arriving during a rotation are held here, in order, and go to the new file.
 */
export class CentralFile extends EventEmitter {
  readonly path: string
  private format: (r: LogRecord) => string
  private readonly rotation: RotationOptions
  private readonly diag: Diagnostics
  private readonly writer: BatchedWriter
  private held: string[] = []
  private heldBytes = 0
  private rotating: Promise<void> | null = null
  private compressing: Promise<void> = Promise.resolve()
  /** Next time rollover, in ms (CPython keeps seconds; `int(now) >= at` ⇔ `now >= at` for integer `at`). */
  private rolloverAtMs = Infinity
  private sizeRotationAfterMs = 0
  private rotations = 0
  private lastError: string | null = null
  private readonly latency: WriteLatency | null

  constructor(options: CentralFileOptions) {
    super()
    checkRotation(options.rotation)
    this.path = options.path
    this.format = options.format
    this.rotation = { ...options.rotation }
    this.diag = options.diagnostics ?? quiet
    this.writer = new BatchedWriter({ path: options.path })
    this.latency = options.writeLatency ? new WriteLatency(options.writeLatency) : null
    if (this.latency !== null) {
      const latency = this.latency
      this.writer.on('written', () => latency.written(this.writer.writesCompleted, Date.now() / 1000))
    }
    this.writer.on('drain', () => {
      if (this.rotating === null && this.held.length === 0) this.emit('drain')
    })
    this.writer.on('error-state', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code && !err.message.startsWith(err.code) ? `${err.code}: ${err.message}` : err.message
      this.diag.report('LS-WRITE-FAILED', `writing ${this.path} failed: ${this.lastError}; keeping records in memory, retrying`)
      this.emit('error-state', err)
    })
    this.writer.on('recovered', () => {
      this.diag.report('LS-WRITE-RECOVERED', `writing ${this.path} works again`)
      this.lastError = null
      this.emit('recovered')
    })
  }

  /** Opens (creating directories); the first time rollover counts from the file's mtime, as in CPython. */
  async open(): Promise<void> {
    const { when, interval, utc } = this.rotation
    if (when !== null) {
      let start: number
      try {
        start = Math.trunc((await stat(this.path)).mtimeMs / 1000)
      } catch {
        start = Math.trunc(Date.now() / 1000)
      }
      this.rolloverAtMs = computeRollover(start, when, interval, utc) * 1000
    }
    await this.writer.open()
  }

  write(record: LogRecord): void {
    this.latency?.accept(record.received)
    const entry = this.format(record) + '\n'
    if (this.rotating !== null || this.rotationDue(entry)) this.hold(entry)
    else this.writer.write(entry)
  }

  /**
   * A decode thread's run, formatted and encoded there: one piece for the writer while no rotation can fall inside it (its
   * records all arrived at one time, so a time rollover falls before or after it); line by line otherwise.
   */
  writeRun(run: FormattedRun): void {
    const { latency } = this
    if (latency !== null) for (let i = 0; i < run.count; i++) latency.accept(run.received)
    const { bytes } = run
    if (this.rotating === null && !this.rotationMayFallIn(bytes.byteLength)) {
      this.writer.writeBytes(bytes, run.count)
      return
    }
    // Rotating now, or the run may reach max_bytes: each line is held or checked by itself, as write() does.
    const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let start = 0
    for (let i = 0; i < run.count; i++) {
      const entry = lines.toString('utf8', start, run.lineEnd(i))
      start = run.lineEnd(i)
      if (this.rotating !== null || this.rotationDue(entry)) this.hold(entry)
      else this.writer.write(entry)
    }
  }

  /** SIGHUP: reopen the same path without renaming (an external logrotate moved it). */
  async reopen(): Promise<void> {
    while (this.rotating !== null) await this.rotating
    await this.writer.reopen()
  }

  /** Resolves when every record written so far is in the file (rotations in progress included). */
  async flush(): Promise<void> {
    while (this.rotating !== null) await this.rotating
    await this.writer.flush()
  }

  async end(): Promise<void> {
    await this.flush()
    await this.writer.end()
    await this.compressing
  }

  /** The shutdown deadline passed: the writer stops retrying. */
  abandon(): void {
    this.writer.abandon()
  }

  /** Crash path: held and pending records go out synchronously, to whatever file is open. */
  flushSync(): void {
    const { held } = this
    const state = this.writer.currentState
    if (state !== 'ending' && state !== 'closed') {
      for (const entry of held) this.writer.write(entry)
      this.held = []
      this.heldBytes = 0
    }
    this.writer.flushSync()
  }

  /** SIGHUP reload: records accepted from now on use the new layout. */
  setFormat(format: (r: LogRecord) => string): void {
    this.format = format
  }

  /** Bytes accepted but not yet on disk; read per record by the dispatcher, so no snapshot object. */
  get backlogBytes(): number {
    return this.writer.pendingBytes + this.heldBytes
  }

  stats(): CentralFileStats {
    const w = this.writer
    return {
      path: this.path,
      sizeBytes: w.size,
      rotations: this.rotations,
      backlogRecords: w.pendingWrites + this.held.length,
      backlogBytes: w.pendingBytes + this.heldBytes,
      healthy: w.healthy,
      lastError: this.lastError,
      recordsWritten: w.writesCompleted,
    }
  }

  /** Whether rotationDue could start a rotation before some line of `bytes` more (it starts none itself). */
  private rotationMayFallIn(bytes: number): boolean {
    if (!this.writer.isRegularFile) return false
    const r = this.rotation
    if (r.when !== null && Date.now() >= this.rolloverAtMs) return true
    // Not sizeRolloverDue: an empty file takes its first record whatever its size (CPython), so a run that would
    // reach max_bytes in an empty file still rotates after that record; the line by line path decides it exactly.
    return r.maxBytes > 0 && r.backupCount > 0 && this.writer.size + this.writer.pendingBytes + bytes >= r.maxBytes && Date.now() >= this.sizeRotationAfterMs
  }

  /** Checked BEFORE an entry is added, so a rotation always falls between two records. */
  private rotationDue(entry: string): boolean {
    if (!this.writer.isRegularFile) return false
    const r = this.rotation
    if (r.when !== null && Date.now() >= this.rolloverAtMs) {
      this.rotating = this.rotate('time')
      return true
    }
    // Logical size: what is on disk plus what is queued for this file (CPython's tell() after write).
    const size = this.writer.size + this.writer.pendingBytes
    // An entry's UTF-16 length × 3 bounds its bytes: only one that may reach the limit is measured.
    if (sizeRolloverDue(size, entry.length * 3, r.maxBytes, r.backupCount) && sizeRolloverDue(size, Buffer.byteLength(entry), r.maxBytes, r.backupCount) && Date.now() >= this.sizeRotationAfterMs) {
      this.rotating = this.rotate('size')
      return true
    }
    return false
  }

  private hold(entry: string): void {
    const bytes = Buffer.byteLength(entry)
    this.held.push(entry)
    this.heldBytes += bytes
  }

  /**
   * Let the old file receive every byte queued for it, rename, reopen; records held meanwhile then go to
   * the new file in arrival order. gzip runs afterwards, off the write path (the next rotation waits for it,
   * since the chain renames the file being compressed).
   */
  private async rotate(reason: 'size' | 'time'): Promise<void> {
    await Promise.resolve() // rotationDue() assigns this.rotating only after this call returns
    const { backupCount, when, interval, utc, compress } = this.rotation
    let rotated: string | null = null
    try {
      await this.writer.flush()
      await this.compressing
      if (reason === 'size') {
        rotated = await rotateBySize(this.path, backupCount)
      } else if (when !== null) {
        const now = Math.trunc(Date.now() / 1000)
        const suffix = rotatedSuffix(this.rolloverAtMs / 1000, now, when, interval, utc)
        this.rolloverAtMs = nextRolloverAt(now, when, interval, utc) * 1000
        rotated = await rotateByTime(this.path, suffix, when, backupCount)
      }
      await this.writer.reopen()
      this.rotations += 1
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      this.lastError = `rotation: ${msg}`
      this.diag.report('LS-ROTATE-FAILED', `rotating ${this.path} failed: ${msg}; writing on to the same file`)
      if (reason === 'size') this.sizeRotationAfterMs = Date.now() + ROTATION_RETRY_MS
      rotated = null
    }
    if (compress && rotated !== null) {
      const name = rotated
      this.compressing = gzipFile(name).then(() => {}, (err: unknown) => {
        this.diag.report('LS-COMPRESS-FAILED', `compressing ${name} failed: ${err instanceof Error ? err.message : String(err)}; kept uncompressed`)
      })
    }
    this.rotating = null
    this.release()
  }

  /** Feed held records through the normal path: one of them may start the next rotation. */
  private release(): void {
    const { held } = this
    this.held = []
    this.heldBytes = 0
    for (const entry of held) {
      if (this.rotating !== null || this.rotationDue(entry)) this.hold(entry)
      else this.writer.write(entry)
    }
    if (this.rotating === null && this.held.length === 0 && this.writer.pendingBytes === 0) this.emit('drain')
  }
}
