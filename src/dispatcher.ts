// Fans each LogRecord out to the central file, the recent ring and the stats, and turns the file's backlog
// into backpressure: past the bound reading stops on every socket, and starts again once the file drains.
import type { LogRecord } from './record.js'

/** What the dispatcher needs of the central file. */
export interface BackloggedSink {
  write(record: LogRecord): void
  readonly backlogBytes: number
  on(event: 'drain', listener: () => void): unknown
}

export interface RecordObserver {
  record(record: LogRecord): void
}

/** Reading on every log socket (ingest's FlowControl). */
export interface ReadThrottle {
  pauseAll(reason: 'backpressure'): void
  resumeAll(reason: 'backpressure'): void
}

export class Dispatcher {
  private seq = 0
  private paused = false

  constructor(
    private readonly file: BackloggedSink,
    private readonly observers: readonly RecordObserver[],
    private maxBacklogBytes: number,
    private readonly throttle: ReadThrottle,
  ) {
    file.on('drain', () => this.resume())
  }

  /** True while reading is stopped because the file is behind. */
  get backpressure(): boolean {
    return this.paused
  }

  accept(record: LogRecord): void {
    record.seq = ++this.seq
    for (const observer of this.observers) observer.record(record)
    this.file.write(record)
    if (!this.paused && this.file.backlogBytes > this.maxBacklogBytes) this.pause()
  }

  /** SIGHUP reload of log.max_backlog_bytes. */
  setMaxBacklogBytes(bytes: number): void {
    this.maxBacklogBytes = bytes
  }

  /** Shutdown: read everything the peers already sent, however far behind the file is. */
  release(): void {
    this.maxBacklogBytes = Infinity
    this.resume()
  }

  private pause(): void {
    this.paused = true
    this.throttle.pauseAll('backpressure')
  }

  private resume(): void {
    if (!this.paused) return
    this.paused = false
    this.throttle.resumeAll('backpressure')
  }
}
