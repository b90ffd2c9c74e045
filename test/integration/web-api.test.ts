// The status port's HTTP API against the real server, fed by CPython's own SocketHandler: every endpoint,
// the filters and after= paging, SSE, Prometheus text, security headers, the CSS fallback and basic auth.
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { hashPassword } from '../../src/web/password-hash.js'
import { runClient } from '../support/python.js'
import { getJson, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'
import { parsePrometheusText, sampleValue } from '../unit/web/prometheus-text.js'

interface Rec { seq: number; time: string; client: string; name: string; levelname: string; levelno: number; message: string; exc_text: string | null }
interface Page { records: Rec[]; lastSeq: number; next: number; more: boolean; missed: number; capacity: number }

const get = (port: number, p: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`http://127.0.0.1:${port}${p}`, { headers })
const records = async (port: number, query: string): Promise<Page> => (await getJson(port, `/api/records${query}`)).body as Page

/** Reads Server-Sent Events from a fetch body; `next()` resolves with the next event or rejects at the deadline. */
function sseReader(res: Response): { next(timeoutMs: number): Promise<{ event: string; id: string; data: string }>; close(): void } {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = { event: 'message', id: '', data: '' }
          for (const line of block.split('\n')) {
            const m = /^(event|id|data): ?(.*)$/.exec(line)
            if (m) fields[m[1] as 'event' | 'id' | 'data'] = m[2]!
          }
          if (fields.data !== '') return fields
          continue // retry: and keepalive comments carry no data
        }
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`)
        let timer: NodeJS.Timeout | undefined
        const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no SSE event within ${timeoutMs} ms`)), left)))])
        clearTimeout(timer)
        if (chunk.done) throw new Error('the stream ended')
        buffer += decoder.decode(chunk.value, { stream: true })
      }
    },
    close: () => void reader.cancel().catch(() => {}),
  }
}

