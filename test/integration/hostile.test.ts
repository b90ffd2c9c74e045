// Hostile and odd input on the log port: each bad frame costs only its own connection, is counted, and
// nothing a good client sends meanwhile is lost. Also the two records that kill cookbook-style receivers.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runClient, runPython, runPythonAsync } from '../support/python.js'
import { getJson, hostileFramesScript, sendRaw, startServer, tempDir, type RunningServer } from '../support/server.js'

const CANARY = '/tmp/loggingserver-pwned'

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4)
  header.writeUInt32BE(payload.length)
  return Buffer.concat([header, payload])
}

interface Status {
  recordsReceived: number
  rejected: Record<string, number>
  rejectedTotal: number
  connectionsOpen: number
}

describe('hostile input on the log port', () => {
  let server: RunningServer
  const frames = new Map<string, Buffer>()

  before(async () => {
    server = await startServer()
    const dir = tempDir('hostile-frames-')
    runPython(readFileSync(hostileFramesScript(), 'utf8').replace('out = sys.argv[1]', `out = ${JSON.stringify(dir)}`))
    for (const name of readdirSync(dir)) frames.set(`shared:${name}`, readFileSync(path.join(dir, name)))
    assert.ok(frames.size >= 25)
    const header2GiB = Buffer.from([0x80, 0, 0, 0])
    frames.set('declared 2^31 bytes', Buffer.concat([header2GiB, Buffer.from('abc')]))
    frames.set('random payload', frame(randomBytes(4096)))
    frames.set('not a pickle', frame(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')))
    frames.set('non-dict pickle', frame(runPython('import pickle,sys; sys.stdout.buffer.write(pickle.dumps([1, 2, 3], 1))')))
    frames.set('truncated frame', frame(Buffer.alloc(500, 0x7d)).subarray(0, 300))
  })
  after(() => server?.cleanup())

  it('keeps serving: a good client loses nothing while every hostile frame arrives on its own connection', async () => {
    assert.ok(frames.size >= 5)
    const good = runClient(server.logPort, 3000, 'good', ['--pause-every', '500', '--pause', '0.05'])
    for (const bytes of frames.values()) await sendRaw(server.logPort, bytes)
    await good
    const status = (await getJson(server.webPort, '/api/status')).body as Status
    assert.equal(existsSync(CANARY), false, 'a hostile frame executed code')
    assert.equal((await getJson(server.webPort, '/healthz')).status, 200)
    // Every hostile connection was either rejected and counted, or kept as an inert record.
    const kept = status.recordsReceived - 3000
    assert.equal(status.rejectedTotal + kept, frames.size, JSON.stringify(status))
    assert.equal(status.rejected['frame_too_large']! >= 1, true)
    assert.equal(status.rejected['frame_truncated'], 1)
    assert.equal(status.rejected['not_a_dict']! >= 1, true)
    assert.equal(status.rejected['unpickle_failed']! >= 1, true)
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let i = 0; i < 3000; i++) assert.ok(text.includes(` good ${i}\n`), `good record ${i} missing`)
    assert.match(server.stderr(), /log connection from 127\.0\.0\.1 closed: FRAME_TOO_LARGE/)
  })
})

describe('records that kill cookbook-style receivers', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer()
  })
  after(() => server?.cleanup())

  it('keeps a Python 2 record with non-ASCII bytes and an extra object of a class it cannot import', async () => {
    // A Python 2.7 SocketHandler frame: protocol 1, str keys and values as SHORT_BINSTRING/BINSTRING (UTF-8 bytes).
    const py2 = runPython(String.raw`
import struct, sys
def s(b): return (b'U' + bytes([len(b)]) + b) if len(b) < 256 else (b'T' + struct.pack('<i', len(b)) + b)
items = [(b'name', s(b'py2app')), (b'msg', s('caf\u00e9 \u00fcber na\u00efve'.encode('utf-8'))),
         (b'levelname', s(b'WARNING')), (b'levelno', b'K\x1e'), (b'created', b'G' + struct.pack('>d', 1764107385.5)),
         (b'msecs', b'G' + struct.pack('>d', 500.0)), (b'lineno', b'K\x07'), (b'args', b'N'), (b'exc_info', b'N'),
         (b'latin', s(b'caf\xe9'))]
body = b'}(' + b''.join(s(k) + v for k, v in items) + b'u.'
sys.stdout.buffer.write(struct.pack('>L', len(body)) + body)`)
    await sendRaw(server.logPort, py2)
    await runPythonAsync(String.raw`
import logging, logging.handlers, sys
class Unimportable:
    def __init__(self): self.secret = 42
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
log = logging.getLogger('py3app'); log.addHandler(h); log.propagate = False
log.error('with an object of class %s', 'Unimportable', extra={'obj': Unimportable()})
h.close()`, [String(server.logPort)])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.match(text, /py2app +WARNING +café über naïve\n/)
    assert.match(text, /py3app +ERROR +with an object of class Unimportable\n/)
    const status = server.stderr()
    assert.match(status, /2 records received, 2 written/)
  })
})
