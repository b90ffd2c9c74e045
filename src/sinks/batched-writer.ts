// Appends strings to one file with at most one fs.write in flight, many records per syscall: sonic-boom's
// batching as a single-state machine. I/O errors keep the data, are reported by event and retried.
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import { openAppend, writeAllSync, type Opened } from './append-file.js'
import { ChunkQueue } from './chunk-queue.js'

export type WriterState = 'opening' | 'idle' | 'writing' | 'reopening' | 'ending' | 'closed'

export interface BatchedWriterOptions {
  path: string
  /** File mode when the file is created (before the umask). */
  mode?: number
  /** Upper bound of one write(2); a single larger entry is still written whole. */
  maxWriteBytes?: number
  retryMinMs?: number
  retryMaxMs?: number
}

/** Which fs operation is outstanding (or waiting for its retry): tells 'reopening'/'ending' what to wait for. */
type Io = 'none' | 'open' | 'write' | 'close'

/**
 * Events: 'ready' (file (re)opened), 'drain' (backlog fell to zero), 'written' (bytes: one write(2)
 * completed), 'error-state' (err: the first failure, or a different one), 'recovered' (I/O works again
 * after 'error-state'), 'close'. Unlike sonic-boom, which emits 'error' and stops, failures are retried
 * with backoff and nothing is dropped.
 */
export class BatchedWriter extends EventEmitter {
  readonly path: string
  /** Number of fs.write calls issued (tests and benchmarks look at batching through it). */
  writeCalls = 0
  /** Current file size: fstat at open plus bytes written since (for size rotation). */
  size = 0
  /** False for /dev/stdout, FIFOs…: CPython (bpo-45401, #89564) never rotates those. */
  isRegularFile = false
  lastError: NodeJS.ErrnoException | null = null

  private readonly mode: number
  private readonly retryMinMs: number
  private readonly retryMaxMs: number
  private state: WriterState = 'opening'
  private io: Io = 'none'
  private fd = -1
  private readonly queue: ChunkQueue
  private inflight: Buffer | null = null
  private inflightOffset = 0
  private inflightCount = 0
  private accepted = 0
  private written = 0
  private acceptedWrites = 0
  private completedWrites = 0
  private retryMs: number
  private retryTimer: NodeJS.Timeout | null = null
  private abandoned = false
  private immediate: NodeJS.Immediate | null = null
  private opened: Promise<void> | null = null
  // One shared promise per awaited event, so many SIGHUPs add no listener pile-up.
  private ready: Promise<void> | null = null
  private readyAgain: Promise<void> | null = null
  private closed: Promise<void> | null = null
  private flushWaiters: Array<{ target: number; resolve: () => void }> = []

  constructor(options: BatchedWriterOptions) {
    super()
    if (typeof options.path !== 'string' || options.path === '') throw new TypeError(`invalid path: ${options.path}`)
    this.path = options.path
    this.mode = options.mode ?? 0o640
    this.queue = new ChunkQueue(options.maxWriteBytes ?? 1024 * 1024)
    this.retryMinMs = options.retryMinMs ?? 100
    this.retryMaxMs = options.retryMaxMs ?? 5000
    this.retryMs = this.retryMinMs
  }

  /** Bytes accepted but not yet written to the file (the backlog the owner bases backpressure on). */
  get pendingBytes(): number { return this.accepted - this.written }
  /** write() calls whose data is not yet completely written. */
  get pendingWrites(): number { return this.acceptedWrites - this.completedWrites }
  /** write() calls whose data is completely written. */
  get writesCompleted(): number { return this.completedWrites }
  get healthy(): boolean { return this.lastError === null }
  get currentState(): WriterState { return this.state }

  /** Resolves once the file is open; failures emit 'error-state' and are retried until it succeeds. */
  open(): Promise<void> {
    if (this.opened === null) {
      this.opened = this.whenReady()
      this.attemptOpen()
    }
    return this.opened
  }

  /** Never blocks, never drops: the caller watches pendingBytes for backpressure. */
  write(data: string): void {
    this.checkOpen()
    this.took(this.queue.push(data), 1)
  }

