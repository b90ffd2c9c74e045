// The decode threads in the real server (LOGGINGSERVER_DECODE_ALWAYS=1 sends every read through them, however
// small): the central file must be byte for byte what the event loop alone writes for the same stream (genuine
// CPython frames, hostile ones and an oversize one dealt in), the page must show the same records; a stop in
// the middle of a blast must write every record read, once, in order; a reload of the layout during a blast
// must switch it exactly once, between two records.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeFrames, withRid } from '../../bench/frames.js'
import type { RecordJson } from '../../src/web/api-contract.js'
import { runClient, runPython } from '../support/python.js'
import { getJson, hostileFramesScript, mainJs, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

const ALWAYS = { LOGGINGSERVER_DECODE_ALWAYS: '1' }

/** Sends `bytes` on one connection in pieces of `piece` bytes (so reads end inside frames), then closes. */
function send(port: number, bytes: Buffer, piece = 50_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      for (let at = 0; at < bytes.length; at += piece) socket.write(bytes.subarray(at, at + piece))
      socket.end()
    })
    socket.on('close', () => resolve())
    socket.on('error', reject)
    socket.resume()
  })
}

async function written(server: RunningServer): Promise<number> {
  const { body } = await getJson(server.webPort, '/api/status')
  return (body as { file: { recordsWritten: number } }).file.recordsWritten
}

/** A placeholder's line, and a hostile record's without `created`, start with the server's time, not the
 *  client's: the same in both files once masked. Genuine records (rid=…) keep their time. */
function masked(text: string): string {
  return text.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}(?!.*rid=)/gm, 'TIME')
}

