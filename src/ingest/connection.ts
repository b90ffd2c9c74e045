// One log-port connection: bytes → frames → unpickle → LogRecord → dispatcher. A bad frame never throws past
// here. While framing holds (the record is too large, not a pickle we accept, or not a dict), the connection
// lives on: SocketHandler would otherwise lose the records it sends next without a word. The frame is counted,
// reported (rate-limited) with the peer, and a placeholder takes its place in the file. Only a stream that is
// no longer framed (zero or absurd length, truncation) is closed.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { Dispatcher } from '../dispatcher.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import { diagnosticCodeOf, FrameError, type RejectCode } from '../errors.js'
import type { Stats } from '../status/stats.js'
import type { Telemetry } from '../status/telemetry.js'
import { REST_MS, type FlowControl } from './flow-control.js'
import { Framer, type FrameSink } from './framer.js'
import { endpoint, type SavedConnection } from './handover-manifest.js'
import type { PartialFrameHolder, PartialFrames } from './partial-frames.js'
import type { PlaceholderLimiter } from './placeholder.js'
import type { InputCounters } from './input-status.js'
import { decodeFrameAt, rejection, type FrameOutcome } from './decode-frame.js'
import { readPast, refuseRecord } from './refusal.js'
import { releaseBatch } from './batch-release.js'
import { readIntoSharedBuffer } from './shared-read-buffer.js'
import { FrameBatchBuilder, ownMemory, type BatchDecoder, type FrameBatch } from './frame-batch.js'
import type { UnpickleLimits } from './unpickle.js'

/** Bytes one connection may decode before it lets the event loop go round (see yieldTurn). */
const TURN_BYTES = 128 * 1024
/** Two reads in a row shorter than this mean the client trickles: the connection rests (FlowControl.rest) before
 *  the next read. Node reads up to 64 KiB at once; a client that keeps up with us fills far more than this. One
 *  short read is not enough: a blasting client's reads end short each time we have caught up with it, and
 *  resting it then leaves us idle while its kernel buffer, already full, holds it back (one connection blasting:
 *  155k records/s with a rest after every short read, 204k without). */
const SMALL_READ_BYTES = 16 * 1024

/**
 * Whether a connection rests (FlowControl.rest) before its next read: its reads are small (SMALL_READ_BYTES,
 * twice in a row) and come closer together than a rest lasts, so the kernel gathers the next frames into one read.
 * A client slower than one frame per REST_MS gains nothing from a rest (1,000 clients at 50 records/s each:
 * every rest paused and resumed a socket for a read of one frame all the same, 10 % of the server's CPU).
 */
export function restsBeforeNextRead(shortReadsInARow: number, msSincePreviousRead: number): boolean {
  return shortReadsInARow >= 2 && msSincePreviousRead < REST_MS
}

export interface ConnectionContext {
  dispatcher: Dispatcher
  flow: FlowControl
  stats: Stats
  /** Frame sizes and the time each read takes to decode, format and dispatch. */
  telemetry: Telemetry
  diagnostics: Diagnostics
  maxFrameBytes: number
  /** A peer silent this long in the middle of a frame is closed; between frames it may idle forever. */
  frameTimeoutMs: number
  /** A frame must arrive whole within this long of its first byte, however it trickles in. */
  frameDeadlineMs: number
  /** Shared by all connections: the limit is per peer address, not per connection. */
  placeholders: PlaceholderLimiter
  /** Shared by all connections: the bound on bytes held in partial frames (log.max_partial_bytes). */
  partialFrames: PartialFrames
  unpickleLimits?: Partial<UnpickleLimits>
  /** The decode threads (log.decode_threads), which take reads the event loop cannot keep up with; null: none. */
  batches?: BatchDecoder | null
}

/** Which input a connection came through, when it is not the plain TCP default. */
export interface ConnectionInput {
  /** The client column's value; by default the peer's IP address. A Unix socket peer has none: "unix". */
  peer?: string
  /** The input's own counts (records, refusals, open connections), beside the server-wide stats. */
  counters?: InputCounters
  /** false: drained at a stop, never handed to systemd (the hand-over manifest knows TCP endpoints only). */
  handOver?: boolean
}

