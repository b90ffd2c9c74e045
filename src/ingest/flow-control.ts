// The one owner of reading on the log sockets. Each reason to stop reading is named; a socket reads again only
// when no reason remains, so two pausers (the file falling behind, a connection handing the event loop round)
// can never resume each other's pause. Reasons for every socket (backpressure) and for one (turn) combine.

/** How long a connection whose reads are small rests before reading again (see rest()). 4 ms, not 1: 7 % less
 *  server CPU per record with 4 real SocketHandler clients, measured A/B, for at most 4 ms more on a trickling
 *  client's records; a blasting client is not rested (connection.ts), so its rate is unchanged. */
export const REST_MS = 4

/** Bytes all connections together may decode in one turn of the event loop. Every ready socket is read in the
 *  same poll phase, so with 32 busy clients a per-connection limit alone let one turn decode megabytes while
 *  /api/records waited (p99 386 ms). */
export const LOOP_TURN_BYTES = 256 * 1024

/** Why reading stops. `backpressure`: the central file is behind (every socket). `turn`: a busy connection
 *  lets the event loop go round before reading more (that socket). `accepting`: a stop takes the connections
 *  still queued in the kernel first, and libuv accepts one per loop iteration, so iterations must be quick.
 *  `handover`: a stop under systemd takes each connection's buffered bytes and stores its fd; nothing more
 *  may be read meanwhile. `rest`: a connection trickles (two small reads in a row, less than REST_MS apart), so it rests REST_MS and the
 *  kernel gathers what its client sends meanwhile into one read (see rest()). */
export type PauseReason = 'backpressure' | 'turn' | 'accepting' | 'handover' | 'rest'

/** What flow control needs of a socket (net.Socket has both). */
export interface Pausable {
  pause(): unknown
  resume(): unknown
}

export class FlowControl {
  private readonly everyone = new Set<PauseReason>()
  private readonly own = new Map<Pausable, Set<PauseReason>>()
  /** Sockets resting now: one timer wakes them all, so resting costs no timer per read. */
  private readonly resting = new Set<Pausable>()
  private restTimer: NodeJS.Timeout | null = null
  /** When the resting connections last woke (performance.now()). */
  private wokeAtMs = -Infinity
  /** Bytes decoded in this turn of the event loop (set back at its check phase). */
  private loopSpent = 0

  /** A socket joins for its lifetime; it starts paused if a reason for every socket holds. */
  attach(socket: Pausable): void {
    this.own.set(socket, new Set())
    if (this.everyone.size > 0) socket.pause()
  }

  detach(socket: Pausable): void {
    this.own.delete(socket)
    this.resting.delete(socket)
  }

  /**
   * A genuine SocketHandler writes one small frame per send, so a connection read as it arrives costs a
   * wake-up, a read and a Buffer per record: about half the server's CPU, measured. Resting a connection whose
   * reads are small (connection.ts decides) lets the kernel gather the next frames into one read; a record waits
   * at most REST_MS more. The connections resting now wake together at the end of it.
   */
  rest(socket: Pausable): void {
    if (this.resting.has(socket) || !this.own.has(socket)) return
    this.resting.add(socket)
    this.pause(socket, 'rest')
    this.restTimer ??= setTimeout(() => this.wake(), REST_MS)
  }

  /**
   * Counts a read's bytes against this turn of the event loop; true once the turn's budget (LOOP_TURN_BYTES)
   * is spent: the caller then pauses for `turn` like a connection past its own limit.
   */
  spend(bytes: number): boolean {
    if (this.loopSpent === 0) setImmediate(() => (this.loopSpent = 0))
    this.loopSpent += bytes
    return this.loopSpent >= LOOP_TURN_BYTES
  }

  /** When the connections resting last woke (performance.now()); -Infinity before the first rest ended. */
  get lastWakeMs(): number {
    return this.wokeAtMs
  }

  private wake(): void {
    this.restTimer = null
    this.wokeAtMs = performance.now()
    const rested = [...this.resting]
    this.resting.clear()
    for (const socket of rested) this.resume(socket, 'rest')
  }

  /** True while `reason` holds for every socket. */
  holds(reason: PauseReason): boolean {
    return this.everyone.has(reason)
  }

  pause(socket: Pausable, reason: PauseReason): void {
    const reasons = this.own.get(socket)
    if (reasons === undefined || reasons.has(reason)) return
    const wasReading = this.reading(reasons)
    reasons.add(reason)
    if (wasReading) socket.pause()
  }

  resume(socket: Pausable, reason: PauseReason): void {
    const reasons = this.own.get(socket)
    if (reasons === undefined || !reasons.delete(reason)) return
    if (this.reading(reasons)) socket.resume()
  }

  pauseAll(reason: PauseReason): void {
    if (this.everyone.has(reason)) return
    const before = this.everyone.size
    this.everyone.add(reason)
    if (before === 0) for (const [socket, reasons] of this.own) if (reasons.size === 0) socket.pause()
  }

  resumeAll(reason: PauseReason): void {
    if (!this.everyone.delete(reason) || this.everyone.size > 0) return
    for (const [socket, reasons] of this.own) if (reasons.size === 0) socket.resume()
  }

  private reading(own: Set<PauseReason>): boolean {
    return own.size === 0 && this.everyone.size === 0
  }
}