describe('decode threads in the server', () => {
  let genuine: Buffer[] = []
  let hostile: Buffer[] = []
  const servers: RunningServer[] = []
  const hostileDir = tempDir('loggingserver-hostile-')

  before(async () => {
    genuine = (await makeFrames(20_000)).map((f, rid) => withRid(f, rid))
    runPython(`import runpy, sys; sys.argv = ['make_frames.py', ${JSON.stringify(hostileDir)}]; runpy.run_path(${JSON.stringify(hostileFramesScript())}, run_name='__main__')`)
    hostile = readdirSync(hostileDir).filter((f) => f.endsWith('.frame')).sort().map((f) => readFileSync(path.join(hostileDir, f)))
      .filter((f) => f.length >= 5 && f.length <= 200_000 && f.readUInt32BE(0) === f.length - 4)
  })
  after(() => {
    for (const s of servers) s.cleanup()
    rmSync(hostileDir, { recursive: true, force: true })
  })

  it('write the same file, and show the same records on the page, as the event loop alone', { timeout: 120_000 }, async () => {
    // Hostile frames every 500 records, and a frame over log.max_frame_bytes (read past) every 5,000.
    const oversize = Buffer.alloc(4 + 300_000, 0x20)
    oversize.writeUInt32BE(300_000, 0)
    const stream: Buffer[] = []
    genuine.forEach((f, i) => {
      stream.push(f)
      if (i % 500 === 250) stream.push(hostile[(i / 500) % hostile.length | 0]!)
      if (i % 5000 === 2500) stream.push(oversize)
    })
    const bytes = Buffer.concat(stream)
    const loop = await startServer('log: { max_frame_bytes: 262144, decode_threads: 0 }')
    const threads = await startServer('log: { max_frame_bytes: 262144, decode_threads: 2 }', { env: ALWAYS })
    servers.push(loop, threads)
    await Promise.all([send(loop.logPort, bytes), send(threads.logPort, bytes)])
    for (const s of [loop, threads]) await waitFor(async () => (await written(s)) >= genuine.length, 60_000, 'every record written')
    const metrics = await (await fetch(`http://127.0.0.1:${threads.webPort}/metrics`)).text()
    const sample = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1])
    assert.equal(sample('loggingserver_decode_threads'), 2)
    assert.ok(sample('loggingserver_decode_thread_reads_total') > 10, metrics)
    // Every record but those of reads decoded before the threads were up (the first reads, on the loop).
    assert.ok(sample('loggingserver_decode_thread_records_total') > genuine.length * 0.9, metrics)
    const pages = await Promise.all([loop, threads].map(async (s) => ((await getJson(s.webPort, '/api/records?limit=300')).body as { records: RecordJson[] }).records))
    for (const s of [loop, threads]) assert.equal(await s.stop(), 0)
    const [a, b] = [loop, threads].map((s) => readFileSync(s.file, 'utf8'))
    assert.ok(a!.split('\n').length > genuine.length, 'every record and the placeholders')
    assert.match(a!, / loggingserver /, 'placeholders for the refused frames')
    const [la, lb] = [masked(a!).split('\n'), masked(b!).split('\n')]
    const first = la.findIndex((line, i) => line !== lb[i])
    assert.equal(first, -1, `first difference at line ${first + 1}:\n  loop:    ${la[first]}\n  threads: ${lb[first]}`)
    assert.equal(lb.length, la.length)
    // `received` is each server's own clock; everything else the page shows is the same.
    const shown = (records: RecordJson[]) => records.map(({ received: _received, time: _time, ...rest }) => rest)
    assert.equal(pages[1]!.length, 300)
    assert.deepEqual(shown(pages[1]!), shown(pages[0]!))
    assert.match(threads.stderr(), /\[LS-STOPPED\] stopped: (\d+) records received, \1 written/)
  })

  it('start for a blast, not for SocketHandler clients that keep up (default config)', { timeout: 120_000 }, async () => {
    const server = await startServer()
    servers.push(server)
    const sample = async (name: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${server.webPort}/metrics`)).text()
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    }
    // About 400 records/s each: the loop idles between reads.
    await Promise.all([0, 1].map((c) => runClient(server.logPort, 1000, `steady${c}`, ['--pause-every', '20', '--pause', '0.05'])))
    await waitFor(async () => (await written(server)) >= 2000, 30_000, 'the clients written')
    assert.equal(await sample('loggingserver_decode_threads'), 0, 'no thread for clients the loop keeps up with')
    assert.equal(await sample('loggingserver_decode_thread_reads_total'), 0)
    // 200,000 records as fast as the socket takes them: the loop is busy and reads are full.
    const blast = Buffer.concat(Array.from({ length: 10 }, () => genuine).flat())
    await send(server.logPort, blast, 1 << 20)
    await waitFor(async () => (await written(server)) >= 2000 + 10 * genuine.length, 60_000, 'the blast written')
    assert.ok((await sample('loggingserver_decode_threads')) >= 1)
    assert.ok((await sample('loggingserver_decode_thread_records_total')) > 0)
  })

  it('write every record read before a stop in the middle of a blast, once and in order per connection', { timeout: 120_000 }, async () => {
    const server = await startServer('log: { decode_threads: 2 }', { env: ALWAYS })
    servers.push(server)
    const connections = 4
    const per = genuine.length / connections
    const sending = Array.from({ length: connections }, (_, c) => send(server.logPort, Buffer.concat(genuine.slice(c * per, (c + 1) * per)), 16_384).catch(() => {}))
    await waitFor(async () => (await written(server)) > genuine.length / 4, 60_000, 'a quarter written')
    assert.equal(await server.stop(), 0)
    await Promise.all(sending)
    const rids = [...readFileSync(server.file, 'utf8').matchAll(/rid=(\d{9})/g)].map((m) => Number(m[1]))
    const stopped = /\[LS-STOPPED\] stopped: (\d+) records received, (\d+) written/.exec(server.stderr())
    assert.ok(stopped, server.stderr())
    assert.equal(stopped[1], stopped[2])
    assert.equal(rids.length, Number(stopped[2]), 'the file holds exactly the records counted')
    for (let c = 0; c < connections; c++) {
      const mine = rids.filter((rid) => Math.floor(rid / per) === c)
      assert.deepEqual(mine, Array.from({ length: mine.length }, (_, i) => c * per + i), `connection ${c}: a prefix of what it sent, in order, once`)
    }
  })

  it('switch to a reloaded layout once, between two records, during a blast', { timeout: 120_000 }, async () => {
    const dir = tempDir()
    const file = path.join(dir, 'central.log')
    const configPath = path.join(dir, 'c.yaml')
    const yaml = (format: string) => `log: { host: 127.0.0.1, port: 0, decode_threads: 2 }\nweb: { host: 127.0.0.1, port: 0 }\nfile: { path: ${JSON.stringify(file)}, format: ${JSON.stringify(format)} }\n`
    writeFileSync(configPath, yaml('OLD %(levelname)s %(message)s'))
    // startServer writes a config of its own; this case rewrites its config, so it starts the process itself.
    const child = spawn(process.execPath, [mainJs, '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...ALWAYS } })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const layouts = (): string[] => {
      try {
        return readFileSync(file, 'utf8').split('\n').filter((l) => /^(OLD|NEW) /.test(l)).map((l) => l.slice(0, 3))
      } catch {
        return []
      }
    }
    try {
      await waitFor(() => /started: listening/.test(err), 10_000, 'started')
      const port = Number(/:(\d+) \(log\)/.exec(err)![1])
      // One connection, its second half sent once the reload is in: a blast of 20,000 records is written in tens
      // of milliseconds, before a SIGHUP sent at the sight of its first 2,000 lines could land in its middle.
      const socket = net.connect(port, '127.0.0.1')
      const closed = new Promise<void>((resolve, reject) => socket.on('close', () => resolve()).on('error', reject))
      socket.resume()
      const half = Math.floor(genuine.length / 2)
      for (const frame of genuine.slice(0, half)) socket.write(frame)
      await waitFor(() => layouts().length > 2000, 30_000, 'a first part written')
      writeFileSync(configPath, yaml('NEW %(levelname)s %(message)s'))
      child.kill('SIGHUP')
      await waitFor(() => /\[LS-RELOAD\]/.test(err), 10_000, 'the reload')
      for (const frame of genuine.slice(half)) socket.write(frame)
      socket.end()
      await closed
      await waitFor(() => layouts().length >= genuine.length, 60_000, 'all written')
      const kinds = layouts()
      const switches = kinds.filter((k, i) => i > 0 && k !== kinds[i - 1])
      assert.equal(kinds.length, genuine.length)
      assert.deepEqual(switches, ['NEW'], 'old layout, then the new one, never mixed')
      assert.equal(kinds[0], 'OLD')
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
