// The HTTPHandler input (web.http_handler_path, issue 11 item 2) against the real server, fed by CPython's own
// logging.handlers.HTTPHandler (POST and GET, with credentials) and examples/http_handler.py: merged messages,
// levels, times, line numbers and tracebacks land in the central file and /api/records; senders and readers
// keep apart; every refusal (401, 403, 405, 413, 414, 415, 431) is answered and counted.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { hashPassword } from '../../src/web/password-hash.js'
import { runPythonAsync } from '../support/python.js'
import { parse, stringify } from 'yaml'
import { repoRoot, reported, startServer, waitFor, type RunningServer } from '../support/server.js'

const clientPy = path.join(repoRoot, 'test/support/http_handler_client.py')
const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
const READER = basic('reader', 'reader-pw')
const SENDER = basic('app1', 'sender-pw')
const MAX_BODY = 4096

interface Seen { message: string | null; levelno: number; levelname: string; created: number; lineno: number; process: number }
interface Rec { name: string; levelname: string; levelno: number; message: string; exc_text: string | null; stack_info: string | null; created: number; lineno: number; process: number; client: string }

/** Runs the client script (a python3 process) and returns what it logged, as the client saw it. */
async function send(port: number, method: 'POST' | 'GET', kind: 'stock' | 'example', creds: [string, string] | null = ['app1', 'sender-pw']): Promise<Seen[]> {
  const out = await runPythonAsync(`import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`, [clientPy, `127.0.0.1:${port}`, '/log', method, kind, ...(creds ?? [])])
  return out.trim().split('\n').map((line) => JSON.parse(line) as Seen)
}

