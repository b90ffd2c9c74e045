#!/usr/bin/env node
// Wiring only: arguments → config → central file → pipeline → listeners → web → ready; signals and shutdown.
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { parseCommandLine, USAGE } from './config/args.js'
import { loadConfig } from './config/load.js'
import { applyReloadable, restartOnlyChanges } from './config/reload.js'
import type { Config } from './config/schema.js'
import { Dispatcher } from './dispatcher.js'
import { ConfigError, EXIT_CONFIG } from './errors.js'
import { createFormatter, type FormatOptions } from './format/formatter.js'
import { getMessage } from './format/message.js'
import { Connection } from './ingest/connection.js'
import { FlowControl } from './ingest/flow-control.js'
import { addressOf, listen } from './ingest/listeners.js'
import { PlaceholderLimiter } from './ingest/placeholder.js'
import type { LogRecord } from './record.js'
import { CentralFile } from './sinks/central-file.js'
import { toRecent } from './status/recent.js'
import { Ring } from './status/ring.js'
import { Stats } from './status/stats.js'
import { StderrDiagnostics } from './systemd/diagnostics.js'
import { listenFds, unsetListenEnv } from './systemd/listen-fds.js'
import { createNotifier } from './systemd/notify.js'
import { createApp } from './web/app.js'
import type { ServerView } from './web/server-view.js'

const EXIT_USAGE = 64
/** After SIGTERM a connection is closed once its peer has been silent this long (or has closed). */
const DRAIN_QUIET_MS = 250
const DRAIN_MAX_MS = 3000
/** How often systemd's STATUS= (shown by systemctl status) is refreshed. */
const STATUS_INTERVAL_MS = 5000

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