export class Connection implements PartialFrameHolder {
  readonly peer: string
  private readonly framer: Framer
  private readonly sink: FrameSink
  private closed = false
  private turnBytes = 0
  /** Short reads in a row (see SMALL_READ_BYTES). */
  private shortReads = 0
  /** When the previous read arrived (performance.now()). */
  private previousReadMs = -Infinity
  /** This connection asked to rest after its previous read: the gap to its next read includes the rest. */
  private rested = false
  /**
   * Not TLS: a TLS socket's chunks are its decrypted records, and CPython's SSL socket sends each frame as a
   * record of its own, so every chunk is short however much is waiting; resting on them held a blasting TLS
   * client to one record per rest (a stop then cut off a 20,000-record client still being read).
   */
  private readonly restsWhenShort: boolean
  /** When the read being framed arrived (seconds): every record of one read arrived then. */
  private readAt = 0
  /** When the frame now partly received began (Date.now()). */
  private frameStartedAt = 0
  private onClose: (() => void) | null = null
  /** Told of every read (a drain's quiet timer): reads come to receive(), not always as 'data' events. */
  private onRead: (() => void) | null = null
  /** Reads come through the shared read buffer, never through the stream (which then holds no bytes). */
  private readonly readsShared: boolean
  /** The read being framed goes to a decode thread: its frames gather here instead of being decoded. */
  private batch: FrameBatchBuilder | null = null
  private readonly counters: InputCounters | null
  private readonly handOverable: boolean