describe('status port API', () => {
  let server: RunningServer
  let port: number
  const cssDir = tempDir('loggingserver-css-')
  const cssFile = path.join(cssDir, 'operator.css')

  before(async () => {
    server = await startServer(`web:\n  css_file: ${cssFile}\nfile:\n  datefmt: "%H:%M:%S"\n`)
    port = server.webPort
    await runClient(server.logPort, 10, 'api')
    await runClient(server.logPort, 5, 'err', ['--level', 'ERROR', '--exc-every', '2'])
    await waitFor(async () => (await records(port, '')).records.length === 15, 5000, '15 records in the ring')
  })
  after(() => {
    server?.cleanup()
    rmSync(cssDir, { recursive: true, force: true })
  })

  it('GET /healthz says ok while the writer is healthy', async () => {
    // css_file is set but not there yet (the stylesheet test below writes it): 200 all the same, saying why.
    const health = await getJson(port, '/healthz')
    assert.equal(health.status, 200)
    const body = health.body as { status: string; reason: string | null; config: string | null; stylesheet: string | null }
    assert.deepEqual({ ...body, stylesheet: null }, { status: 'ok', reason: null, config: null, stylesheet: null })
    assert.equal(body.stylesheet, `web.css_file ${cssFile} cannot be read (ENOENT); the default stylesheet is served`)
  })

  it('GET /api/status has the statistics of what was sent', async () => {
    await waitFor(async () => ((await getJson(port, '/api/status')).body as { file: { recordsWritten: number } }).file.recordsWritten === 15, 5000, 'records written')
    const s = (await getJson(port, '/api/status')).body as Record<string, unknown> & { clients: { client: string; records: number; levels: Record<string, number> }[] }
    assert.equal(s['recordsReceived'], 15)
    assert.deepEqual(s['recordsByLevel'], { INFO: 10, ERROR: 5 })
    assert.equal(s['connectionsTotal'], 2)
    assert.equal(s['connectionsOpen'], 0)
    assert.ok((s['bytesReceived'] as number) > 15 * 300)
    assert.deepEqual(s.clients.map((c) => [c.client, c.records, c.levels]), [['127.0.0.1', 15, { INFO: 10, ERROR: 5 }]])
    assert.equal((s['file'] as { path: string }).path, server.file)
    assert.equal(s['backpressure'], false)
    assert.deepEqual(s['rejected'], {})
    assert.deepEqual(s['page'], { refreshSeconds: 5, recentRecords: 300, datefmt: '%H:%M:%S', utc: false })
  })

  it('GET /api/records returns the records oldest first, time in the config\'s datefmt', async () => {
    const page = await records(port, '')
    assert.deepEqual(page.records.map((r) => r.seq), Array.from({ length: 15 }, (_, i) => i + 1))
    assert.deepEqual(page.records.slice(0, 10).map((r) => r.message), Array.from({ length: 10 }, (_, i) => `api ${i}`))
    assert.equal(page.lastSeq, 15)
    const first = page.records[0]!
    assert.match(first.time, /^\d\d:\d\d:\d\d$/)
    assert.equal(first.client, '127.0.0.1')
    assert.equal(first.name, 'client.api')
    assert.match(page.records[10]!.exc_text ?? '', /^Traceback[\s\S]*ValueError: boom 0$/)
  })

  it('filters by minimum level, logger prefix, client and text', async () => {
    assert.equal((await records(port, '?level=ERROR')).records.length, 5)
    assert.equal((await records(port, '?level=40')).records.length, 5)
    assert.equal((await records(port, '?level=debug')).records.length, 15)
    assert.deepEqual((await records(port, '?logger=client.e')).records.map((r) => r.name), Array(5).fill('client.err'))
    assert.equal((await records(port, '?client=127.0.')).records.length, 15)
    assert.equal((await records(port, '?client=10.')).records.length, 0)
    assert.deepEqual((await records(port, '?q=API%203')).records.map((r) => r.message), ['api 3'])
    assert.equal((await records(port, '?q=boom')).records.length, 3)
    assert.equal((await records(port, '?level=ERROR&q=err%204')).records.length, 1)
  })

  it('pages forward with after= and limit=, without gaps or repeats', async () => {
    const seen: number[] = []
    let cursor = 0
    let pages = 0
    for (;;) {
      const page = await records(port, `?after=${cursor}&limit=4`)
      seen.push(...page.records.map((r) => r.seq))
      cursor = page.next
      pages++
      if (!page.more) break
    }
    assert.deepEqual(seen, Array.from({ length: 15 }, (_, i) => i + 1))
    assert.equal(pages, 4)
    assert.deepEqual((await records(port, '?after=15')).records, [])
    assert.equal((await records(port, '?after=15')).next, 15)
  })

  it('answers a bad query with 400 and a JSON reason', async () => {
    for (const q of ['?level=LOUD', '?after=-1', '?limit=0', '?after=x']) {
      const r = await getJson(port, `/api/records${q}`)
      assert.equal(r.status, 400, q)
      assert.match((r.body as { error: string }).error, /level|after|limit/)
    }
  })

  it('GET /api/stream pushes new records within a second, and catches up from Last-Event-ID', async () => {
    const res = await get(port, '/api/stream?after=15')
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
    const events = sseReader(res)
    try {
      const sent = Date.now()
      await runClient(server.logPort, 3, 'live')
      const got: (Rec & { received: number })[] = []
      while (got.length < 3) {
        const ev = await events.next(3000 - (Date.now() - sent))
        assert.equal(ev.event, 'records')
        const batch = JSON.parse(ev.data) as (Rec & { received: number })[]
        // From the server's arrival time to the event in our hands: the live push's own latency.
        for (const r of batch) assert.ok(Date.now() - r.received * 1000 < 1000, `record ${r.seq} took ${Date.now() - r.received * 1000} ms`)
        got.push(...batch)
      }
      assert.deepEqual(got.map((r) => r.message), ['live 0', 'live 1', 'live 2'])
    } finally {
      events.close()
    }
    const again = sseReader(await get(port, '/api/stream', { 'Last-Event-ID': '16' }))
    try {
      const ev = await again.next(2000)
      assert.equal(ev.id, '18')
      assert.deepEqual((JSON.parse(ev.data) as Rec[]).map((r) => r.seq), [17, 18])
    } finally {
      again.close()
    }
  })

  it('GET /metrics is valid Prometheus text with the same numbers', async () => {
    const res = await get(port, '/metrics')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
    const families = parsePrometheusText(await res.text())
    assert.equal(sampleValue(families, 'loggingserver_records_received_total'), 18)
    assert.equal(sampleValue(families, 'loggingserver_records_by_level_total', { level: 'ERROR' }), 5)
    assert.equal(sampleValue(families, 'loggingserver_connections_total'), 3)
    assert.equal(sampleValue(families, 'loggingserver_frames_rejected_total', { reason: 'frame_too_large' }), 0)
    assert.equal(sampleValue(families, 'loggingserver_file_healthy'), 1)
  })

  it('sends a CSP without inline script, nosniff and no-framing on every response', async () => {
    for (const p of ['/', '/api/status', '/api/records', '/metrics', '/healthz', '/loggingserver.css', '/js/page.js', '/nothing-here']) {
      const res = await get(port, p)
      const csp = res.headers.get('content-security-policy') ?? ''
      assert.match(csp, /script-src 'self'/, p)
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p)
      assert.match(csp, /default-src 'none'/, p)
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p)
      assert.equal(res.headers.get('x-frame-options'), 'DENY', p)
    }
    assert.equal((await get(port, '/nothing-here')).status, 404)
  })

  it('serves the page with its stylesheet and script as files, no inline script', async () => {
    const html = await (await get(port, '/')).text()
    assert.match(html, /<link rel="stylesheet" href="\/loggingserver.css">/)
    assert.match(html, /<script type="module" src="\/js\/page.js"><\/script>/)
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/)
    assert.doesNotMatch(html, /\son[a-z]+=/i)
    // page.js and the shared modules it imports (the level table, the text caps) come from the same origin: CSP script-src 'self'.
    for (const js of ['/js/page.js', '/js/levels.js', '/js/text-caps.js']) assert.match((await get(port, js)).headers.get('content-type') ?? '', /^text\/javascript/, js)
    assert.equal((await get(port, '/js/..%2fapp.js')).status, 404)
    assert.equal((await get(port, '/js/api-contract.js')).status, 404, 'the contract is types only: nothing to serve')
  })

  it('serves css_file when it exists, re-read on every request, and the default otherwise', async () => {
    const fallback = await get(port, '/loggingserver.css')
    assert.equal(fallback.status, 200)
    assert.match(fallback.headers.get('content-type') ?? '', /^text\/css/)
    assert.equal(fallback.headers.get('cache-control'), 'no-cache')
    assert.match(await fallback.text(), /level-error/)
    writeFileSync(cssFile, 'body { color: rebeccapurple }\n')
    assert.equal(await (await get(port, '/loggingserver.css')).text(), 'body { color: rebeccapurple }\n')
    writeFileSync(cssFile, 'body { color: teal }\n')
    assert.equal(await (await get(port, '/loggingserver.css')).text(), 'body { color: teal }\n')
    assert.equal(((await getJson(port, '/healthz')).body as { stylesheet: string | null }).stylesheet, null)
    // The missing file was one warning with its reason, no stack trace.
    const lines = server.stderr().split('\n').filter((l) => l.includes('[LS-WEB-CSS-UNREADABLE]'))
    assert.equal(lines.length, 1, lines.join('\n'))
    assert.match(lines[0]!, / WARNING \[LS-WEB-CSS-UNREADABLE\] status page: web\.css_file .*operator\.css cannot be read \(ENOENT\)(: .*)?; serving the default stylesheet$/)
    assert.doesNotMatch(server.stderr(), /^\s+at /m)
  })
})

