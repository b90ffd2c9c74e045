// The running server's lifecycle: start (file, pipeline, log port, status port), reload (re-read the config,
// each room takes what it may change in place; reopen the file), stop (drain in order, exit code) and crash.
// No process-wide side effects live here (signals, exit): main.ts wires those, tests drive this directly.
import { once } from 'node:events'
import { availableParallelism } from 'node:os'
import { loadConfig } from './config/load.js'
import { saveLastValid } from './config/last-valid.js'
import { applyReloadable, restartOnlyChanges } from './config/reload.js'
import type { Config } from './config/schema.js'
import { DecodePool } from './decode-threads/pool.js'
import { Dispatcher, type RecordRun } from './dispatcher.js'
import { ConfigError } from './errors.js'
import { getMessage } from './format/message.js'
import { FORWARD_RELOADABLE, Forwarder } from './forward/forwarder.js'
import { FlowControl } from './ingest/flow-control.js'
import type { InputStatusJson } from './status/io-status.js'
import { LOG_RELOADABLE, LogPort } from './ingest/log-port.js'
import { HttpInput } from './http-input/http-input.js'
import { UdpInput } from './ingest/udp-input.js'
import type { LogRecord } from './record.js'
import type { CentralFile } from './sinks/central-file.js'
import { createCentralFile, FILE_RELOADABLE, formatOptionsOf, reconfigureCentralFile } from './sinks/file-config.js'
import { LevelRates } from './status/level-rates.js'
import { keepRun, recentOf } from './status/recent.js'
import { Ring } from './status/ring.js'
import { Stats } from './status/stats.js'
import { Telemetry } from './status/telemetry.js'
import type { DiagnosticCode } from './diagnostic-codes.js'
import type { StderrDiagnostics } from './systemd/diagnostics.js'
import type { Notifier } from './systemd/notify.js'
import type { FdStore } from './systemd/fd-store.js'
import type { ConfigStateJson } from './web/api-contract.js'
import type { ServerView } from './web/server-view.js'
import { loadLazyGlobals, WEB_RELOADABLE, WebPort } from './web/web-port.js'

/** Every key a reload applies in place, as each room declares it; anything else waits for a restart. */
export const RELOADABLE: readonly string[] = [
  ...LOG_RELOADABLE.map((k) => `log.${k}`),
  ...FILE_RELOADABLE.map((k) => `file.${k}`),
  ...WEB_RELOADABLE.map((k) => `web.${k}`),
  ...FORWARD_RELOADABLE.map((k) => `forward.${k}`),
  'diagnostics.level',
  'shutdown_timeout_seconds',
]

/** How often systemd's STATUS= (shown by systemctl status) is refreshed: an operator reading it must not see old news. */
const STATUS_INTERVAL_MS = 1000

export interface ServerSetup {
  version: string
  /** The config file to re-read on reload; null when running on the built-in defaults. */
  configSource: string | null
  diagnostics: StderrDiagnostics
  notifier: Notifier
  /** Sockets systemd passed, by FileDescriptorName= (null when not socket-activated). */
  inherited: Map<string, number[]> | null
  /** systemd's fd store for handing log connections over at a stop, or why it cannot be used. */
  fdStore?: FdStore | string
  /** systemd's StateDirectory=: where each valid config is saved for a later start with a broken file. */
  stateDirectory?: string | null
  /** The text of the config started with, saved there once up (null: nothing to save). */
  configText?: string | null
  /** Set when the config file is invalid and `config` is the last valid one, read from `fallbackSource`. */
  fallback?: { problem: string; source: string } | null
  /** The decode thread's bundle (dist/src/decode-worker.cjs); absent: no decode threads, whatever the config says. */
  decodeWorkerFile?: string
  /** Every read to the decode threads (LOGGINGSERVER_DECODE_ALWAYS=1), not only large ones while the loop is busy. */
  decodeAlways?: boolean
}

/** A start that cannot go on (the file cannot be opened, a port cannot be bound): main exits 1 with `message`. */
export class StartupError extends Error {
  constructor(readonly code: DiagnosticCode, message: string) {
    super(message)
  }
}

export class Server {
  private stopping: Promise<number> | null = null
  private readonly statusTimer: NodeJS.Timeout
  private configState: ConfigStateJson

  private constructor(
    private config: Readonly<Config>,
    private readonly setup: ServerSetup,
    private readonly file: CentralFile,
    private readonly stats: Stats,
    private readonly dispatcher: Dispatcher,
    private readonly forwarder: Forwarder,
    private readonly batches: DecodePool | null,
    readonly log: LogPort,
    readonly udp: UdpInput | null,
    readonly web: WebPort | null,
    /** The HTTPHandler input on the status port (web.http_handler_path), or null when off. */
    readonly httpInput: HttpInput | null,
  ) {
    this.statusTimer = setInterval(() => setup.notifier.status(this.statusLine()), STATUS_INTERVAL_MS)
    this.statusTimer.unref()
    this.configState = setup.fallback
      ? { valid: false, problem: setup.fallback.problem, source: setup.fallback.source }
      : { valid: true, problem: null, source: setup.configSource }
    if (!setup.fallback && setup.configText) this.saveValid(setup.configText)
  }

