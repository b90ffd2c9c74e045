// log.max_partial_bytes: half-sent frames of many connections together are bounded; past the bound the
// connections holding the largest partial frames close first, while a normal client's records all land.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { runClient, runPythonAsync } from '../support/python.js'
import { getJson, reported, startServer, waitFor, type RunningServer } from '../support/server.js'

const MiB = 1024 * 1024

const closedByServer = new WeakSet<net.Socket>()

/** Declares a 1 MiB frame and sends `bytes` of it; resolves with the socket once it is written. */
function halfFrame(port: number, bytes: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.resume()
      socket.on('end', () => closedByServer.add(socket))
      socket.on('close', () => closedByServer.add(socket))
      const header = Buffer.alloc(4)
      header.writeUInt32BE(MiB)
      socket.write(Buffer.concat([header, Buffer.alloc(bytes, 0x80)]), () => resolve(socket))
    })
    socket.on('error', () => {})
    socket.once('error', reject)
  })
}

describe('log.max_partial_bytes', () => {
  let server: RunningServer
  const sockets: net.Socket[] = []
  after(() => {
    for (const s of sockets) s.destroy()
    return server?.cleanup()
  })

  it('closes the largest partial frames first and keeps the rest and normal clients', async () => {
    server = await startServer('log: {max_partial_bytes: 4194304, max_frame_bytes: 1048576, frame_timeout_seconds: 60}')
    // Six small partial frames (4 KiB buffers each), then large ones: 900 KiB of a 1 MiB frame holds a 1 MiB
    // buffer, so the fourth large one crosses 4 MiB and the largest must go, never the small ones.
    const small = await Promise.all(Array.from({ length: 6 }, () => halfFrame(server.logPort, 1000)))
    sockets.push(...small)
    await new Promise((r) => setTimeout(r, 200))
    const large: net.Socket[] = []
    for (let i = 0; i < 6; i++) {
      large.push(await halfFrame(server.logPort, 900 * 1024))
      await new Promise((r) => setTimeout(r, 100))
    }
    sockets.push(...large)
    await runClient(server.logPort, 300, 'normal')
    const rejected = async (): Promise<Record<string, number>> => ((await getJson(server.webPort, '/api/status')).body as { rejected: Record<string, number> }).rejected
    await waitFor(async () => large.filter((s) => closedByServer.has(s)).length >= 3, 5000, 'three large partial frames closed')
    assert.equal((await rejected())['partial_limit'], 3, 'with 6 × 64 KiB + 3 × 1 MiB held, 3 of the 6 large ones had to go')
    assert.ok(small.every((s) => !closedByServer.has(s)), 'the small partial frames are kept')
    assert.equal(large.filter((s) => closedByServer.has(s)).length, 3)
    const lines = reported(server.stderr(), 'LS-PARTIAL-LIMIT')
    assert.ok(lines.length >= 1 && lines[0]!.includes('127.0.0.1') && lines[0]!.includes('log.max_partial_bytes'), lines.join('\n'))
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let i = 0; i < 300; i++) assert.ok(text.includes(` normal ${i}\n`), `record ${i} missing`)
  })

  it('costs an attacker the bytes it sends: 5-byte frame starts cannot push out a genuine large record', async () => {
    const small = await startServer('log: {max_partial_bytes: 2000000, max_frame_bytes: 1048576}')
    try {
      // Each declares 1 MiB and sends 1 byte of it. When the first buffer was a fixed 64 KiB, 30 of these held
      // 1.9 MB and the genuine client in the middle of a 300 KB record was the largest holder, so it was closed.
      const starts = await Promise.all(Array.from({ length: 30 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(small.logPort, '127.0.0.1', () => {
          const b = Buffer.alloc(5)
          b.writeUInt32BE(MiB)
          s.write(b, () => resolve(s))
        })
        s.on('error', () => {})
      })))
      sockets.push(...starts)
      await runPythonAsync(`
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
failed = []
h.handleError = lambda r: failed.append(r)
log = logging.getLogger('big'); log.propagate = False; log.addHandler(h)
log.warning('BIGREC ' + 'x' * 300000)
log.warning('SMALLREC')
h.close()
sys.exit(len(failed))
`, [String(small.logPort)])
      assert.equal(await small.stop(), 0)
      const text = readFileSync(small.file, 'utf8')
      assert.ok(text.includes('BIGREC xxx'), 'the 300 KB record was lost')
      assert.ok(text.includes(' SMALLREC\n'), 'the record after it was lost')
      assert.equal(reported(small.stderr(), 'LS-PARTIAL-LIMIT').length, 0)
    } finally {
      small.cleanup()
    }
  })
})
