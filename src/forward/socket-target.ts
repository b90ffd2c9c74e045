// The TCP connection under the tcp:// and relp:// targets: connect with a timeout, keepalive so a vanished
// receiver is noticed, writes batched while the socket takes them, and failure → the backoff of target.ts.
import net from 'node:net'
import { ForwardTarget } from './target.js'

/** A receiver that does not accept within this long counts as down. */
const CONNECT_TIMEOUT_MS = 10_000
/** Keepalive probes find a receiver that vanished without a FIN (a host that died): ~30 s + probes. */
const KEEPALIVE_MS = 30_000

export abstract class SocketTarget extends ForwardTarget {
  protected socket: net.Socket | null = null
  /** Why we closed the connection ourselves (abort()), for the down message and lastError. */
  private abortReason: string | null = null

  protected connect(): void {
    const socket = net.connect({ host: this.where.host, port: this.where.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_MS })
    this.socket = socket
    this.abortReason = null
    let failure: string | null = null
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      failure = `no connection within ${CONNECT_TIMEOUT_MS / 1000} s`
      socket.destroy()
    })
    socket.once('connect', () => {
      socket.setTimeout(0)
      this.opened(socket)
    })
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.received(chunk)
    })
    socket.on('drain', () => {
      if (this.socket === socket && this.state === 'connected') this.pump()
    })
    socket.on('error', (err) => (failure ??= err.message))
    socket.on('close', () => {
      if (this.socket !== socket) return
      this.socket = null
      this.closed()
      this.failed(this.abortReason ?? failure ?? (this.state === 'connected' ? 'the receiver closed the connection' : 'connection closed during setup'))
    })
  }

  /** Closes the connection for `reason`; the close then goes the usual way (RELP re-queues, backoff, retry). */
  protected abort(reason: string): void {
    this.abortReason = reason
    this.socket?.destroy()
  }

  /** The socket is open: TCP is connected now, RELP first opens its session. */
  protected abstract opened(socket: net.Socket): void
  /** Bytes from the receiver (RELP's replies; a syslog TCP receiver sends none). */
  protected abstract received(chunk: Buffer): void
  /** The socket closed (before failed() schedules the retry): RELP puts unacknowledged messages back. */
  protected closed(): void {}

  /** Writes queued messages, framed by `frame`, until the socket's buffer is full or `limit` says stop. */
  protected writeQueued(frame: (message: Buffer) => Buffer, limit: () => boolean = () => false): void {
    const socket = this.socket
    if (socket === null || this.state !== 'connected') return
    socket.cork()
    try {
      while (this.queue.length > 0 && !limit()) {
        const message = this.queue.shift()!
        this.sent++
        this.written(message)
        if (!socket.write(frame(message))) break
      }
    } finally {
      socket.uncork()
    }
  }

  /** A message went to the socket (RELP keeps it until acknowledged). */
  protected written(_message: Buffer): void {}

  protected shutdown(): void {
    const socket = this.socket
    this.socket = null
    socket?.destroy()
  }
}

/** Waits until `done()` or `deadline` (ms since the epoch), looking every 20 ms. */
export async function until(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}