  static async start(config: Readonly<Config>, setup: ServerSetup): Promise<Server> {
    const { diagnostics, inherited } = setup
    const telemetry = new Telemetry(config.web.metrics_max_clients)
    const file = createCentralFile(config.file, diagnostics, telemetry.writeLatency)
    // The writer retries a failed open for ever (right once running); at startup a clear exit is better.
    const openError = await Promise.race([file.open().then(() => null), once(file, 'error-state').then(([err]) => err as Error)])
    if (openError) {
      const hint = inherited ? ' (under systemd only LogsDirectory= is writable: add ReadWritePaths= with systemctl edit)' : ''
      throw new StartupError('LS-FILE-OPEN-FAILED', `cannot open the central file ${config.file.path}: ${openError.message}${hint}`)
    }
    const stats = new Stats()
    const levelRates = new LevelRates()
    const ring = new Ring<LogRecord>(config.web.recent_records, (r) => recentOf(r, getMessage))
    const flow = new FlowControl()
    // Targets queue from the first record on, and connect once the ports are open (a failed start leaves no sockets).
    const forwarder = new Forwarder(config.forward, diagnostics)
    const keepers = [{ record: (r: LogRecord) => ring.push(recentOf(r, getMessage)), run: (run: RecordRun, firstSeq: number) => keepRun(ring, run, firstSeq, getMessage) }, ...(forwarder.size > 0 ? [forwarder] : [])]
    const dispatcher = new Dispatcher(file, [stats, levelRates, telemetry.clients], keepers, config.log.max_backlog_bytes, flow)
    const batches = decodePool(config, setup, dispatcher, telemetry)
    const log = await listenOrFail('log', config.log, () => LogPort.open({ dispatcher, stats, telemetry, diagnostics, flow, batches, version: setup.version, ...(setup.fdStore === undefined ? {} : { fdStore: setup.fdStore }) }, config.log, inherited))
    const udp = await listenOrFail('udp', { host: config.log.host, port: config.log.udp_port }, () => UdpInput.open({ dispatcher, stats, telemetry, diagnostics }, config.log, inherited))
    // The view reads the server's config state through `holder`: the server is built only once both ports are open.
    const holder: { server: Server | null } = { server: null }
    const { http_handler_path: httpPath } = config.web
    const httpInput = config.web.enabled && httpPath !== null ? new HttpInput({ dispatcher, stats, diagnostics }, httpPath, config.log.allow) : null
    const view: ServerView = {
      version: setup.version, config, stats, telemetry, ring, levelRates, file: () => file.stats(), backpressure: () => dispatcher.backpressure,
      httpInput,
      // The status page's inputs and forward panels: the server lists every way in (inputs()); each forwarder its targets.
      inputs: [() => holder.server?.inputs() ?? []],
      forward: [() => forwarder.statuses()],
      configState: () => holder.server?.configState ?? { valid: !setup.fallback, problem: setup.fallback?.problem ?? null, source: setup.fallback?.source ?? setup.configSource },
    }
    const web = config.web.enabled ? await listenOrFail('web', config.web, () => WebPort.open(view, diagnostics, inherited)) : null
    if (httpInput && web) httpInput.address = `POST ${httpPath} on ${web.port.description}`
    const server = new Server(config, setup, file, stats, dispatcher, forwarder, batches, log, udp, web, httpInput)
    forwarder.start()
    holder.server = server
    // Tests and systemd take this line and READY=1 as "up": main logs it once its signal handlers are in place.
    return server
  }

