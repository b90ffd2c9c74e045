// Cold start: from spawning the process to its log port accepting a connection, and (this server) to
// READY=1 on the notify socket, as under socket activation, where the first client waits for exactly this.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { notifyListener } from '../test/support/notify.js'
import { mainJs } from '../test/support/server.js'
import { benchDir } from './frames.js'

export type ColdStartTarget = 'server' | 'asyncio' | 'cookbook'

export interface ColdStart { acceptingMs: number; readyMs: number | null }

/** A port free a moment ago (the process under test binds it; port 0 would hide when it listens). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

const connects = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.destroy()
    resolve(true)
  })
  socket.on('error', () => resolve(false))
})

/** Resolves with performance.now() of the first successful connect, trying every 2 ms for up to 30 s. */
async function firstAccept(port: number, child: ChildProcess): Promise<number> {
  const deadline = performance.now() + 30_000
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before accepting`)
    if (await connects(port)) return performance.now()
    await new Promise((r) => setTimeout(r, 2))
  }
  throw new Error('never accepted within 30 s')
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** One cold start of `target`. */
export async function coldStart(target: ColdStartTarget): Promise<ColdStart> {
  const dir = mkdtempSync(path.join(process.env['TMPDIR'] ?? '/tmp', 'bench-cold-'))
  const port = await freePort()
  const file = path.join(dir, 'out.log')
  const notify = target === 'server' ? await notifyListener(dir, 60) : null
  try {
    let args: string[]
    if (target === 'server') {
      const config = path.join(dir, 'loggingserver.yaml')
      writeFileSync(config, `log:\n  host: 127.0.0.1\n  port: ${port}\nweb:\n  host: 127.0.0.1\n  port: 0\nfile:\n  path: ${JSON.stringify(file)}\n`)
      args = [mainJs, '--config', config]
    } else {
      args = [path.join(benchDir, `${target}_receiver.py`), String(port), file]
    }
    const epoch0 = Date.now()
    const t0 = performance.now()
    const child = spawn(target === 'server' ? process.execPath : 'python3', args, {
      stdio: 'ignore',
      env: notify === null ? process.env : { ...process.env, NOTIFY_SOCKET: notify.socket },
    })
    try {
      const acceptingMs = (await firstAccept(port, child)) - t0
      let readyMs: number | null = null
      if (notify !== null) {
        const deadline = Date.now() + 30_000
        let m: RegExpExecArray | null = null
        while ((m = /^(\d+\.\d+) .*READY=1/m.exec(notify.received())) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
        if (m === null) throw new Error('no READY=1 within 30 s')
        readyMs = Number(m[1]) * 1000 - epoch0
      }
      return { acceptingMs, readyMs }
    } finally {
      await stop(child)
    }
  } finally {
    notify?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
