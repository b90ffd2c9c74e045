// Runs CPython from tests: the genuine logging.handlers clients and formatting oracles.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './server.js'

export const clientPy = path.join(repoRoot, 'test/support/client.py')

/** Runs python3 synchronously; throws with its stderr on a non-zero exit. */
export function runPython(script: string, input?: string | Uint8Array, env?: NodeJS.ProcessEnv): Buffer {
  const r = spawnSync('python3', ['-c', script], { input, env: env ?? process.env, maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`python3 exited with ${r.status}: ${r.stderr?.toString() ?? ''}`)
  return r.stdout
}

export const unixUdpClientPy = path.join(repoRoot, 'test/support/unix_udp_client.py')

/** Runs a python file and resolves when it exits 0; rejects naming `what` with its stderr otherwise. */
export function runPythonFile(file: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code}: ${err}`))))
  })
}

/** Runs test/support/client.py (a real SocketHandler) and resolves when it exits 0. */
export function runClient(port: number, count: number, tag: string, extra: string[] = []): Promise<void> {
  return runPythonFile(clientPy, [String(port), String(count), tag, ...extra], `client ${tag}`)
}

/**
 * Runs test/support/unix_udp_client.py: a real SocketHandler(path, None) to `target` (a socket path), or a real
 * DatagramHandler to `target` ("host:port"). Resolves when every record was handed to the handler.
 */
export function runUnixUdpClient(mode: 'unix' | 'udp', target: string, count: number, tag: string, extra: string[] = []): Promise<void> {
  return runPythonFile(unixUdpClientPy, [mode, target, String(count), tag, ...extra], `${mode} client ${tag}`)
}

/** Runs a python script asynchronously (for clients that must run while the test does other things). */
export function runPythonAsync(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 exited with ${code}: ${err}`))))
  })
}