  /** write() of lines already in UTF-8: `bytes` holds `entries` records' lines. */
  writeBytes(bytes: Uint8Array, entries: number): void {
    this.checkOpen()
    this.took(this.queue.pushBytes(bytes, entries), entries)
  }

  /** Resolves when every byte accepted so far has been written (no fsync). */
  flush(): Promise<void> {
    const target = this.accepted
    if (this.written >= target) return Promise.resolve()
    return new Promise((resolve) => this.flushWaiters.push({ target, resolve }))
  }

  /** After the write in flight completes, close and open the path again (logrotate's `mv` + SIGHUP). */
  reopen(): Promise<void> {
    switch (this.state) {
      case 'closed':
        return Promise.resolve()
      case 'ending':
        return this.whenClosed()
      case 'opening':
        // The first open has not succeeded yet: it will open the path as it is then.
        return this.open()
      case 'idle':
        this.state = 'reopening'
        this.doReopen()
        return this.whenReady()
      case 'writing':
        this.state = 'reopening'
        // Writes are failing and waiting for their retry: reopen now, the new file may well work.
        if (this.retryTimer !== null) {
          clearTimeout(this.retryTimer)
          this.retryWrite()
        }
        return this.whenReady()
      case 'reopening':
        // Waiting for a write: join. Already closing/opening: that open may predate a second rename, so
        // reopen once more after it.
        if (this.io === 'write') return this.whenReady()
        this.readyAgain ??= this.whenReady().then(() => {
          this.readyAgain = null
          return this.reopen()
        })
        return this.readyAgain
    }
  }

  /** Writes everything accepted, then closes the file (waiting, like flush(), through I/O errors). */
  end(): Promise<void> {
    switch (this.state) {
      case 'closed':
        return Promise.resolve()
      case 'ending':
        break
      case 'idle':
        this.state = 'ending'
        this.next()
        break
      case 'opening':
        this.state = 'ending'
        if (this.opened === null) void this.open()
        break
      case 'writing':
      case 'reopening':
        // The outstanding write or open calls next(), which drains and closes.
        this.state = 'ending'
    }
    return this.whenClosed()
  }

