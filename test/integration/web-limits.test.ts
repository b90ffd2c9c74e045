// The status port under hostile HTTP clients (issue 7): big records and clients that never read must not
// grow the server's memory or stall /healthz; excess heavy requests get 503; HEAD /api/stream answers at
// once; a client that resets mid-response is no ERROR. Real server process, real CPython SocketHandlers.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { STALL_MS } from '../../src/web/limits.js'
import { runPythonAsync } from '../support/python.js'
import { getJson, reported, startServer, waitFor, type RunningServer } from '../support/server.js'

interface Rec { seq: number; message: string; truncated: boolean; exc_text: string | null }
interface Page { records: Rec[]; lastSeq: number; next: number; more: boolean; missed: number; capacity: number }

const RECORDS = 300
const MESSAGE_CHARS = 60_000

/** Records of a ~60 KB message and a ~20 KB traceback each, from a CPython SocketHandler. */
const FILL = `
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
log = logging.getLogger('big.' + sys.argv[2]); log.propagate = False; log.addHandler(h)
for i in range(int(sys.argv[3])):
    body = ('%s-%d ' % (sys.argv[2], i)) * ${MESSAGE_CHARS}
    try:
        raise ValueError('boom %d %s' % (i, 'x' * 20000))
    except ValueError:
        log.exception('%s', body[:${MESSAGE_CHARS}])
h.close()
`

const rssKiB = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])

/**
 * Connections that each send one GET and never read the answer. A small MSS and receive buffer keep the
 * kernel from taking the whole answer off the server's hands, so it stays in flight there.
 */
const NON_READERS = `
import socket, sys
port, n, path, sources = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
held = []
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(('127.0.0.%d' % (1 + i % sources), 0))  # several loopback addresses: per-address limits apply to each
    s.connect(('127.0.0.1', port))
    s.sendall(('GET %s HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' % path).encode())
    held.append(s)
print('sent', flush=True)
sys.stdin.read()
`

/** Resolves once all n requests are sent; close() ends the connections (the process exits). */
async function nonReaders(port: number, n: number, urlPath: string, sources = 1): Promise<{ close(): Promise<void> }> {
  const child = spawn('python3', ['-c', NON_READERS, String(port), String(n), urlPath, String(sources)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve())
    void exited.then(() => reject(new Error('the non-reading client exited early')))
  })
  return { close: () => (child.stdin.end(), exited) }
}

/** Milliseconds /healthz takes to answer 200 (gives up after 5 s, which the assertion then reports). */
async function healthzMs(port: number): Promise<number> {
  const t0 = performance.now()
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) })
    assert.equal(res.status, 200)
    await res.arrayBuffer()
  } catch (err) {
    if ((err as Error).name !== 'TimeoutError') throw err
  }
  return performance.now() - t0
}

