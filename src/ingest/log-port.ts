// The log port as one thing with a lifecycle: its listening sockets (systemd's or our own; plain, TLS and the
// Unix socket), its connections, their flow control and the per-peer placeholder limit. It takes the `log:` section of the config
// once and again on reload, and says itself which of its keys a reload can change.
import { readFileSync } from 'node:fs'
import net from 'node:net'
import type { Config } from '../config/schema.js'
import type { Dispatcher } from '../dispatcher.js'
import type { Stats } from '../status/stats.js'
import type { Telemetry } from '../status/telemetry.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import type { BatchDecoder } from './frame-batch.js'
import { Connection, fdOf, peerAddress, type ConnectionContext, type ConnectionInput } from './connection.js'
import type { SavedConnection } from './handover-manifest.js'
import { openPeerPid, type FdStore } from '../systemd/fd-store.js'
import { adoptHandedOver, handOver } from './handover.js'
import { FlowControl } from './flow-control.js'
import { listen, type Listening } from '../systemd/listeners.js'
import { PartialFrames } from './partial-frames.js'
import { PlaceholderLimiter } from './placeholder.js'
import { PeerAllow } from '../peer-allow.js'
import { InputCounters } from './input-status.js'
import type { InputStatusJson } from '../status/io-status.js'
import { TlsHandshakes } from './tls-handshakes.js'
import { listenUnix } from './unix-socket.js'

export type LogPortConfig = Config['log']

/** One listening port by its role, as the startup line names it. */
export interface PortListening {
  role: string
  description: string
  activated: boolean
}

/** Keys of `log:` a reload applies (to connections opened afterwards); host and port need a restart. */
export const LOG_RELOADABLE = ['max_frame_bytes', 'frame_timeout_seconds', 'frame_deadline_seconds', 'max_backlog_bytes', 'max_connections', 'max_partial_bytes', 'allow', 'handover'] as const

/** File descriptors kept for the central file, its rotation, the status page and systemd's notify socket. */
export const FD_RESERVE = 256

/** After a stop, a connection is closed once its peer has been silent this long (or has closed). */
const DRAIN_QUIET_MS = 250
/** See open(). */
const READ_HIGH_WATER_MARK = 1
/** A peer that keeps connecting would hold the stop for ever: past this the port stops accepting. */
const ACCEPT_MAX_MS = 3000

/** Which listening socket a connection came in on. */
type StreamKind = 'tcp' | 'tls' | 'unix'

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
  /** The decode threads (log.decode_threads), or null. */
  batches?: BatchDecoder | null
}

export class LogPort {
  private readonly connections = new Set<Connection>()
  /** Every accepted socket until it closes, TLS ones in their handshake included: what max_connections counts. */
  private readonly open = new Set<net.Socket>()
  private accepted = 0
  private maxConnections = 0
  private allow: PeerAllow | null = null
  private handoverEnabled = true
  /** Decided once, at the stop (it may ask systemd). */
  private noHandover: string | null | undefined
  private readonly fdStore: FdStore | string
  private readonly version: string
  private readonly context: ConnectionContext
  private plain: Listening | null = null
  private secure: Listening | null = null
  /** The Unix stream socket (log.unix_socket, or systemd's "unix" fd). */
  private local: Listening | null = null
  /** The pid of a Unix socket peer (SO_PEERCRED through our addon); null without the addon. */
  private peerPid: ((fd: number) => number | null) | null = null
  /** Each listening socket's own counts, for the status page. */
  private readonly counters: Record<StreamKind, InputCounters> = { tcp: new InputCounters(), tls: new InputCounters(), unix: new InputCounters() }
  /** Sockets accepted (and admitted) on the TLS port go here for the handshake. */
  private readonly handshakes: TlsHandshakes | null

  private constructor(parts: LogPortParts, config: LogPortConfig) {
    this.fdStore = parts.fdStore ?? 'no fd store given'
    this.version = parts.version ?? 'unknown'
    this.context = { ...parts, placeholders: new PlaceholderLimiter(), partialFrames: new PartialFrames(0), maxFrameBytes: 0, frameTimeoutMs: 0, frameDeadlineMs: 0 }
    this.reconfigure(config)
    this.handshakes =
      config.tls === null ? null : new TlsHandshakes(config.tls, config.frame_timeout_seconds, parts, (socket) => this.connect(socket, 'tls'), () => this.counters.tls.rejected++)
  }