  /** The startup line: where everything is. */
  get startedLine(): string {
    const { config, log, udp, web } = this
    const ports = [...log.ports, ...(udp ? [udp.port] : []), ...(web ? [web.port] : [])]
    const named = ports.map((p) => `${p.description} (${p.role})`)
    const listening = named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0] ?? 'nothing'
    const fromSystemd = ports.filter((p) => p.activated).map((p) => p.role)
    const origin =
      fromSystemd.length === ports.length ? 'sockets from systemd'
        : fromSystemd.length === 0 ? 'ports bound by the server'
          : `sockets from systemd for ${fromSystemd.join(', ')}, the others bound by the server`
    return (
      `loggingserver ${this.setup.version} started: listening on ${listening}, ${origin}${web ? '' : ' (status page disabled)'}` +
      `; central file ${config.file.path}; config ${this.setup.fallback ? `${this.setup.fallback.source} (${this.setup.configSource} is invalid)` : this.setup.configSource ?? 'built-in defaults'}`
    )
  }

  /** Every way in with its counts (the status page's InputStatusJson). */
  inputs(): InputStatusJson[] {
    return [...this.log.inputs(), ...(this.udp ? [this.udp.status()] : []), ...(this.httpInput ? [this.httpInput.status()] : [])]
  }

  /** Once READY=1 is out: what the first request would otherwise wait for (see loadLazyGlobals). */
  warmUp(): void {
    setImmediate(loadLazyGlobals)
  }

  /** systemd's STATUS= line. */
  statusLine(): string {
    const written = this.file.stats()
    return (
      (this.configState.valid ? '' : `running on the last valid configuration: ${this.configState.problem}; `) +
      `${this.stats.recordsReceived} records, ${this.stats.connectionsOpen} connections, ${this.stats.rate(10).toFixed(0)}/s` +
      (this.dispatcher.backpressure ? ', reading paused: file behind' : '') +
      (this.udp ? udpDropped(this.udp.kernelDrops()) : '') +
      (written.healthy ? '' : `, writing failing: ${written.lastError}`) +
      this.forwarder.statuses().filter((t) => t.state !== 'connected').map((t) => `, forwarding to ${t.url} ${t.state} (${t.queuedRecords} queued, ${t.dropped} dropped)`).join('')
    )
  }

  /** The config running now (after reloads, only the keys a reload may change differ from the start). */
  get running(): Readonly<Config> {
    return this.config
  }

  /**
   * SIGHUP: re-read the config file and hand each room its section; a file with errors is refused as a whole.
   * Then reopen the central file (logrotate's postrotate). Resolves when done; never rejects.
   */
  async reload(): Promise<void> {
    const { diagnostics, notifier, configSource } = this.setup
    notifier.reloading()
    diagnostics.report('LS-RELOAD', `SIGHUP: reopening ${this.config.file.path} and re-reading ${configSource ?? 'built-in defaults'}`)
    if (configSource !== null) {
      try {
        const fresh = loadConfig(configSource)
        this.apply(fresh.config)
        if (!this.configState.valid) diagnostics.report('LS-RELOAD', `reload: ${configSource} is valid again; restart-only keys still come from ${this.configState.source}`)
        this.configState = { valid: true, problem: null, source: configSource }
        if (fresh.text !== null) this.saveValid(fresh.text)
      } catch (err) {
        const detail = err instanceof ConfigError ? err.problems.join('; ') : (err as Error).message
        diagnostics.report('LS-RELOAD-REFUSED', `reload: keeping the running configuration: ${detail}`)
      }
    }
    this.log.reloadCertificates()
    try {
      await this.file.reopen()
    } catch (err) {
      diagnostics.report('LS-REOPEN-FAILED', `reopen of ${this.config.file.path} failed: ${(err as Error).message}`)
    }
    notifier.ready(this.statusLine())
  }

  /**
   * SIGTERM/SIGINT: stop the status page, read what the log peers already sent, write it, close the file.
   * Resolves with the exit code (0, or 1 when the file could not catch up within shutdown_timeout_seconds).
   * Calling it again (a second signal) returns the same stop.
   */
  stop(reason: string): Promise<number> {
    this.stopping ??= this.drainAndClose(reason)
    return this.stopping
  }

  /** An internal error: write what is held, synchronously; the process must exit next (code 70). */
  crash(err: unknown): number {
    this.setup.diagnostics.report('LS-INTERNAL-ERROR', `internal error, exiting: ${err instanceof Error ? err.stack : String(err)}`)
    this.threadsToFile()
    try {
      this.file.flushSync()
    } catch {
      // Exiting anyway: what could not be written is lost either way.
    }
    return 70
  }

  /** Before a last synchronous write (crash, shutdown timeout): what the decode threads hold joins the file's queue. */
  private threadsToFile(): void {
    try {
      this.batches?.finishOnLoop()
    } catch {
      // The file's own last write matters more.
    }
  }

  /** Keeps `text` as the last valid config; a failure only costs the fallback its freshness. */
  private saveValid(text: string): void {
    const dir = this.setup.stateDirectory
    if (!dir) return
    try {
      saveLastValid(dir, text)
    } catch (err) {
      this.setup.diagnostics.report('LS-CONFIG-SAVE-FAILED', `cannot save the running configuration in ${dir}: ${(err as Error).message}`)
    }
  }

  private apply(fresh: Readonly<Config>): void {
    const fixed = restartOnlyChanges(this.config, fresh, RELOADABLE)
    if (fixed.length > 0) this.setup.diagnostics.report('LS-RELOAD-NEEDS-RESTART', `reload: ${fixed.join(', ')} changed but take effect only after a restart`)
    const next = applyReloadable(this.config, fresh, RELOADABLE)
    this.config = next
    this.log.reconfigure(next.log)
    this.httpInput?.reconfigure(next.log.allow)
    this.udp?.reconfigure(next.log)
    // In line: records read before the reload, still with a decode thread or waiting behind one, keep the
    // layout they were read under; the threads format what they take from now on with the new one.
    this.dispatcher.inTurn(() => reconfigureCentralFile(this.file, next.file))
    this.batches?.setFormat(formatOptionsOf(next.file))
    this.web?.reconfigure(next)
    this.setup.diagnostics.setThreshold(next.diagnostics.level)
  }

  private async drainAndClose(reason: string): Promise<number> {
    const { diagnostics, notifier } = this.setup
    // Forward targets may use the whole timeout but its last second, which is the file's last resort.
    const forwardDeadline = Date.now() + Math.max(0, this.config.shutdown_timeout_seconds * 1000 - 1000)
    clearInterval(this.statusTimer)
    notifier.stopping()
    const handover = this.log.handoverUnavailable()
    diagnostics.report('LS-STOPPING', `${reason}: stopping; ${handover === null ? 'handing over' : 'draining'} ${this.log.connectionCount} log connections${handover === null || !this.log.activated ? '' : ` (no hand-over: ${handover})`}`)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        this.threadsToFile()
        diagnostics.report('LS-SHUTDOWN-TIMEOUT', `shutdown took over ${this.config.shutdown_timeout_seconds} s: exiting with ${this.file.stats().backlogRecords} records unwritten`)
        try {
          this.file.flushSync() // a last synchronous try; the disk that held the stop up may still refuse
        } catch (err) {
          diagnostics.report('LS-SHUTDOWN-TIMEOUT', `last write of ${this.config.file.path} failed: ${(err as Error).message}`)
        }
        this.file.abandon()
        resolve(1)
      }, this.config.shutdown_timeout_seconds * 1000)
    })
    const drained = (async () => {
      this.web?.close()
      this.dispatcher.release() // however far behind the file is, read everything the peers already sent
      this.udp?.close() // each datagram was dispatched as it came: nothing to drain
      // Leave the last third of the timeout for the file to catch up with what the drain read.
      await this.log.drain((this.config.shutdown_timeout_seconds * 1000 * 2) / 3)
      await this.dispatcher.settled() // what the decode threads still hold
      this.batches?.close()
      // What the drain read is forwarded while the file takes it: the two do not wait for each other.
      await Promise.all([this.file.end(), this.forwarder.stop(forwardDeadline)])
      diagnostics.report('LS-STOPPED', `stopped: ${this.stats.recordsReceived} records received, ${this.file.stats().recordsWritten} written`)
      return 0
    })()
    const code = await Promise.race([drained, timeout])
    clearTimeout(timer)
    return code
  }
}

