// The log port as one thing with a lifecycle: its listening sockets (systemd's or our own), its connections,
// their flow control and the per-peer placeholder limit. It takes the `log:` section of the config once and
// again on reload, and says itself which of its keys a reload can change.
import { readFileSync } from 'node:fs'
import net from 'node:net'
import type { Config } from '../config/schema.js'
import type { Dispatcher } from '../dispatcher.js'
import type { Stats } from '../status/stats.js'
import type { Telemetry } from '../status/telemetry.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import { Connection, peerAddress, type ConnectionContext } from './connection.js'
import type { SavedConnection } from './handover-manifest.js'
import { FlowControl } from './flow-control.js'
import type { FdStore } from '../systemd/fd-store.js'
import { listen, type Listening } from '../systemd/listeners.js'
import { adoptHandedOver, handOver } from './handover.js'
import { PartialFrames } from './partial-frames.js'
import { PlaceholderLimiter } from './placeholder.js'

export type LogPortConfig = Config['log']

/** Keys of `log:` a reload applies (to connections opened afterwards); host and port need a restart. */
export const LOG_RELOADABLE = ['max_frame_bytes', 'frame_timeout_seconds', 'frame_deadline_seconds', 'max_backlog_bytes', 'max_connections', 'max_partial_bytes', 'handover'] as const

/** File descriptors kept for the central file, its rotation, the status page and systemd's notify socket. */
export const FD_RESERVE = 256

/** After a stop, a connection is closed once its peer has been silent this long (or has closed). */
const DRAIN_QUIET_MS = 250
/** A peer that keeps connecting would hold the stop for ever: past this the port stops accepting. */
const ACCEPT_MAX_MS = 3000

export interface LogPortParts {
  dispatcher: Dispatcher
  stats: Stats
  telemetry: Telemetry
  diagnostics: Diagnostics
  flow: FlowControl
  /** systemd's fd store for the hand-over at a stop, or why it cannot be used (absent: no hand-over). */
  fdStore?: FdStore | string
  /** This server's version, written into the hand-over manifest. */
  version?: string
}

export class LogPort {
  private readonly connections = new Set<Connection>()
  private accepted = 0
  private maxConnections = 0
  private handoverEnabled = true
  /** Decided once, at the stop (it may ask systemd). */
  private noHandover: string | null | undefined
  private readonly context: ConnectionContext
  private readonly fdStore: FdStore | string
  private readonly version: string
  private listening: Listening = { servers: [], description: 'not listening', activated: false }

  private constructor(parts: LogPortParts, config: LogPortConfig) {
    this.fdStore = parts.fdStore ?? 'no fd store given'
    this.version = parts.version ?? 'unknown'
    this.context = { ...parts, placeholders: new PlaceholderLimiter(), partialFrames: new PartialFrames(0), maxFrameBytes: 0, frameTimeoutMs: 0, frameDeadlineMs: 0 }
    this.reconfigure(config)
  }

  /** Listens on systemd's `log` sockets when inherited, else binds `config.host:port`; rejects with the bind error. */
  static async open(parts: LogPortParts, config: LogPortConfig, inherited: Map<string, number[]> | null): Promise<LogPort> {
    const port = new LogPort(parts, config)
    // Ready before listening: systemd may hand over connections that queued while we were starting.
    port.listening = await listen({ name: 'log', host: config.host, port: config.port }, inherited, () =>
      net.createServer({ noDelay: true }, (socket) => port.accept(socket)),
    )
    // Connections the previous process left in systemd's fd store: they were open before any queued one.
    for (const { socket, saved, heldElsewhere } of adoptHandedOver(inherited, port.fdStore, parts.diagnostics)) port.admit(socket, saved, heldElsewhere)
    return port
  }

  get description(): string {
    return this.listening.description
  }

  get activated(): boolean {
    return this.listening.activated
  }

  get servers(): readonly net.Server[] {
    return this.listening.servers
  }

  reconfigure(config: LogPortConfig): void {
    this.context.maxFrameBytes = config.max_frame_bytes
    this.context.frameTimeoutMs = config.frame_timeout_seconds * 1000
    this.context.frameDeadlineMs = config.frame_deadline_seconds * 1000
    this.context.dispatcher.setMaxBacklogBytes(config.max_backlog_bytes)
    this.maxConnections = config.max_connections ?? defaultMaxConnections()
    this.context.partialFrames.maxBytes = config.max_partial_bytes
    this.handoverEnabled = config.handover
  }

  /**
   * Why this stop drains and closes the connections rather than handing them over; null when it hands over.
   * Decided at the first call (a stop): on `systemctl stop` systemd would close the stored connections at once,
   * with what their clients had sent still unread in the kernel, while the drain reads it.
   */
  handoverUnavailable(): string | null {
    this.noHandover ??= this.whyNoHandover() ?? null
    return this.noHandover
  }

