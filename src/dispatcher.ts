// Fans each LogRecord out to the central file, the recent ring and the stats, and turns the file's backlog
// into flow control: past the bound every socket pauses (TCP backpressure), and all resume once it drains.
import type { Socket } from 'node:net'
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

export class Dispatcher {
  private seq = 0
  private paused = false
  private readonly sockets = new Set<Socket>()

  constructor(
    private readonly file: BackloggedSink,
    private readonly observers: readonly RecordObserver[],
    private maxBacklogBytes: number,
  ) {
    file.on('drain', () => this.resume())
  }

  get lastSeq(): number {
    return this.seq
  }

  /** True while sockets are paused because the file is behind. */
  get backpressure(): boolean {
    return this.paused
  }

  accept(record: LogRecord): void {
    record.seq = ++this.seq
    for (const observer of this.observers) observer.record(record)
    this.file.write(record)
    if (!this.paused && this.file.backlogBytes > this.maxBacklogBytes) this.pause()
  }

  /** A connection joins flow control for its lifetime; it starts paused while the file is behind. */
  attach(socket: Socket): void {
    this.sockets.add(socket)
    if (this.paused) socket.pause()
  }

  detach(socket: Socket): void {
    this.sockets.delete(socket)
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
    for (const socket of this.sockets) socket.pause()
  }

  private resume(): void {
    if (!this.paused) return
    this.paused = false
    for (const socket of this.sockets) socket.resume()
  }
}
