// web.max_streams and the HTTP timeouts: live streams beyond the limit get 503 with Retry-After, and a
// client that sends its request headers a line at a time is closed, while the status page answers others.
import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { HEADERS_TIMEOUT_MS } from '../../src/web/limits.js'
import http from 'node:http'
import { runClient } from '../support/python.js'
import { startServer, waitFor, type RunningServer } from '../support/server.js'

interface StreamClient {
  status: number
  retryAfter: string
  received(): string
  close(): void
}

/** GET /api/stream from a given loopback source address; resolves once the response headers arrive. */
function openStream(port: number, localAddress: string): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/stream', localAddress, agent: false }, (res) => {
      req.setTimeout(0)
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('error', () => {})
      resolve({ status: res.statusCode ?? 0, retryAfter: String(res.headers['retry-after'] ?? ''), received: () => body, close: () => req.destroy() })
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('no response headers within 10 s')))
  })
}

describe('status port: stream limit and slow requests', () => {
  let server: RunningServer
  before(async () => {
    server = await startServer('web: {max_streams: 3}')
  })
  after(() => server?.cleanup())

  it('answers a live stream beyond web.max_streams with 503 and Retry-After, and admits again when one closes', async () => {
    const streams = await Promise.all(Array.from({ length: 3 }, () => new AbortController()).map(async (c) => {
      const res = await fetch(`http://127.0.0.1:${server.webPort}/api/stream`, { signal: c.signal })
      assert.equal(res.status, 200)
      return c
    }))
    const refused = await fetch(`http://127.0.0.1:${server.webPort}/api/stream`)
    assert.equal(refused.status, 503)
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/)
    assert.match(((await refused.json()) as { error: string }).error, /too many live streams/)
    streams[0]!.abort()
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${server.webPort}/api/stream`, { signal: AbortSignal.timeout(1000) }).catch(() => null)
      const ok = res?.status === 200
      await res?.body?.cancel().catch(() => {})
      return ok
    }, 5000, 'a stream admitted again')
    for (const c of streams) c.abort()
  })

  it('still counts the streams open before a SIGHUP (the app is rebuilt, the limit is not reset)', async () => {
    const streams = await Promise.all(Array.from({ length: 3 }, (_, i) => openStream(server.webPort, `127.0.2.${i + 1}`)))
    try {
      assert.deepEqual(streams.map((c) => c.status), [200, 200, 200])
      const reloads = server.stderr().split('[LS-RELOAD]').length
      server.child.kill('SIGHUP')
      await waitFor(() => server.stderr().split('[LS-RELOAD]').length > reloads, 5000, 'the reload')
      await new Promise((r) => setTimeout(r, 300))
      const fourth = await openStream(server.webPort, '127.0.2.9')
      fourth.close()
      assert.equal(fourth.status, 503, 'three streams were still open on the old app')
    } finally {
      for (const c of streams) c.close()
    }
  })

  it('200 live-stream clients from 25 addresses at the default limit: 100 stream records, 100 get 503, /healthz answers', async () => {
    const defaults = await startServer()
    try {
      // 8 per address at most, so the clients come from 127.0.1.1-25 (all of 127/8 is loopback on Linux).
      const clients = await Promise.all(Array.from({ length: 200 }, (_, i) => openStream(defaults.webPort, `127.0.1.${1 + (i % 25)}`)))
      try {
        const admitted = clients.filter((c) => c.status === 200)
        assert.equal(admitted.length, 100, 'web.max_streams defaults to 100')
        assert.equal(clients.filter((c) => c.status === 503 && /^\d+$/.test(c.retryAfter)).length, 100)
        const started = Date.now()
        const health = await fetch(`http://127.0.0.1:${defaults.webPort}/healthz`, { signal: AbortSignal.timeout(5000) })
        assert.equal(health.status, 200)
        assert.ok(Date.now() - started < 2000, `/healthz took ${Date.now() - started} ms beside 100 streams`)
        await runClient(defaults.logPort, 5, 'streamed')
        await waitFor(() => admitted.every((c) => c.received().includes('streamed 4')), 10_000, 'every admitted stream to receive the records')
      } finally {
        for (const c of clients) c.close()
      }
    } finally {
      defaults.cleanup()
    }
  })

  it('closes a client that sends its headers a line at a time, and answers others meanwhile', { timeout: HEADERS_TIMEOUT_MS + 10_000 }, async () => {
    const slow = net.connect(server.webPort, '127.0.0.1')
    slow.on('error', () => {})
    let answer = ''
    slow.setEncoding('utf8').on('data', (d: string) => (answer += d))
    slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    const started = Date.now()
    const ticker = setInterval(() => slow.write('X-Slow: 1\r\n'), 500)
    const closed = new Promise<number>((resolve) => slow.on('close', () => resolve(Date.now() - started)))
    assert.equal((await fetch(`http://127.0.0.1:${server.webPort}/healthz`)).status, 200)
    const ms = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), HEADERS_TIMEOUT_MS + 5000))])
    clearInterval(ticker)
    slow.destroy()
    assert.ok(ms >= HEADERS_TIMEOUT_MS - 1000 && ms <= HEADERS_TIMEOUT_MS + 3000, `closed after ${ms} ms`)
    assert.match(answer, /^HTTP\/1\.1 408/)
  })
})
