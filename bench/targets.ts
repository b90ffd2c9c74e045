// The receivers compared side by side, each started fresh for a run, writing one file the bench then reads:
// this server (its default config, text file), the Python logging cookbook's receiver (and its published
// recv(4) form), an asyncio receiver, and the raw no-parse Node sink.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { repoRoot, startServer } from '../test/support/server.js'
import { benchDir } from './frames.js'

export type TargetName = 'server' | 'asyncio' | 'cookbook' | 'raw'
export const TARGET_NAMES: readonly TargetName[] = ['server', 'asyncio', 'cookbook', 'raw']

export const TARGET_LABELS: Record<TargetName | 'cookbook-recv4', string> = {
  server: 'this server',
  asyncio: 'asyncio receiver (readexactly, pickle.loads, Formatter, buffered writes)',
  cookbook: 'logging-cookbook receiver (ThreadingTCPServer, rfile.read, pickle.loads, FileHandler)',
  'cookbook-recv4': 'logging-cookbook receiver as published (bare recv(4))',
  raw: 'raw Node sink: bytes → file, no parsing (the I/O ceiling)',
}

export interface RunningTarget {
  pid: number
  port: number
  /** This server's status port; null for the others. */
  webPort: number | null
  /** Stops the process (this server drains at SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>
}

/** Spawns a peer that prints "listening PORT" when it accepts connections. */
export function spawnListening(command: string, args: string[], timeoutMs = 20_000): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not listen within ${timeoutMs} ms: ${err}`)), timeoutMs)
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = /listening (\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1]) })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${args[0]} exited with ${code} before listening: ${err}`))
    })
  })
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

async function peer(command: string, args: string[]): Promise<RunningTarget> {
  const { child, port } = await spawnListening(command, args)
  // The Python receivers have no orderly stop (serve_forever); what they wrote is already in the file.
  return { pid: child.pid!, port, webPort: null, stop: () => stopChild(child, 'SIGKILL') }
}

/** Starts `name` writing to `file`. `serverYaml` is added to this server's config (ports and file are set). */
export async function startTarget(name: TargetName | 'cookbook-recv4', file: string, serverYaml = ''): Promise<RunningTarget> {
  switch (name) {
    case 'server': {
      const server = await startServer(`file:\n  path: ${JSON.stringify(file)}\n${serverYaml}`, { timeoutMs: 30_000 })
      return {
        pid: server.child.pid!,
        port: server.logPort,
        webPort: server.webPort,
        async stop() {
          await server.stop('SIGTERM')
          server.cleanup()
        },
      }
    }
    case 'asyncio':
      return peer('python3', [path.join(benchDir, 'asyncio_receiver.py'), '0', file])
    case 'cookbook':
      return peer('python3', [path.join(benchDir, 'cookbook_receiver.py'), '0', file])
    case 'cookbook-recv4':
      return peer('python3', [path.join(benchDir, 'cookbook_receiver.py'), '0', file, '--recv4'])
    case 'raw':
      return peer(process.execPath, [rawSinkJs, '--file', file])
  }
}

export const rawSinkJs = path.join(repoRoot, 'dist/bench/raw-sink.js')
