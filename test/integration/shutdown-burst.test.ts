// SIGTERM right after a burst: 100 connections have each sent 5,000 genuine SocketHandler frames (made by
// CPython's makePickle) and closed, all before the signal, most still queued in the kernel. Every record must
// be written: libuv accepts one queued connection per loop iteration, and the drain must outlast the reading.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { runPython } from '../support/python.js'
import { startServer, type RunningServer } from '../support/server.js'

const CONNECTIONS = 100
const RECORDS = 5000

/** Each connection's frames ("burst <c> <r>" from logger burst.<c>), made by CPython in one run: [length, block]… */
function payloads(): Buffer[] {
  const out = runPython(String.raw`
import logging, logging.handlers, struct, sys
h = logging.handlers.SocketHandler('localhost', 1)
for c in range(${CONNECTIONS}):
    block = b''.join(h.makePickle(logging.makeLogRecord({'name': 'burst.%d' % c, 'msg': 'burst %d %d' % (c, r), 'levelname': 'INFO', 'levelno': 20})) for r in range(${RECORDS}))
    sys.stdout.buffer.write(struct.pack('>L', len(block)) + block)
`)
  const blocks: Buffer[] = []
  for (let at = 0; at < out.length; ) {
    const length = out.readUInt32BE(at)
    blocks.push(out.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  return blocks
}

function sendAll(port: number, bytes: Buffer, from: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => socket.end(bytes))
    socket.on('finish', () => resolve()) // everything handed to the kernel, FIN sent
    socket.on('error', reject)
  })
}

describe('stop after a burst', () => {
  let server: RunningServer
  after(() => server?.cleanup())

  it(`writes all ${CONNECTIONS * RECORDS} records that ${CONNECTIONS} connections sent before SIGTERM`, { timeout: 60_000 }, async () => {
    server = await startServer()
    const blocks = payloads()
    assert.equal(blocks.length, CONNECTIONS)
    // Each connection from its own loopback address, as from many hosts.
    await Promise.all(blocks.map((p, c) => sendAll(server.logPort, p, `127.0.${10 + Math.floor(c / 200)}.${1 + (c % 200)}`)))
    assert.equal(await server.stop('SIGTERM'), 0)
    const text = readFileSync(server.file, 'utf8')
    const perConnection = new Map<string, number>()
    for (const m of text.matchAll(/ burst (\d+) \d+$/gm)) perConnection.set(m[1]!, (perConnection.get(m[1]!) ?? 0) + 1)
    const short = [...Array(CONNECTIONS).keys()].filter((c) => perConnection.get(String(c)) !== RECORDS)
    assert.deepEqual(short, [], `connections with records missing (of ${RECORDS} each)`)
    assert.match(server.stderr(), new RegExp(`\\[LS-STOPPED\\] stopped: ${CONNECTIONS * RECORDS} records received, ${CONNECTIONS * RECORDS} written`))
  })
})