describe('status port under big records and hostile clients', () => {
  let server: RunningServer
  let port: number

  before(async () => {
    // At debug, so the reset test can see the line the server does write for it.
    server = await startServer(`web:\n  recent_records: ${RECORDS}\ndiagnostics:\n  level: debug\n`)
    port = server.webPort
    await Promise.all([
      runPythonAsync(FILL, [String(server.logPort), 'a', String(RECORDS / 2)]),
      runPythonAsync(FILL, [String(server.logPort), 'b', String(RECORDS / 2)]),
    ])
    await waitFor(async () => ((await getJson(port, '/api/status')).body as { ring: { lastSeq: number } }).ring.lastSeq === RECORDS, 10_000, `${RECORDS} records in the ring`)
  })
  after(() => server?.cleanup())

  it('gives a normal client the whole list as valid JSON, each text cut short and flagged', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/records`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/)
    const page = (await res.json()) as Page
    assert.deepEqual(Object.keys(page).sort(), ['capacity', 'lastSeq', 'missed', 'more', 'next', 'records'])
    assert.equal(page.records.length, RECORDS)
    assert.deepEqual(page.records.map((r) => r.seq), Array.from({ length: RECORDS }, (_, i) => i + 1))
    assert.deepEqual([page.lastSeq, page.next, page.more, page.missed, page.capacity], [RECORDS, RECORDS, false, 0, RECORDS])
    for (const r of page.records) {
      assert.equal(r.truncated, true)
      assert.ok(r.message.length < 5000, `a listed message is ${r.message.length} characters`)
    }
  })

  it('GET /api/records/:seq returns one record with its whole kept text', async () => {
    const listed = ((await getJson(port, '/api/records?limit=1')).body as Page).records[0]!
    const { status, body } = await getJson(port, `/api/records/${listed.seq}`)
    assert.equal(status, 200)
    const whole = body as Rec
    assert.equal(whole.seq, listed.seq)
    assert.equal(whole.message.length, MESSAGE_CHARS)
    assert.ok(whole.message.startsWith(listed.message.replace(/…\[truncated\]$/, '')))
    assert.match(whole.exc_text ?? '', /ValueError: boom \d+ x{20000}/)
    assert.equal(whole.truncated, false)
    assert.deepEqual(await getJson(port, '/api/records/999999'), { status: 404, body: { error: 'record 999999 is not (or no longer) in the ring' } })
    assert.equal((await getJson(port, '/api/records/x1')).status, 400)
  })

  it('keeps RSS growth under 50 MiB and /healthz under 100 ms while 50 clients never read /api/records', async () => {
    await fetch(`http://127.0.0.1:${port}/api/records`).then((r) => r.arrayBuffer()) // warm up, as a page would
    const pid = server.child.pid!
    const before = rssKiB(pid)
    const clients = await nonReaders(port, 50, '/api/records')
    try {
      await new Promise((r) => setTimeout(r, 2000))
      const growthMiB = (rssKiB(pid) - before) / 1024
      const times: number[] = []
      for (let i = 0; i < 5; i++) times.push(await healthzMs(port))
      console.log(`RSS growth under 50 non-reading clients: ${growthMiB.toFixed(1)} MiB; /healthz ${times.map((t) => t.toFixed(1)).join(', ')} ms`)
      assert.ok(growthMiB < 50, `RSS grew by ${growthMiB.toFixed(1)} MiB`)
      assert.ok(Math.max(...times) < 100, `/healthz took ${Math.max(...times).toFixed(1)} ms`)
    } finally {
      await clients.close()
    }
  })

  it('keeps RSS growth under 50 MiB and /healthz under 100 ms while 64 live streams from 8 addresses never read their catch-up', async () => {
    const pid = server.child.pid!
    const before = rssKiB(pid)
    // after=0: each asks for the whole ring (300 records, ~2.5 MB of events) and reads none of it.
    const clients = await nonReaders(port, 64, '/api/stream?after=0', 8)
    try {
      await new Promise((r) => setTimeout(r, 2000))
      const growthMiB = (rssKiB(pid) - before) / 1024
      const times: number[] = []
      for (let i = 0; i < 5; i++) times.push(await healthzMs(port))
      console.log(`RSS growth under 64 non-reading live streams: ${growthMiB.toFixed(1)} MiB; /healthz ${times.map((t) => t.toFixed(1)).join(', ')} ms`)
      assert.ok(growthMiB < 50, `RSS grew by ${growthMiB.toFixed(1)} MiB`)
      assert.ok(Math.max(...times) < 100, `/healthz took ${Math.max(...times).toFixed(1)} ms`)
    } finally {
      await clients.close()
    }
    // A page that does read gets the whole catch-up, in order, in several bounded events.
    const res = await fetch(`http://127.0.0.1:${port}/api/stream?after=0`)
    const reader = res.body!.getReader()
    let text = ''
    const seqs: number[] = []
    while (seqs.length < RECORDS) {
      const { value, done } = await reader.read()
      if (done) break
      text += Buffer.from(value).toString('utf8')
      let end: number
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end)
        text = text.slice(end + 2)
        const data = /^data: (.*)$/m.exec(block)
        if (data) for (const r of JSON.parse(data[1]!) as Rec[]) seqs.push(r.seq)
      }
    }
    await reader.cancel()
    assert.deepEqual(seqs, Array.from({ length: RECORDS }, (_, i) => i + 1))
  })

  it('answers excess concurrent /api/records with 503, Retry-After and a JSON error, and admits again once they are gone', async () => {
    const clients = await nonReaders(port, 8, '/api/records')
    try {
      // The non-readers hold their slots; wait until the server has taken them all.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/records?limit=1`)).status === 503, 5000, 'a 503')
      const res = await fetch(`http://127.0.0.1:${port}/api/records`)
      assert.equal(res.status, 503)
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/)
      assert.match(((await res.json()) as { error: string }).error, /too many/)
    } finally {
      await clients.close()
    }
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/records?limit=1`)).status === 200, 5000, 'admission after the clients left')
  })

  it('cuts off readers that make no progress, which frees their slots', async () => {
    const clients = await nonReaders(port, 8, '/api/records')
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/records?limit=1`)).status === 503, 5000, 'a 503')
      const t0 = Date.now()
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/records?limit=1`)).status === 200, 2 * STALL_MS + 5000, 'the stalled responses to be cut off')
      const ms = Date.now() - t0
      console.log(`stalled responses cut off after ${ms} ms`)
      assert.ok(ms >= STALL_MS - 1000, `cut off after ${ms} ms, before ${STALL_MS} ms without progress`)
    } finally {
      await clients.close()
    }
  })

  it('answers HEAD /api/stream at once with the SSE headers and no body, subscribing nobody', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/stream`, { method: 'HEAD', signal: AbortSignal.timeout(2000) })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
    assert.equal(await res.text(), '')
    const status = (await getJson(port, '/api/status')).body as { streamClients: number }
    assert.equal(status.streamClients, 0)
  })

  it('logs a client that resets mid-response as one debug line, not as an ERROR with a stack', async () => {
    const stderrBefore = server.stderr().length
    // Reads a little, then closes with SO_LINGER 0: a reset while the server still has the answer to send.
    await runPythonAsync(`
import socket, struct, sys
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET /api/records HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n')
s.recv(1000)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()
`, [String(port)])
    const said = (): string => server.stderr().slice(stderrBefore)
    const gone = (): string[] => reported(said(), 'LS-WEB-CLIENT-GONE').filter((l) => l.startsWith('status page: GET /api/records from '))
    await waitFor(() => gone().length > 0 || / ERROR /.test(said()), 5000, 'the server to notice the reset')
    assert.match(said(), / DEBUG \[LS-WEB-CLIENT-GONE\] /)
    assert.doesNotMatch(said(), / ERROR /)
    assert.doesNotMatch(said(), /^\S+ \w+ \[LS-[A-Z-]+\] +at .+:\d+:\d+\)?$/m)
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200)
  })
})
