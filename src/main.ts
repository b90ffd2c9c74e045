#!/usr/bin/env node
// Process wiring only: arguments → config → Server; signals, crash handlers and the exit code.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseCommandLine, USAGE } from './config/args.js'
import { namedFileProblems, serviceAccount } from './config/file-access.js'
import { loadFallback } from './config/last-valid.js'
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from './config/load.js'
import { ConfigError, EXIT_CONFIG } from './errors.js'
import { Server, StartupError } from './server.js'
import { StderrDiagnostics } from './systemd/diagnostics.js'
import { listenFds, unsetListenEnv } from './systemd/listen-fds.js'
import { createNotifier } from './systemd/notify.js'
import { openFdStore } from './systemd/fd-store.js'

const EXIT_USAGE = 64

// The decode thread's own bundle, beside this file (dist/src/, bundled or not: scripts/bundle.mjs makes it).
const decodeWorkerFile = fileURLToPath(new URL('./decode-worker.cjs', import.meta.url))
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

  let loaded: LoadedConfig
  let fallback: { problem: string; source: string } | null = null
  try {
    loaded = loadConfig(args.config)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // Under systemd each problem goes to the journal at error priority, so `journalctl -p err` shows why.
    const early = new StderrDiagnostics('error')
    if ((early.toJournal || underSystemd()) && !args.checkConfig) for (const problem of err.problems) early.report('LS-CONFIG-INVALID', `invalid configuration: ${problem}`)
    else process.stderr.write(`loggingserver: [LS-CONFIG-INVALID] invalid configuration:\n${err.problems.map((p) => `  ${p}\n`).join('')}`)
    if (args.checkConfig) process.exit(1)
    // Exiting under socket activation only starts us again at the next connection, until systemd's start limit
    // fails the sockets and every client is refused: run on the last valid configuration instead.
    const last = underSystemd() ? loadFallback(process.env['STATE_DIRECTORY']?.split(':')[0] ?? null, undefined, readOrNull(args.config ?? DEFAULT_CONFIG_PATH)) : null
    if (!last?.loaded) {
      for (const problem of last?.skipped ?? []) early.report('LS-CONFIG-INVALID', `no valid configuration to fall back on: ${problem}`)
      process.exit(EXIT_CONFIG)
    }
    loaded = last.loaded
    fallback = { problem: err.problems[0] ?? 'invalid configuration', source: last.loaded.source ?? 'built-in defaults' }
    early.report('LS-CONFIG-FALLBACK', `running on the last valid configuration, ${fallback.source}: ${args.config ?? DEFAULT_CONFIG_PATH} has ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} (above)`)
  }
  const { config, source } = loaded
  if (args.checkConfig) {
    // Files the config names, as the service user will see them (the check itself usually runs as root).
    const fileProblems = source === null || loaded.text === null ? [] : namedFileProblems(config, loaded.text, source, serviceAccount())
    if (fileProblems.length > 0) {
      process.stderr.write(`loggingserver: [LS-CONFIG-INVALID] invalid configuration:\n${fileProblems.map((p) => `  ${p}\n`).join('')}`)
      process.exit(1)
    }
    return void process.stdout.write(`loggingserver: configuration OK (${source ?? 'built-in defaults'})\n`)
  }

  const diagnostics = new StderrDiagnostics(config.diagnostics.level)
  const notifier = createNotifier(process.env, diagnostics)
  // Loaded now, not at SIGTERM: during a package upgrade the addon on disk is already the new version's.
  const fdStore = openFdStore(process.env)
  const inherited = listenFds(process.env, process.pid)
  unsetListenEnv(process.env)

  let server: Server
  try {
    const configFile = fallback ? args.config ?? DEFAULT_CONFIG_PATH : source
    server = await Server.start(config, { version, configSource: configFile, diagnostics, notifier, inherited, fdStore, stateDirectory: process.env['STATE_DIRECTORY']?.split(':')[0] ?? null, configText: loaded.text, fallback, decodeWorkerFile, decodeAlways: process.env['LOGGINGSERVER_DECODE_ALWAYS'] === '1' })
  } catch (err) {
    // A certificate file that cannot be used is found only when the TLS port opens: a config error all the same.
    if (err instanceof ConfigError) {
      for (const problem of err.problems) diagnostics.report('LS-CONFIG-INVALID', `invalid configuration: ${problem}`)
      process.exit(EXIT_CONFIG)
    }
    if (!(err instanceof StartupError)) throw err
    diagnostics.report(err.code, err.message)
    process.exit(1)
  }
  const stop = (signal: string): void => void server.stop(signal).then((code) => process.exit(code))
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGHUP', () => void server.reload())
  const crash = (err: unknown): never => process.exit(server.crash(err))
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)

  // Last, once every signal handler is in place: tests and systemd take this line and READY=1 as "up".
  diagnostics.report('LS-STARTED', server.startedLine)
  notifier.ready(server.statusLine())
  server.warmUp()
}

/** Started by systemd (Type=notify): the case where exiting over a config mistake closes the ports. */
function underSystemd(): boolean {
  return Boolean(process.env['NOTIFY_SOCKET'])
}

void main()

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}