  /**
   * Listens on systemd's `log`, `tls` and `unix` sockets when inherited, else binds `config.host:port`, the TLS
   * port and the Unix socket; rejects with the bind error, or a ConfigError when a certificate file cannot be used.
   */
  static async open(parts: LogPortParts, config: LogPortConfig, inherited: Map<string, number[]> | null): Promise<LogPort> {
    const port = new LogPort(parts, config)
    // A paused socket stops reading from the kernel only once its stream holds highWaterMark bytes (16 KiB by
    // default: dozens more small reads). With 1 byte, a pause (FlowControl) stops reading at the next read, so a
    // resting connection leaves the client's frames to gather in the kernel. Reads themselves stay 64 KiB.
    const make = (kind: StreamKind) => () => net.createServer({ noDelay: true, highWaterMark: READ_HIGH_WATER_MARK }, (socket) => port.accept(socket, kind))
    // The Unix socket first: its bind changes the process's umask for a moment (unix-socket.ts), so it must come
    // before any connection is accepted, while no record (no rotation) can be making a file in the thread pool.
    try {
      port.local = await listenUnix(config.unix_socket, config.unix_socket_mode, inherited, make('unix'))
      if (port.local !== null) port.peerPid = openPeerPid()
    } catch (err) {
      throw new Error(`log.unix_socket: ${(err as Error).message}`)
    }
    try {
      // Ready before listening: systemd may hand over connections that queued while we were starting.
      if (config.port !== null || inherited?.has('log')) port.plain = await listen({ name: 'log', host: config.host, port: config.port ?? 0 }, inherited, make('tcp'))
      if (config.tls !== null) port.secure = await listen({ name: 'tls', host: config.tls.host ?? config.host, port: config.tls.port }, inherited, make('tls'))
      else if (inherited?.has('tls')) parts.diagnostics.report('LS-TLS-NOT-CONFIGURED', 'systemd passed the TLS port (loggingserver-tls.socket) but log.tls is not set: its connections wait unanswered')
    } catch (err) {
      // Closing our own Unix socket also removes its file, so the next start finds none left behind.
      for (const server of port.servers) server.close()
      throw err
    }
    // Connections the previous process left in systemd's fd store: they were open before any queued one.
    for (const { socket, saved, heldElsewhere } of adoptHandedOver(inherited, port.fdStore, parts.diagnostics)) port.adopt(socket, saved, heldElsewhere)
    return port
  }

  /** The plain ("log"), TLS ("tls") and Unix ("unix") sockets that listen, for the startup line. */
  get ports(): PortListening[] {
    const ports: PortListening[] = []
    if (this.plain !== null) ports.push({ role: 'log', description: this.plain.description, activated: this.plain.activated })
    if (this.secure !== null) ports.push({ role: 'tls', description: this.secure.description, activated: this.secure.activated })
    if (this.local !== null) ports.push({ role: 'unix', description: this.local.description, activated: this.local.activated })
    return ports
  }

  /** Each listening socket with its counts (InputStatusJson of the status page). */
  inputs(): InputStatusJson[] {
    const of = (kind: StreamKind, at: Listening | null): InputStatusJson[] => {
      if (at === null) return []
      const { records, rejected, open } = this.counters[kind]
      return [{ kind, address: at.description, records, rejected, open }]
    }
    return [...of('tcp', this.plain), ...of('tls', this.secure), ...of('unix', this.local)]
  }

  get activated(): boolean {
    return (this.plain?.activated ?? false) || (this.secure?.activated ?? false)
  }

  get servers(): readonly net.Server[] {
    return [...(this.plain?.servers ?? []), ...(this.secure?.servers ?? []), ...(this.local?.servers ?? [])]
  }

  reconfigure(config: LogPortConfig): void {
    this.context.maxFrameBytes = config.max_frame_bytes
    this.context.frameTimeoutMs = config.frame_timeout_seconds * 1000
    this.context.frameDeadlineMs = config.frame_deadline_seconds * 1000
    this.context.dispatcher.setMaxBacklogBytes(config.max_backlog_bytes)
    this.maxConnections = config.max_connections ?? defaultMaxConnections()
    this.context.partialFrames.maxBytes = config.max_partial_bytes
    this.allow = PeerAllow.from(config.allow)
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
    if (!(this.plain?.activated ?? false)) return 'the log port is not socket-activated'
    if (typeof this.fdStore === 'string') return this.fdStore
    if (this.fdStore.unitJobType() === 'stop') return 'systemctl stop: systemd closes its fd store, so the connections are drained'
    return undefined
  }