  /** The shutdown deadline passed: retry no more (what could not be written stays unwritten). */
  abandon(): void {
    this.abandoned = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  /**
   * Crash path (pino's flushSync): write everything synchronously. An async write in flight is written
   * again from its unwritten offset, because a duplicated line is better than a lost one. Throws on failure.
   */
  flushSync(): void {
    if (this.pendingBytes === 0) return
    const fd = this.fd >= 0 ? this.fd : fs.openSync(this.path, 'a', this.mode)
    if (this.inflight !== null) {
      writeAllSync(fd, this.inflight.subarray(this.inflightOffset))
      this.account(this.inflight.length - this.inflightOffset)
      this.completedWrites += this.inflightCount
      this.inflight = null // the stale async callback sees this and only moves the machine on
    }
    for (let chunk = this.queue.shift(); chunk !== null; chunk = this.queue.shift()) {
      writeAllSync(fd, chunk.buf)
      this.account(chunk.buf.length)
      this.completedWrites += chunk.count
    }
    if (fd !== this.fd) fs.closeSync(fd)
    this.resolveFlushes()
  }

  private whenReady(): Promise<void> {
    this.ready ??= new Promise((resolve) => this.once('ready', () => {
      this.ready = null
      resolve()
    }))
    return this.ready
  }

  private whenClosed(): Promise<void> {
    this.closed ??= new Promise((resolve) => this.once('close', resolve))
    return this.closed
  }

  private readonly kick = (): void => {
    this.immediate = null
    if (this.state === 'idle' && this.io === 'none') this.next()
  }

  /** The one place that decides what to do when no fs operation is outstanding. */
  private next(): void {
    switch (this.state) {
      case 'idle':
        if (this.pendingBytes === 0) return
        this.state = 'writing'
        return this.writeNext()
      case 'writing':
        if (this.pendingBytes > 0) return this.writeNext()
        this.state = 'idle'
        return void this.emit('drain')
      case 'reopening':
        return this.doReopen()
      case 'ending':
        return this.pendingBytes > 0 ? this.writeNext() : this.doClose()
      case 'opening':
      case 'closed':
        return
    }
  }

  private checkOpen(): void {
    if (this.state === 'ending' || this.state === 'closed') throw new Error(`write() after end(): ${this.path}`)
  }

  /** `bytes` of `entries` records were queued. */
  private took(bytes: number, entries: number): void {
    this.accepted += bytes
    this.acceptedWrites += entries
    // Start on the next turn of the event loop, so a burst read from sockets becomes one write(2).
    if (this.state === 'idle' && this.immediate === null) this.immediate = setImmediate(this.kick)
  }

  private writeNext(): void {
    if (this.inflight === null) {
      const chunk = this.queue.shift()
      if (chunk === null) return this.next()
      this.inflight = chunk.buf
      this.inflightOffset = 0
      this.inflightCount = chunk.count
    }
    this.io = 'write'
    this.writeCalls += 1
    const buf = this.inflight
    fs.write(this.fd, buf, this.inflightOffset, buf.length - this.inflightOffset, null, this.onWrite)
  }

  // Bound once: no closure per write.
  private readonly onWrite = (err: NodeJS.ErrnoException | null, n: number): void => {
    if (this.inflight === null) { // flushSync() already wrote it
      this.io = 'none'
      return this.next()
    }
    if (err) return this.failed(err, this.retryWrite)
    this.recovered()
    this.inflightOffset += n
    this.account(n)
    // Partial write (sonic-boom handles it the same way): the rest goes first, before anything else.
    if (this.inflightOffset < this.inflight.length) return this.writeNext()
    this.completedWrites += this.inflightCount
    this.queue.written(this.inflight)
    this.inflight = null
    this.io = 'none'
    this.resolveFlushes()
    this.emit('written', n)
    this.next()
  }

  private readonly retryWrite = (): void => {
    this.retryTimer = null
    // A reopen requested while writes fail (disk full, file replaced) is a chance to recover: the
    // unwritten rest of the chunk goes to the new file, still in order.
    if (this.state === 'reopening') this.doReopen()
    else this.writeNext()
  }

  private account(n: number): void {
    this.written += n
    this.size += n
  }

  private attemptOpen(): void {
    this.retryTimer = null
    this.io = 'open'
    openAppend(this.path, this.mode).then(this.onOpened, (err: NodeJS.ErrnoException) => this.failed(err, () => this.attemptOpen()))
  }

  private readonly onOpened = ({ fd, size, isFile }: Opened): void => {
    this.fd = fd
    this.size = size
    this.isRegularFile = isFile
    this.io = 'none'
    this.recovered()
    switch (this.state) {
      case 'opening':
      case 'reopening':
        this.state = 'idle'
        this.next()
        return void this.emit('ready')
      case 'ending':
        this.next()
        return void this.emit('ready')
      case 'idle':
      case 'writing':
      case 'closed':
        throw new Error(`BatchedWriter: open completed in state ${this.state}`)
    }
  }

  private doReopen(): void {
    this.closeFd(() => this.attemptOpen())
  }

  private doClose(): void {
    this.closeFd(() => {
      this.io = 'none'
      this.state = 'closed'
      this.emit('close')
    })
  }

  /** A close error (EIO on NFS) cannot be retried, and on Linux the fd is released anyway: ignore it. */
  private closeFd(then: () => void): void {
    const fd = this.fd
    this.fd = -1
    this.io = 'close'
    if (fd >= 0) fs.close(fd, () => then())
    else then()
  }

  /** Neither fatal nor silent (STYLE.md "Sink I/O"): report, keep the data, retry with backoff. */
  private failed(err: NodeJS.ErrnoException, retry: () => void): void {
    const changed = this.lastError === null || this.lastError.code !== err.code
    this.lastError = err
    if (changed) this.emit('error-state', err)
    if (this.abandoned) return
    this.retryTimer = setTimeout(retry, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, this.retryMaxMs)
  }

  private recovered(): void {
    this.retryMs = this.retryMinMs
    if (this.lastError === null) return
    this.lastError = null
    this.emit('recovered')
  }

  private resolveFlushes(): void {
    const waiters = this.flushWaiters
    let i = 0
    while (i < waiters.length && waiters[i]!.target <= this.written) waiters[i++]!.resolve()
    if (i > 0) waiters.splice(0, i)
  }
}