async function main(): Promise<void> {
  let args
  try {
    args = parseCommandLine(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`loggingserver: ${(err as Error).message}\n${USAGE}`)
    process.exit(EXIT_USAGE)
  }
  if (args.help) return void process.stdout.write(USAGE)
  if (args.version) return void process.stdout.write(`loggingserver ${version}\n`)

  let loaded
  try {
    loaded = loadConfig(args.config)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // Under systemd each problem goes to the journal at error priority, so `journalctl -p err` shows why.
    const early = new StderrDiagnostics('error')
    if (early.toJournal && !args.checkConfig) for (const problem of err.problems) early.report('LS-CONFIG-INVALID', `invalid configuration: ${problem}`)
    else process.stderr.write(`loggingserver: [LS-CONFIG-INVALID] invalid configuration:\n${err.problems.map((p) => `  ${p}\n`).join('')}`)
    process.exit(args.checkConfig ? 1 : EXIT_CONFIG)
  }
  let { config } = loaded
  const { source } = loaded
  const configName = source ?? 'built-in defaults'
  if (args.checkConfig) return void process.stdout.write(`loggingserver: configuration OK (${configName})\n`)

  const diagnostics = new StderrDiagnostics(config.diagnostics.level)
  const notifier = createNotifier(process.env, diagnostics)
  const inherited = listenFds(process.env, process.pid)
  unsetListenEnv(process.env)

  const file = new CentralFile({
    path: config.file.path,
    format: createFormatter(formatOptions(config)),
    rotation: {
      maxBytes: config.file.max_bytes,
      backupCount: config.file.backup_count,
      when: config.file.when,
      interval: config.file.interval,
      utc: config.file.utc,
      compress: config.file.compress,
    },
    diagnostics,
  })
  // The writer retries a failed open for ever (right once running); at startup a clear exit is better.
  const openError = await Promise.race([file.open().then(() => null), once(file, 'error-state').then(([err]) => err as Error)])
  if (openError) {
    diagnostics.report('LS-FILE-OPEN-FAILED', `cannot open the central file ${config.file.path}: ${openError.message}` +
      (inherited ? ' (under systemd only LogsDirectory= is writable: add ReadWritePaths= with systemctl edit)' : ''))
    process.exit(1)
  }

  const stats = new Stats()
  const ring = new Ring<LogRecord>(config.web.recent_records)
  const flow = new FlowControl()
  const dispatcher = new Dispatcher(file, [stats, { record: (r) => ring.push(toRecent(r, getMessage(r))) }], config.log.max_backlog_bytes, flow)
  const connections = new Set<Connection>()
  const connectionContext = {
    dispatcher,
    flow,
    stats,
    diagnostics,
    maxFrameBytes: config.log.max_frame_bytes,
    frameTimeoutMs: config.log.frame_timeout_seconds * 1000,
    placeholders: new PlaceholderLimiter(),
  }

  const log = await listenOrExit(diagnostics, { name: 'log', host: config.log.host, port: config.log.port }, inherited, () =>
    net.createServer({ noDelay: true }, (socket) => {
      const connection = new Connection(socket, connectionContext)
      connections.add(connection)
      socket.on('close', () => connections.delete(connection))
    }),
  )
  const view: ServerView = { version, config, stats, ring, file: () => file.stats(), backpressure: () => dispatcher.backpressure }
  // Rebuilt on SIGHUP so web.* settings (auth, CSS file, datefmt) apply; open SSE streams finish on the old one.
  let handleRequest = createApp(view, diagnostics).callback()
  const web = config.web.enabled
    ? await listenOrExit(diagnostics, { name: 'web', host: config.web.host, port: config.web.port }, inherited, () => http.createServer((req, res) => handleRequest(req, res)))
    : null

  const statusLine = (): string => {
    const written = file.stats()
    return (
      `${stats.recordsReceived} records, ${stats.connectionsOpen} connections, ${stats.rate(10).toFixed(0)}/s` +
      (dispatcher.backpressure ? ', reading paused: file behind' : '') +
      (written.healthy ? '' : `, writing failing: ${written.lastError}`)
    )
  }

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    const deadline = setTimeout(() => {
      diagnostics.report('LS-SHUTDOWN-TIMEOUT', `shutdown took over ${config.shutdown_timeout_seconds} s: exiting with ${file.stats().backlogRecords} records unwritten`)
      file.flushSync()
      process.exit(1)
    }, config.shutdown_timeout_seconds * 1000)
    deadline.unref()
    notifier.stopping()
    diagnostics.report('LS-STOPPING', `${signal}: stopping; draining ${connections.size} log connections`)
    // Bound ports: accept what already sits in the kernel's accept queue, then close. Inherited ports
    // keep their queue in systemd's socket for the next start, so stop accepting at once.
    if (!log.activated) await new Promise((resolve) => setTimeout(resolve, 50))
    for (const server of log.servers) server.close()
    for (const server of web?.servers ?? []) {
      server.close()
      ;(server as http.Server).closeAllConnections()
    }
    dispatcher.release()
    // A client that never pauses would hold the stop for ever: after DRAIN_MAX_MS its connection is closed.
    const draining = [...connections]
    const cutOff = setTimeout(() => {
      const still = draining.filter((c) => !c.isClosed)
      if (still.length > 0) diagnostics.report('LS-SHUTDOWN-CONNECTIONS-CUT', `closing ${still.length} log connections still sending ${DRAIN_MAX_MS} ms after ${signal}`)
      for (const c of still) c.socket.destroy()
    }, DRAIN_MAX_MS)
    await Promise.all(draining.map((c) => c.drain(DRAIN_QUIET_MS)))
    clearTimeout(cutOff)
    await file.end()
    diagnostics.report('LS-STOPPED', `stopped: ${stats.recordsReceived} records received, ${file.stats().recordsWritten} written`)
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
  // SIGHUP (systemctl reload): reopen the file for logrotate, and apply what the config may change in place.
  process.on('SIGHUP', () => {
    notifier.reloading()
    diagnostics.report('LS-RELOAD', `SIGHUP: reopening ${config.file.path} and re-reading ${configName}`)
    if (source !== null) {
      try {
        const fresh = loadConfig(source).config
        const fixed = restartOnlyChanges(config, fresh)
        if (fixed.length > 0) diagnostics.report('LS-RELOAD-NEEDS-RESTART', `reload: ${fixed.join(', ')} changed but take effect only after a restart`)
        config = applyReloadable(config, fresh)
        view.config = config
        handleRequest = createApp(view, diagnostics).callback()
        file.setFormat(createFormatter(formatOptions(config)))
        diagnostics.setThreshold(config.diagnostics.level)
        dispatcher.setMaxBacklogBytes(config.log.max_backlog_bytes)
        connectionContext.maxFrameBytes = config.log.max_frame_bytes
        connectionContext.frameTimeoutMs = config.log.frame_timeout_seconds * 1000
      } catch (err) {
        const detail = err instanceof ConfigError ? err.problems.join('; ') : (err as Error).message
        diagnostics.report('LS-RELOAD-REFUSED', `reload: keeping the running configuration: ${detail}`)
      }
    }
    file
      .reopen()
      .catch((err: Error) => diagnostics.report('LS-REOPEN-FAILED', `reopen of ${config.file.path} failed: ${err.message}`))
      .finally(() => notifier.ready(statusLine()))
  })
  const crash = (err: unknown): void => {
    diagnostics.report('LS-INTERNAL-ERROR', `internal error, exiting: ${err instanceof Error ? err.stack : String(err)}`)
    try {
      file.flushSync()
    } finally {
      process.exit(70)
    }
  }
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)

  // Last, once every signal handler is in place: tests and systemd take this line and READY=1 as "up".
  diagnostics.report(
    'LS-STARTED',
    `loggingserver ${version} started: log port ${log.description}; status page ${web ? web.servers.map((s) => `http://${addressOf(s)}/`).join(', ') : 'disabled'}` +
      `; central file ${config.file.path}; config ${configName}; ${log.activated ? 'socket-activated' : 'ports bound by the server'}`,
  )
  notifier.ready(statusLine())
  setInterval(() => notifier.status(statusLine()), STATUS_INTERVAL_MS).unref()
}

function formatOptions(config: Readonly<Config>): FormatOptions {
  return { style: config.file.style, format: config.file.format, datefmt: config.file.datefmt, utc: config.file.utc, escape: config.file.escape }
}

async function listenOrExit(
  diagnostics: StderrDiagnostics,
  spec: { name: string; host: string; port: number },
  inherited: Map<string, number[]> | null,
  make: () => net.Server,
): ReturnType<typeof listen> {
  try {
    return await listen(spec, inherited, make)
  } catch (err) {
    diagnostics.report('LS-LISTEN-FAILED', `cannot listen on ${spec.host}:${spec.port} for the ${spec.name} port: ${(err as Error).message}`)
    process.exit(1)
  }
}

void main()