  /**
   * `resumed`: the connection comes from the previous process through systemd's fd store; its saved bytes go
   * to the framer before anything the socket brings, so the stream continues at the frame boundary.
   * `heldElsewhere`: systemd may still hold a copy of the socket (it could not be removed from the store).
   */
  constructor(readonly socket: Socket, private readonly ctx: ConnectionContext, resumed?: SavedConnection, private readonly heldElsewhere = false, input: ConnectionInput = {}) {
    this.peer = input.peer ?? peerAddress(socket)
    this.counters = input.counters ?? null
    this.handOverable = input.handOver ?? true
    this.restsWhenShort = !(socket instanceof TLSSocket)
    if (this.counters) this.counters.open++
    this.framer = new Framer(ctx.maxFrameBytes)
    const { frameBytes } = ctx.telemetry
    this.sink = {
      frame: (buf, start, end) => {
        frameBytes.observe(end - start)
        if (this.batch !== null) this.batch.frame(buf, start, end)
        else this.decode(buf, start, end)
      },
      skipped: (length) => {
        frameBytes.observe(length)
        if (this.batch !== null) this.batch.skipped(length)
        else this.undecodable('FRAME_TOO_LARGE', length, readPast(this.framer.maxFrameBytes))
      },
    }
    ctx.stats.connectionsOpen++
    ctx.stats.connectionsTotal++
    // The shared buffer before flow control: a pause then stops the reads themselves.
    const receive = (chunk: Buffer): void => this.receive(chunk)
    this.readsShared = readIntoSharedBuffer(socket, receive)
    if (!this.readsShared) socket.on('data', receive)
    ctx.flow.attach(socket)
    socket.setTimeout(ctx.frameTimeoutMs)
    socket.on('timeout', () => {
      if (this.framer.inFrame) this.fail(new FrameError('FRAME_TRUNCATED', `no data for ${ctx.frameTimeoutMs / 1000} s in the middle of a frame`))
    })
    socket.on('end', () => {
      if (this.framer.inFrame) this.fail(new FrameError('FRAME_TRUNCATED', 'connection closed in the middle of a frame'))
      else socket.end()
    })
    // ECONNRESET and friends: the peer is gone; what it delivered before is already dispatched.
    socket.on('error', (err: NodeJS.ErrnoException) => ctx.diagnostics.report('LS-LOG-CLIENT-GONE', `log connection from ${this.peer}: ${err.code ?? err.message}`))
    socket.on('close', () => this.finish())
    if (resumed) {
      if (resumed.skipLeft > 0) this.framer.resumeSkip(resumed.skipLeft, resumed.skipLength)
      if (resumed.pending.length > 0) this.receive(resumed.pending)
    }
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Resolves once the peer has closed (or the connection failed); used to drain on shutdown. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const previous = this.onClose
      this.onClose = () => {
        previous?.()
        resolve()
      }
    })
  }

  /**
   * Whether systemd's fd store can keep this connection for the next process: a plain TCP socket still open
   * both ways. A TLS session's state lives in this process, so TLS connections drain and close as before.
   */
  get canHandOver(): boolean {
    return this.handOverable && !this.closed && !(this.socket instanceof TLSSocket) && !this.socket.readableEnded && fdOf(this.socket) !== null
  }

  /** The socket's file descriptor, for the fd store (canHandOver says it has one). */
  get fd(): number {
    const fd = fdOf(this.socket)
    if (fd === null) throw new TypeError(`log connection from ${this.peer} has no file descriptor`)
    return fd
  }

  /**
   * Hand-over, with reading paused: takes what the paused stream already holds through the framer (its whole
   * frames are dispatched now, by this process), then returns the rest of the stream as this process holds it.
   * Synchronous, so nothing more can be read from the kernel before the fd is stored: those bytes travel with it.
   */
  save(): SavedConnection {
    // read() emits 'data' for each chunk it returns: receive() frames it. Not with the shared read buffer: there
    // the stream holds nothing, and read() would only start reading again.
    while (!this.readsShared && !this.closed && this.socket.read() !== null) {}
    const { socket } = this
    return { local: endpoint(socket.localAddress, socket.localPort), remote: endpoint(socket.remoteAddress, socket.remotePort), ...this.framer.snapshot() }
  }

  /** systemd holds a copy of the socket now: close ours. Closing is no FIN while another copy is open. */
  release(): void {
    this.socket.destroy()
  }

  /**
   * Ends the connection. While systemd may hold a copy of the socket, closing ours sends no FIN and the client
   * would never learn: shut it down (end) first, and close once that is done.
   */
  close(): void {
    if (!this.heldElsewhere) {
      this.socket.destroy()
      return
    }
    this.socket.pause()
    this.socket.end(() => this.socket.destroy())
  }

  /**
   * Shutdown: half-close at once (FIN; plain TCP only), then keep reading until the peer closes or has been silent for
   * `quietMs`, and close. What the peer sent before the signal is in the kernel's buffer and arrives well
   * within that. The FIN is what a client can see: one that checks for it before each send (the README's
   * BufferingSocketHandler) stops writing into this connection and resends elsewhere, instead of sending
   * records that the close would make the kernel discard.
   */
  drain(quietMs: number): Promise<void> {
    const closed = this.whenClosed()
    if (this.closed) return closed
    // Not on TLS: ending a TLS socket sends close_notify, after which what the peer still had in flight was
    // seen lost (188 of 1,000 records, once); TLS peers drain until quiet as before.
    if (!(this.socket instanceof TLSSocket)) this.socket.end()
    let timer: NodeJS.Timeout
    const arm = (): void => {
      clearTimeout(timer)
      timer = setTimeout(quietCheck, quietMs)
    }
    // A timer can expire while the event loop was busy writing, before this socket's pending bytes were
    // polled: so close only if a further I/O poll (two check phases later) brought nothing either.
    const quietCheck = (): void => {
      const before = this.socket.bytesRead
      setImmediate(() => setImmediate(() => (this.socket.bytesRead === before ? this.close() : arm())))
    }
    this.onRead = arm
    arm()
    return closed.then(() => clearTimeout(timer))
  }

  /** One read: `chunk` may be the shared read buffer (shared-read-buffer.ts), so nothing here keeps it. */
  private receive(chunk: Buffer): void {
    if (this.closed) return
    this.onRead?.()
    this.ctx.stats.bytesReceived += chunk.length
    const { framer } = this
    const wasInFrame = framer.inFrame
    const doneBefore = framer.framesDone
    const started = performance.now()
    const now = Date.now()
    this.readAt = now / 1000
    const { batches } = this.ctx
    if (batches && this.ctx.unpickleLimits === undefined && batches.wants(chunk.length)) this.batch = new FrameBatchBuilder((capacity) => batches.memory(capacity), chunk)
    try {
      framer.push(chunk, this.sink)
    } catch (err) {
      this.submitBatch() // the frames before the broken one are records all the same
      this.fail(err)
      return
    }
    if (this.batch !== null) this.submitBatch()
    else if (framer.framesDone !== doneBefore) this.ctx.telemetry.ingestSeconds.observe((performance.now() - started) / 1000)
    this.ctx.partialFrames.update(this, framer.heldBytes)
    if (this.closed) return
    if (framer.inFrame) {
      if (!wasInFrame || framer.framesDone !== doneBefore) this.frameStartedAt = now
      else if (now - this.frameStartedAt > this.ctx.frameDeadlineMs) {
        // A byte now and then resets the silence timeout for ever, holding the partial frame's memory.
        this.fail(new FrameError('FRAME_TRUNCATED', `frame not whole ${this.ctx.frameDeadlineMs / 1000} s after its first byte (log.frame_deadline_seconds)`))
        return
      }
    }
    this.turnBytes += chunk.length
    this.shortReads = chunk.length < SMALL_READ_BYTES ? this.shortReads + 1 : 0
    // After a rest, the client's pace is the time from the wake-up to this read: what it sent during the rest was
    // waiting, so a fast client is read at once and rests again; one that sent nothing meanwhile is slow.
    const sincePreviousMs = started - (this.rested ? Math.max(this.previousReadMs, this.ctx.flow.lastWakeMs) : this.previousReadMs)
    this.previousReadMs = started
    this.rested = false
    if (this.ctx.flow.spend(chunk.length) || this.turnBytes >= TURN_BYTES) this.yieldTurn()
    else if (this.restsWhenShort && restsBeforeNextRead(this.shortReads, sincePreviousMs)) {
      this.rested = true
      this.ctx.flow.rest(this.socket)
    }
  }

  /**
   * libuv reads a busy socket up to 32 times per loop iteration; with several fast clients one iteration
   * could decode megabytes while the status page and new connections wait. Pausing until the check phase
   * hands the loop round after TURN_BYTES per socket, and once all of them decoded LOOP_TURN_BYTES in one turn.
   */
  private yieldTurn(): void {
    this.turnBytes = 0
    this.ctx.flow.pause(this.socket, 'turn')
    setImmediate(() => this.ctx.flow.resume(this.socket, 'turn'))
  }

  /**
   * The read's frames go to a decode thread; its place in line is taken now, so records read after it (on any
   * connection) are dispatched after its own. Counting and placeholders happen when it is released, in order.
   */
  private submitBatch(): void {
    const builder = this.batch
    this.batch = null
    if (builder === null) return
    if (builder.entries === 0) return // no frame: no memory was taken
    const batch: FrameBatch = builder.build(this.peer, this.readAt)
    const memory = builder.memory ?? ownMemory(0) // only frames read past: nothing to hold
    const { ctx, peer, counters } = this
    // As the connection would have refused them inline: under the limit its framer read past with, at read time.
    const refusing = { maxFrameBytes: this.framer.maxFrameBytes, nowMs: this.readAt * 1000 }
    const slot = ctx.dispatcher.reserve()
    ctx.batches!.decode(batch, (outcome, finish) =>
      ctx.dispatcher.fill(slot, () => {
        releaseBatch(ctx, peer, counters, batch, memory, outcome, refusing)
        finish()
        memory.finish()
      }, batch.offsets.length / 2),
    )
  }

  /** The frame buf[start, end). */
  private decode(buf: Buffer, start: number, end: number): void {
    let outcome: FrameOutcome
    try {
      outcome = decodeFrameAt(buf, start, end, this.peer, this.readAt, this.ctx.unpickleLimits)
    } catch (err) {
      const { code, message } = rejection(err)
      this.undecodable(code, end - start, message)
      return
    }
    if ('record' in outcome) {
      this.ctx.dispatcher.accept(outcome.record)
      if (this.counters) this.counters.records++
    } else this.undecodable(outcome.code, end - start, outcome.message)
  }

  private undecodable(code: RejectCode, frameBytes: number, why: string): void {
    if (this.counters) this.counters.rejected++
    refuseRecord(this.ctx, this.peer, code, frameBytes, why, 'connection kept')
  }

  shedPartialFrame(heldBytes: number, totalBytes: number): void {
    this.fail(new FrameError('PARTIAL_LIMIT', `its partial frame held ${heldBytes} bytes when partial frames of all connections held ${totalBytes} (log.max_partial_bytes ${this.ctx.partialFrames.maxBytes}); the largest are closed first`))
  }

  private fail(err: unknown): void {
    if (this.closed) return
    const { code, message } = rejection(err)
    if (this.counters) this.counters.rejected++
    this.ctx.stats.reject(code)
    this.ctx.diagnostics.reportLimited(diagnosticCodeOf(code), `log connection from ${this.peer} closed: ${code}: ${message}`)
    this.close()
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.ctx.stats.connectionsOpen--
    if (this.counters) this.counters.open--
    this.ctx.flow.detach(this.socket)
    this.ctx.partialFrames.update(this, 0)
    this.onClose?.()
  }
}

/** net.Socket keeps its fd on the libuv handle (`_handle.fd`, Unix only, not in the typings). */
export function fdOf(socket: Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : null
}

/** The peer's IP as records show it (an IPv4 peer on a dual-stack socket without its ::ffff: prefix). */
export function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'local'
  return address.startsWith('::ffff:') ? address.slice(7) : address
}