  private whyNoHandover(): string | undefined {
    if (!this.handoverEnabled) return 'log.handover is false'
    if (!this.listening.activated) return 'the log port is not socket-activated'
    if (typeof this.fdStore === 'string') return this.fdStore
    if (this.fdStore.unitJobType() === 'stop') return 'systemctl stop: systemd closes its fd store, so the connections are drained'
    return undefined
  }

  /**
   * Stops accepting, then reads what every peer already sent until it closes or falls quiet, and closes it.
   * Bound ports first take what sits in the kernel's accept queue; inherited ports leave their queue in
   * systemd's socket for the next start.
   */
  /**
   * `maxMs`: a client that never pauses would hold the stop for ever, so past this its connection is closed.
   * Records already queued in the kernel take time to read (100 clients' 2.2 MB each: about 4 s), so this is
   * most of the shutdown timeout, not a short guess.
   */
  async drain(maxMs: number): Promise<void> {
    if (!this.listening.activated) {
      this.context.flow.pauseAll('accepting')
      await this.acceptQueued()
    }
    for (const server of this.listening.servers) server.close()
    this.context.flow.resumeAll('accepting')
    const handed = new Set(this.handOverConnections())
    const draining = [...this.connections].filter((c) => !handed.has(c))
    const cutOff = setTimeout(() => {
      const still = draining.filter((c) => !c.isClosed)
      if (still.length > 0) this.context.diagnostics.report('LS-SHUTDOWN-CONNECTIONS-CUT', `closing ${still.length} log connections still sending ${maxMs} ms after the stop began`)
      for (const c of still) c.close()
    }, maxMs)
    await Promise.all(draining.map((c) => c.drain(DRAIN_QUIET_MS)))
    clearTimeout(cutOff)
  }

  /**
   * Under systemd, busy clients never fall quiet, so waiting for quiet would cut them off mid-stream: stop
   * reading at once and hand every plain connection to systemd's fd store with the bytes read so far. The
   * records already decoded are written by the stop that follows. Returns the connections handed over.
   */
  private handOverConnections(): Connection[] {
    const store = this.fdStore
    if (this.handoverUnavailable() !== null || typeof store === 'string') return []
    const candidates = [...this.connections].filter((c) => c.canHandOver)
    if (candidates.length === 0) return []
    this.context.flow.pauseAll('handover')
    const handed = handOver(candidates, store, this.version, this.context.diagnostics)
    this.context.flow.resumeAll('handover')
    return handed
  }

  /**
   * Closing a listening socket resets the connections still in its accept queue, and libuv accepts one
   * connection per loop iteration. With reading paused (the caller's `accepting`) an iteration is quick, so
   * accept until a whole I/O poll brings no new connection, for at most ACCEPT_MAX_MS (a peer that keeps
   * connecting must not hold the stop). Measured: 100 clients that had each sent 2.2 MB before SIGTERM lost
   * up to 30 % of the records while each iteration also decoded 128 KiB per connection; none now.
   */
  private async acceptQueued(): Promise<void> {
    const deadline = Date.now() + ACCEPT_MAX_MS
    for (;;) {
      const before = this.accepted
      await afterOnePoll()
      if (this.accepted === before) return
      if (Date.now() >= deadline) {
        this.context.diagnostics.report('LS-SHUTDOWN-CONNECTIONS-CUT', `still accepting new log connections ${ACCEPT_MAX_MS} ms after the stop began: any still queued are refused`)
        return
      }
    }
  }

  get connectionCount(): number {
    return this.connections.size
  }

  private accept(socket: net.Socket): void {
    this.accepted++
    if (this.connections.size >= this.maxConnections) {
      // Before a file descriptor runs out for the file, the status page or the next record: refuse it, loudly.
      this.context.stats.reject('CONNECTION_LIMIT')
      this.context.diagnostics.reportLimited('LS-CONNECTION-LIMIT', `log connection from ${peerAddress(socket)} refused: ${this.connections.size} open (log.max_connections)`)
      socket.destroy()
      return
    }
    this.admit(socket)
  }

  /** Adopted connections come here directly: open ones are never shed, whatever max_connections says now. */
  private admit(socket: net.Socket, resumed?: SavedConnection, heldElsewhere = false): void {
    const connection = new Connection(socket, this.context, resumed, heldElsewhere)
    this.connections.add(connection)
    socket.on('close', () => this.connections.delete(connection))
  }
}

/** Resolves after the event loop has been through one I/O poll phase (check → poll → check). */
function afterOnePoll(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)))
}

/** The soft open-files limit (/proc/self/limits) less FD_RESERVE; 1024 less it where that cannot be read. */
export function defaultMaxConnections(limits = readLimits()): number {
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1]
  const fds = soft === undefined ? 1024 : soft === 'unlimited' ? 1 << 20 : Number(soft)
  return Math.max(16, fds - FD_RESERVE)
}

function readLimits(): string {
  try {
    return readFileSync('/proc/self/limits', 'utf8')
  } catch {
    return ''
  }
}