async function records(port: number, logger: string): Promise<Rec[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/records?logger=${encodeURIComponent(logger)}`, { headers: { Authorization: READER } })
  assert.equal(res.status, 200)
  return ((await res.json()) as { records: Rec[] }).records
}

async function rejected(port: number): Promise<Record<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: READER } })
  return ((await res.json()) as { rejected: Record<string, number> }).rejected
}

/** A raw request, so sizes and framing are exactly what the test says (fetch would refuse or rewrite some). */
function request(port: number, method: string, urlPath: string, headers: Record<string, string | number>, body?: Buffer | Buffer[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    for (const chunk of Array.isArray(body) ? body : body ? [body] : []) req.write(chunk)
    req.end()
  })
}

describe('HTTPHandler input', () => {
  let server: RunningServer
  let port: number

  before(async () => {
    const params = { ln: 10, r: 8, p: 1 }
    const [reader, sender] = [await hashPassword('reader-pw', params), await hashPassword('sender-pw', params)]
    server = await startServer(
      `web:\n  http_handler_path: /log\n  http_handler_max_bytes: ${MAX_BODY}\n  auth:\n    users: {reader: "${reader}"}\n  http_handler_auth:\n    users: {app1: "${sender}"}\n` +
        'file:\n  format: "%(created)f %(client)s %(name)s %(levelname)s %(levelno)d %(lineno)d %(process)d %(message)s"\n',
    )
    port = server.webPort
  })
  after(() => server.cleanup())

  for (const method of ['POST', 'GET'] as const) {
    it(`lands the stock HTTPHandler's records sent by ${method}: merged message, level, time, line, process`, async () => {
      const seen = await send(port, method, 'stock')
      const logger = `http.stock.${method.toLowerCase()}`
      await waitFor(async () => (await records(port, logger)).length === seen.length, 5000, `${seen.length} records of ${logger}`)
      const got = await records(port, logger)
      got.forEach((r, i) => {
        const s = seen[i]!
        assert.equal(r.levelno, s.levelno)
        assert.equal(r.levelname, s.levelname)
        assert.equal(r.created, s.created)
        assert.equal(r.lineno, s.lineno)
        assert.equal(r.process, s.process)
        assert.equal(r.client, '127.0.0.1')
        assert.equal(r.message, s.message ?? 'mismatch %d | args=(\'x\',)') // CPython's getMessage raises there
      })
      assert.equal(got[1]!.message, 'user alice on 2024-01-02 owes 1.50, 5% done')
      assert.equal(got[2]!.levelname, 'Level 25')
      const exc = got.find((r) => r.levelname === 'ERROR')!
      assert.match(exc.exc_text ?? '', /^ZeroDivisionError\('division by zero'\) \(no traceback/)
      const file = readFileSync(server.file, 'utf8')
      assert.ok(file.includes(`${seen[1]!.created.toFixed(6)} 127.0.0.1 ${logger} WARNING 30 ${seen[1]!.lineno} ${seen[1]!.process} user alice on 2024-01-02 owes 1.50, 5% done\n`), file)
      assert.ok(file.includes(`${logger} CRITICAL 50 ${seen.at(-2)!.lineno} ${seen.at(-2)!.process} multi\n\tline with tab\tand quote ' and é\n`))
      assert.match(got.at(-1)!.stack_info ?? '', /^Stack \(most recent call last\):\n(?:.*\n)*.*log\.info\("with a stack", stack_info=True\)$/) // the stock handler sends stack_info as text
    })
  }

  it('lands the traceback and the merged message from examples/http_handler.py', async () => {
    const seen = await send(port, 'POST', 'example')
    await waitFor(async () => (await records(port, 'http.example.post')).length === seen.length, 5000, 'the example records')
    const got = await records(port, 'http.example.post')
    got.forEach((r, i) => assert.equal(r.message, seen[i]!.message ?? 'mismatch %d | args=(\'x\',)'))
    const exc = got.find((r) => r.levelname === 'ERROR')!
    assert.match(exc.exc_text ?? '', /^Traceback \(most recent call last\):\n {2}File ".*http_handler_client\.py", line \d+, in <module>\n {4}1 \/ 0\n(?:.*\n)*ZeroDivisionError: division by zero$/)
    assert.match(readFileSync(server.file, 'utf8'), /http\.example\.post ERROR 40 \d+ \d+ failed in example\n\tTraceback \(most recent call last\):\n/)
  })

  it('refuses senders without credentials or with wrong ones (401, counted), and the readers\' credentials too', async () => {
    const before = (await rejected(port))['http_unauthorized'] ?? 0
    const form = 'msg=hello&levelno=20&name=intruder'
    for (const auth of [undefined, basic('app1', 'wrong'), READER]) {
      const res = await request(port, 'POST', '/log', { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { Authorization: auth } : {}) }, Buffer.from(form))
      assert.equal(res.status, 401)
    }
    const sent = await send(port, 'POST', 'stock', null) // CPython's HTTPHandler without credentials
    await waitFor(async () => (await rejected(port))['http_unauthorized'] === before + 3 + sent.length, 5000, 'every 401 counted')
    assert.equal((await records(port, 'intruder')).length, 0)
    assert.equal((await records(port, 'http.stock.post')).length, sent.length) // only the earlier, authenticated ones
  })

  it('gives senders no read access: the page, the API and /metrics answer 401 to their credentials', async () => {
    for (const p of ['/', '/api/records', '/api/status', '/metrics']) {
      assert.equal((await fetch(`http://127.0.0.1:${port}${p}`, { headers: { Authorization: SENDER } })).status, 401, p)
    }
  })

  it('answers a GET over 8 KiB with 414 and one over 16 KiB with 431, and a POST over the limit with 413; each counted', async () => {
    const before = (await rejected(port))['http_too_large'] ?? 0
    const big = (n: number): string => `/log?msg=${'x'.repeat(n)}`
    assert.equal((await request(port, 'GET', big(9000), { Authorization: SENDER })).status, 414)
    assert.equal((await request(port, 'GET', big(20_000), { Authorization: SENDER })).status, 431)
    const form = (n: number): Buffer => Buffer.from(`msg=${'y'.repeat(n)}`)
    const type = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: SENDER }
    assert.equal((await request(port, 'POST', '/log', type, form(MAX_BODY))).status, 413) // declared length over the limit
    const chunked = await request(port, 'POST', '/log', { ...type, 'Transfer-Encoding': 'chunked' }, [form(3000), form(3000)])
    assert.equal(chunked.status, 413) // no length declared: cut while reading
    assert.equal((await request(port, 'POST', '/log', type, form(MAX_BODY - 100))).status, 204)
    await waitFor(async () => (await rejected(port))['http_too_large'] === before + 4, 5000, 'four too-large requests counted')
    // CPython's own GET with a record over the URL limit: refused and counted, never half-written.
    await runPythonAsync(
      `import logging, logging.handlers, sys
h = logging.handlers.HTTPHandler(sys.argv[1], "/log", method="GET", credentials=("app1", "sender-pw"))
logging.getLogger("huge.get").addHandler(h)
logging.getLogger("huge.get").error("z" * 20000)`,
      [`127.0.0.1:${port}`],
    )
    await waitFor(async () => (await rejected(port))['http_too_large'] === before + 5, 5000, "CPython's long GET counted")
    assert.equal((await records(port, 'huge.get')).length, 0)
  })

  it('answers other methods with 405, other content types with 415 and a form without msg with 400; each counted', async () => {
    const before = (await rejected(port))['http_bad_request'] ?? 0
    const put = await request(port, 'PUT', '/log', { Authorization: SENDER, 'Content-Type': 'application/x-www-form-urlencoded' }, Buffer.from('msg=x'))
    assert.equal(put.status, 405)
    const json = await request(port, 'POST', '/log', { Authorization: SENDER, 'Content-Type': 'application/json' }, Buffer.from('{"msg": "x"}'))
    assert.equal(json.status, 415)
    const empty = await request(port, 'POST', '/log', { Authorization: SENDER, 'Content-Type': 'application/x-www-form-urlencoded' }, Buffer.from('name=a'))
    assert.equal(empty.status, 400)
    assert.match(empty.text, /no msg field/)
    await waitFor(async () => (await rejected(port))['http_bad_request'] === before + 3, 5000, 'three bad requests counted')
  })

  it('keeps a hostile args repr as text, and a deep one, and the server stays up', async () => {
    const type = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: SENDER }
    const bodies = [
      new URLSearchParams({ name: 'hostile', msg: 'a %s', args: "('unterminated" }),
      new URLSearchParams({ name: 'hostile', msg: 'b %s', args: '('.repeat(300) + ')'.repeat(300) }),
      new URLSearchParams({ name: 'hostile', msg: 'c %s', args: `(${'9'.repeat(1000)},)`, levelno: '1e999', created: 'nan', lineno: 'x' }),
    ]
    for (const b of bodies) assert.equal((await request(port, 'POST', '/log', type, Buffer.from(b.toString()))).status, 204)
    await waitFor(async () => (await records(port, 'hostile')).length === 3, 5000, 'three hostile records')
    const got = await records(port, 'hostile')
    assert.equal(got[0]!.message, "a %s | args=('unterminated")
    assert.ok(got[1]!.message.startsWith('b %s | args=(((('))
    assert.equal(got[2]!.message, `c ${'9'.repeat(1000)}`)
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200)
  })
})

