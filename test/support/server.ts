// Starts the real built server (dist/src/main.js) on a temp config with ports 0, and learns the bound
// ports from its startup line ([LS-STARTED]). Not a test file: Node 20 runs only the *.test.js files we list.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, stringify } from 'yaml'
import type { DiagnosticCode } from '../../src/diagnostic-codes.js'

/** The repository root, whether running from dist/test/… or elsewhere. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
/** What runs: the one-file bundle of the server (scripts/bundle.mjs), as npm start and the package run it. */
export const mainJs = path.join(repoRoot, 'dist/src/loggingserver.js')

export interface RunningServer {
  child: ChildProcess
  dir: string
  file: string
  logPort: number
  webPort: number
  /** The TLS log port when log.tls is on, else null. */
  tlsPort: number | null
  /** The UDP log port when log.udp_port is set (or systemd passed one), else null. */
  udpPort: number | null
  /** The startup line, from "[LS-STARTED]" to the first ";". */
  startedLine: string
  stderr: () => string
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  exited: Promise<number | null>
  cleanup(): void
}

/**
 * The team's hostile-frame generator: shared/'s current copy beside the checkout when there is one (new
 * cases arrive there first), else the copy vendored in test/fixtures/hostile/, so no run ever skips it.
 */
export function hostileFramesScript(): string {
  const shared = path.resolve(repoRoot, '../shared/hostile/make_frames.py')
  return existsSync(shared) ? shared : path.join(repoRoot, 'test/fixtures/hostile/make_frames.py')
}

export function tempDir(prefix = 'loggingserver-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix))
}

/** `yaml` is appended to a config that sets ports 0 and a file in a temp dir. */
/** `launcher`: a command the server runs under, e.g. systemd-socket-activate with its listeners. */
export async function startServer(yaml = '', options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; launcher?: string[] } = {}): Promise<RunningServer> {
  const dir = tempDir()
  const file = path.join(dir, 'central.log')
  const config = path.join(dir, 'loggingserver.yaml')
  writeFileSync(config, yamlWithDefaults(yaml, file))
  const argv = [...(options.launcher ?? []), process.execPath, mainJs, '--config', config]
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } })
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  child.stdout!.resume()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const started = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL') // nothing else would end it: the caller never gets a RunningServer to clean up
      reject(new Error(`server did not start within ${options.timeoutMs ?? 10000} ms:\n${err}`))
    }, options.timeoutMs ?? 10000)
    const check = (): void => {
      const m = /\[LS-STARTED\] .*? started: listening on [^;]*/.exec(err)
      if (m) {
        clearTimeout(timer)
        child.stderr!.off('data', check)
        resolve(m)
      }
    }
    child.stderr!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before starting:\n${err}`))
    })
  })
  return {
    child,
    dir,
    file,
    logPort: portOf(started[0], 'log') ?? 0,
    webPort: portOf(started[0], 'web') ?? 0,
    tlsPort: portOf(started[0], 'tls'),
    udpPort: portOf(started[0], 'udp'),
    startedLine: started[0],
    stderr: () => err,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
    cleanup() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The port of `role` in the startup line ("listening on 127.0.0.1:9020 (log), … and 127.0.0.1:9021 (web), …"). */
function portOf(startedLine: string, role: string): number | null {
  const m = new RegExp(`:(\\d+) \\(${role}\\)`).exec(startedLine)
  return m ? Number(m[1]) : null
}

/** Ports 0 and a temp file unless `extra` says otherwise; extra's own keys win. */
function yamlWithDefaults(extra: string, file: string): string {
  const given = (parse(extra) ?? {}) as Record<string, Record<string, unknown>>
  const base: Record<string, Record<string, unknown>> = {
    log: { host: '127.0.0.1', port: 0 },
    web: { host: '127.0.0.1', port: 0 },
    file: { path: file },
  }
  for (const [section, values] of Object.entries(given)) {
    base[section] = typeof values === 'object' && values !== null && !Array.isArray(values) ? { ...base[section], ...values } : values
  }
  return stringify(base)
}

/**
 * Sends raw bytes on a fresh log-port connection, half-closes, and resolves when the server has closed it:
 * with null, or with the socket error (a reset is one way for the server to close a bad peer).
 */
export function sendRaw(port: number, bytes: Buffer): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes))
    let failure: Error | null = null
    socket.on('error', (err) => (failure = err))
    socket.on('close', () => resolve(failure))
    socket.resume()
  })
}

export async function getJson(port: number, urlPath: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`)
  return { status: res.status, body: await res.json() }
}

/**
 * What the server said under a diagnostic code: the text after "[CODE] " of each such line of its stderr.
 * Tests wait for codes; the prose after them is free to change.
 */
export function reported(stderr: string, code: DiagnosticCode): string[] {
  const marker = `[${code}] `
  return stderr.split('\n').flatMap((line) => {
    const at = line.indexOf(marker)
    return at < 0 ? [] : [line.slice(at + marker.length)]
  })
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Resolves true when the server closes the connection within `ms`. */
export function closedByServer(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.resume()
  })
}