describe('status port with web.auth', () => {
  let server: RunningServer
  const basic = (user: string, pw: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` })

  before(async () => {
    const hash = await hashPassword('open sesame', { ln: 10, r: 8, p: 1 })
    server = await startServer(`web:\n  auth:\n    realm: test logs\n    users:\n      alice: "${hash}"\n`)
  })
  after(() => server?.cleanup())

  it('answers 401 with a Basic challenge without credentials or with wrong ones', async () => {
    for (const p of ['/', '/api/status', '/api/records', '/api/stream', '/metrics', '/loggingserver.css']) {
      const res = await get(server.webPort, p)
      assert.equal(res.status, 401, p)
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="test logs", charset="UTF-8"')
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
    }
    assert.equal((await get(server.webPort, '/api/status', basic('alice', 'wrong'))).status, 401)
    assert.equal((await get(server.webPort, '/api/status', basic('bob', 'open sesame'))).status, 401)
  })

  it('answers 200 with the right credentials', async () => {
    for (const p of ['/', '/api/status', '/api/records', '/metrics', '/loggingserver.css']) {
      assert.equal((await get(server.webPort, p, basic('alice', 'open sesame'))).status, 200, p)
    }
  })

  it('keeps /healthz open for probes', async () => {
    assert.deepEqual(await getJson(server.webPort, '/healthz'), { status: 200, body: { status: 'ok', reason: null, config: null, stylesheet: null } })
  })
})