/**
 * The decode threads, when the config and the pipeline allow them: JSON lines carry the dispatcher's seq, which
 * a thread cannot know, and a forward target needs every record whole (it gets no deferred records).
 */
function decodePool(config: Readonly<Config>, setup: ServerSetup, dispatcher: Dispatcher, telemetry: Telemetry): DecodePool | null {
  const wanted = config.log.decode_threads
  const threads = wanted === 'auto' ? Math.max(1, availableParallelism() - 1) : wanted
  if (threads === 0 || setup.decodeWorkerFile === undefined || config.file.style !== 'text' || !dispatcher.takesRuns) return null
  try {
    return new DecodePool({ threads, workerFile: setup.decodeWorkerFile, format: formatOptionsOf(config.file), diagnostics: setup.diagnostics, when: setup.decodeAlways ? 'always' : 'busy', counts: telemetry.decodeThreads })
  } catch (err) {
    // A package without the thread's bundle still logs every record, on the main thread.
    setup.diagnostics.report('LS-DECODE-THREAD-FAILED', `cannot load the decode thread (${(err as Error).message}): decoding on the main thread only`)
    return null
  }
}

/** For the STATUS= line: datagrams the kernel dropped before the server could read them, when there were any. */
function udpDropped(drops: number | null): string {
  return drops === null || drops === 0 ? '' : `, ${drops} UDP datagrams dropped by the kernel (receive buffer full)`
}

async function listenOrFail<T>(name: string, at: { host: string; port: number | null }, open: () => Promise<T>): Promise<T> {
  try {
    return await open()
  } catch (err) {
    if (err instanceof ConfigError) throw err // a certificate file that cannot be used: main exits 78
    const message = (err as Error).message
    // The Unix socket's own problems name its path.
    const where = at.port === null || message.startsWith('log.unix_socket') ? '' : ` on ${at.host}:${at.port}`
    throw new StartupError('LS-LISTEN-FAILED', `cannot listen${where} for the ${name} port: ${message}`)
  }
}
