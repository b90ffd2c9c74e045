// relp://: rsyslog's acknowledged protocol (librelp's doc/relp.html). Each message stays held until its
// `rsp` arrives; after a reconnect the unacknowledged ones are sent again, first and in order, so a record
// is lost only at the bound of the queue or at a stop, and repeated only when an acknowledgement was lost.
import type net from 'node:net'
import { encodeFrame, nextTxnr, OPEN_OFFERS, RelpProtocolError, RelpReader, responseCode, type RelpFrame } from './relp-frames.js'
import { SocketTarget, until } from './socket-target.js'

/** Messages written but not acknowledged, at most (librelp's own client window is 128). */
export const RELP_WINDOW = 1024
/** At a stop, how long the receiver has to answer our `close` (bounded by the stop's deadline too). */
const CLOSE_REPLY_MS = 2000
/** A receiver that accepts TCP but does not answer `open` (not RELP, or hung) counts as down after this. */
const OPEN_REPLY_MS = 10_000

export class RelpTarget extends SocketTarget {
  private reader = new RelpReader()
  private txnr = 0
  private openTxnr = 0
  private closeTxnr = 0
  private closeAcked = false
  private sessionOpen = false
  private readonly unacked = new Map<number, Buffer>()
  private unackedBytes = 0
  /** How many messages at the queue's front were put back after a reconnect: their next write is a re-send. */
  private againAhead = 0
  acked = 0

  protected opened(socket: net.Socket): void {
    this.reader = new RelpReader()
    this.sessionOpen = false
    this.txnr = 1
    this.openTxnr = 1
    socket.write(encodeFrame(this.openTxnr, 'open', OPEN_OFFERS))
    const timer = setTimeout(() => {
      if (this.socket !== socket || this.sessionOpen) return
      this.abort(`no answer to RELP open within ${OPEN_REPLY_MS / 1000} s`)
    }, OPEN_REPLY_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }

  protected received(chunk: Buffer): void {
    let frames: RelpFrame[]
    try {
      frames = this.reader.push(chunk)
    } catch (err) {
      if (!(err instanceof RelpProtocolError)) throw err
      this.abort(`the receiver does not speak RELP: ${err.message}`)
      return
    }
    for (const frame of frames) this.handle(frame)
    // One write for all the room the acknowledgements of this read made, not one per acknowledgement.
    if (frames.length > 0 && this.sessionOpen) this.pump()
  }

  private handle(frame: RelpFrame): void {
    if (frame.command === 'serverclose') {
      // The receiver is going away (rsyslog stopping): reconnect and re-send what it did not acknowledge.
      this.abort('the receiver closed the session (serverclose)')
      return
    }
    if (frame.command !== 'rsp') return
    const code = responseCode(frame.data)
    if (!this.sessionOpen && frame.txnr === this.openTxnr) {
      if (code !== 200) {
        this.abort(`the receiver refused the RELP session: ${frame.data.toString('utf8').slice(0, 200)}`)
        return
      }
      this.sessionOpen = true
      this.connected()
      return
    }
    if (frame.txnr === this.closeTxnr && this.closeTxnr !== 0) {
      this.closeAcked = true
      return
    }
    const message = this.unacked.get(frame.txnr)
    if (message === undefined) return
    this.unacked.delete(frame.txnr)
    this.unackedBytes -= message.length
    if (code === 200) this.acked++
    else {
      // Re-sending a message the receiver refused would loop for ever: count it as dropped, and say why.
      this.lastError = `the receiver refused a record: ${frame.data.toString('utf8').slice(0, 200)}`
      this.dropped++
    }
  }

  protected pump(): void {
    this.writeQueued(
      (message) => {
        this.txnr = nextTxnr(this.txnr)
        this.unacked.set(this.txnr, message)
        this.unackedBytes += message.length
        if (this.againAhead > 0) {
          this.againAhead--
          this.resent++
        }
        return encodeFrame(this.txnr, 'syslog', message)
      },
      () => this.unacked.size >= RELP_WINDOW,
    )
  }

  protected override closed(): void {
    this.sessionOpen = false
    const back = [...this.unacked.values()]
    this.againAhead += back.length
    this.unacked.clear()
    this.unackedBytes = 0
    this.queue.unshiftAll(back)
  }

  protected async flush(deadline: number): Promise<void> {
    await until(() => this.socket === null || (this.queue.length === 0 && this.unacked.size === 0), deadline)
    const socket = this.socket
    if (socket === null || !this.sessionOpen) return
    this.txnr = nextTxnr(this.txnr)
    this.closeTxnr = this.txnr
    socket.write(encodeFrame(this.closeTxnr, 'close', null))
    await until(() => this.closeAcked || socket.closed, Math.min(deadline, Date.now() + CLOSE_REPLY_MS))
    socket.end()
  }

  protected override heldRecords(): number {
    return this.queue.length + this.unacked.size
  }

  protected override heldBytes(): number {
    return this.queue.bytes + this.unackedBytes
  }

  protected override ackedCount(): number {
    return this.acked
  }
}