  /**
   * SIGHUP: re-reads the certificate files the running config names, for connections made afterwards. A file
   * that cannot be used is reported and the certificates in use are kept.
   */
  reloadCertificates(): void {
    this.handshakes?.reloadCertificates()
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
    if (!this.activated) {
      this.context.flow.pauseAll('accepting')
      await this.acceptQueued()
    }
    for (const server of this.servers) server.close()
    this.context.flow.resumeAll('accepting')
    // Plain connections go to systemd first (a restart must be quick), then everything else drains, all
    // within one deadline: `maxMs` from here, whatever waits inside it.
    const handed = new Set(this.handOverConnections())
    const draining = [...this.connections].filter((c) => !handed.has(c))
    const drained = draining.map((c) => c.drain(DRAIN_QUIET_MS))
    let cut = false
    const cutOff = setTimeout(() => {
      cut = true
      const still = draining.filter((c) => !c.isClosed)
      if (still.length > 0) this.context.diagnostics.report('LS-SHUTDOWN-CONNECTIONS-CUT', `closing ${still.length} log connections still sending ${maxMs} ms after the stop began`)
      for (const c of still) c.close()
    }, maxMs)
    // A TLS client may have finished its side of the handshake and sent records before ours is done: such
    // connections join the drain once secure (the handshake timeout and the cut-off bound the wait). One that
    // has not sent a byte has sent no record either: it is closed, not waited for.
    this.handshakes?.closeSilent()
    await Promise.race([this.handshakes?.settled(), new Promise((resolve) => setTimeout(resolve, maxMs).unref())])
    for (const c of this.connections) {
      if (!handed.has(c) && !draining.includes(c)) {
        draining.push(c)
        drained.push(c.drain(DRAIN_QUIET_MS))
        if (cut) c.close() // secure only after the deadline: it gets its FIN and no more time
      }
    }
    await Promise.all(drained)
    clearTimeout(cutOff)
  }

  /**
   * Under systemd, busy clients never fall quiet, so waiting for quiet would cut them off mid-stream: stop
   * reading at once and hand every plain connection to systemd's fd store with the bytes read so far (TLS
   * ones cannot be: their session lives in this process). The records already decoded are written by the stop
   * that follows. Returns the connections handed over.
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

  /** "unix:<pid>" of the process that connected, or "unix" where the addon is missing. */
  private unixPeer(socket: net.Socket): string {
    const fd = fdOf(socket)
    const pid = fd === null ? null : this.peerPid?.(fd) ?? null
    return pid === null ? 'unix' : `unix:${pid}`
  }

  /**
   * Runs in the accept callback itself, so a refused peer is closed before libuv reads a byte from it.
   * A socket from the TLS port goes to the handshake first. log.allow is about network peers: a Unix socket
   * peer has no address, and its file's mode (log.unix_socket_mode) says who may connect.
   */
  private accept(socket: net.Socket, kind: StreamKind): void {
    this.accepted++
    const { stats, diagnostics } = this.context
    const peer = kind === 'unix' ? this.unixPeer(socket) : peerAddress(socket)
    if (kind !== 'unix' && this.allow !== null && !this.allow.allows(socket.remoteAddress ?? '')) {
      this.counters[kind].rejected++
      stats.reject('NOT_ALLOWED')
      diagnostics.reportLimited('LS-NOT-ALLOWED', `log connection from ${peer} refused: not in log.allow`)
      socket.destroy()
      return
    }
    if (this.open.size >= this.maxConnections) {
      // Before a file descriptor runs out for the file, the status page or the next record: refuse it, loudly.
      this.counters[kind].rejected++
      stats.reject('CONNECTION_LIMIT')
      diagnostics.reportLimited('LS-CONNECTION-LIMIT', `log connection from ${peer} refused: ${this.open.size} open (log.max_connections)`)
      socket.destroy()
      return
    }
    this.open.add(socket)
    socket.on('close', () => this.open.delete(socket))
    if (kind === 'tls' && this.handshakes !== null) this.handshakes.start(socket)
    else this.connect(socket, kind)
  }

  /** Adopted connections come here directly: open ones are never shed, whatever max_connections says now. */
  private adopt(socket: net.Socket, resumed: SavedConnection | undefined, heldElsewhere: boolean): void {
    this.open.add(socket)
    socket.on('close', () => this.open.delete(socket))
    this.connect(socket, 'tcp', resumed, heldElsewhere)
  }

  private connect(socket: net.Socket, kind: StreamKind, resumed?: SavedConnection, heldElsewhere = false): void {
    // Unix connections drain at a stop: the hand-over manifest knows TCP endpoints only.
    const input: ConnectionInput = kind === 'unix' ? { peer: this.unixPeer(socket), counters: this.counters.unix, handOver: false } : { counters: this.counters[kind] }
    const connection = new Connection(socket, this.context, resumed, heldElsewhere, input)
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