describe('HTTPHandler input and log.allow', () => {
  let server: RunningServer

  before(async () => {
    server = await startServer('web:\n  host: "::"\n  http_handler_path: /in\nlog:\n  allow: [192.0.2.0/24, 127.0.0.2]\n')
  })
  after(() => server.cleanup())

  it('matches and shows an IPv4 sender on a dual-stack port as IPv4 (::ffff:127.0.0.2 is 127.0.0.2)', async () => {
    await runPythonAsync(
      `import logging, logging.handlers, socket, sys, http.client
class From127002(logging.handlers.HTTPHandler):
    def getConnection(self, host, secure):
        return http.client.HTTPConnection(host, source_address=("127.0.0.2", 0))
log = logging.getLogger("dual.stack"); log.addHandler(From127002(sys.argv[1], "/in")); log.warning("from %s", "127.0.0.2")`,
      [`127.0.0.1:${server.webPort}`],
    )
    await waitFor(() => readFileSync(server.file, 'utf8').includes('from 127.0.0.2'), 5000, 'the record from 127.0.0.2')
    assert.match(readFileSync(server.file, 'utf8'), / 127\.0\.0\.2 +dual\.stack +WARNING +from 127\.0\.0\.2\n/)
  })

  it('refuses a peer outside log.allow with 403, counted as not_allowed, before reading its record', async () => {
    const res = await request(server.webPort, 'POST', '/in', { 'Content-Type': 'application/x-www-form-urlencoded' }, Buffer.from('msg=hi'))
    assert.equal(res.status, 403)
    const status = (await (await fetch(`http://127.0.0.1:${server.webPort}/api/status`)).json()) as { rejected: Record<string, number>; recordsReceived: number }
    assert.equal(status.rejected['not_allowed'], 1)
    assert.equal(status.recordsReceived, 1) // the one from 127.0.0.2 above
  })
})

describe('HTTPHandler input across a reload (SIGHUP)', () => {
  let server: RunningServer

  before(async () => {
    server = await startServer('web:\n  http_handler_path: /log\n')
  })
  after(() => server.cleanup())

  /** Rewrites the server's config file with `change` applied, sends SIGHUP and waits for the reload line. */
  async function reload(change: (config: { web: Record<string, unknown>; log: Record<string, unknown> }) => void): Promise<void> {
    const file = path.join(server.dir, 'loggingserver.yaml')
    const config = parse(readFileSync(file, 'utf8')) as { web: Record<string, unknown>; log: Record<string, unknown> }
    change(config)
    writeFileSync(file, stringify(config))
    const before = reported(server.stderr(), 'LS-RELOAD').length
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD').length > before, 5000, 'the reload')
  }

  const post = (auth?: string): Promise<{ status: number }> =>
    request(server.webPort, 'POST', '/log', { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { Authorization: auth } : {}) }, Buffer.from('msg=hi&name=reloaded'))

  it('applies web.http_handler_auth and log.allow without a restart', async () => {
    assert.equal((await post()).status, 204)
    const hash = await hashPassword('pw2', { ln: 10, r: 8, p: 1 })
    await reload((c) => (c.web['http_handler_auth'] = { users: { app2: hash } }))
    await waitFor(async () => (await post()).status === 401, 5000, 'senders to need credentials')
    assert.equal((await post(basic('app2', 'pw2'))).status, 204)
    await reload((c) => (c.log['allow'] = ['192.0.2.0/24']))
    await waitFor(async () => (await post(basic('app2', 'pw2'))).status === 403, 5000, 'log.allow to apply')
    assert.deepEqual(reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART'), [])
  })
})
