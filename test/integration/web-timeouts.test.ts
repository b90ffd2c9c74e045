// web.max_streams and the HTTP timeouts: live streams beyond the limit get 503 with Retry-After, and a
// client that sends its request headers a line at a time is closed, while the status page answers others.
import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { HEADERS_TIMEOUT_MS } from '../../src/web/limits.js'
import { startServer, waitFor, type RunningServer } from '../support/server.js'

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
