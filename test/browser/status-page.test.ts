// The status page in real headless Chromium against the real server, fed by CPython's SocketHandler:
// level classes and colours, the 300-row cap, live updates (SSE and the poll fallback), filters, pause,
// the operator stylesheet, XSS payloads shown as text, the statistics, and a screenshot artifact.
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { artifactPath, launchBrowser } from '../support/browser.js'
import { runClient, runPythonAsync } from '../support/python.js'
import { getJson, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

// The callbacks handed to page.evaluate()/waitForFunction() run inside Chromium. Tests compile without the
// DOM lib (it would retype Node's globals), so the few browser globals they touch are declared here.
interface DomNode {
  textContent: string | null
  className: string
  dataset: Record<string, string | undefined>
  open?: boolean
  getBoundingClientRect(): { top: number; bottom: number; height: number }
  querySelector(selector: string): DomNode | null
  querySelectorAll(selector: string): ArrayLike<DomNode> & Iterable<DomNode>
  scrollIntoView(options?: { block: string }): void
}
declare const document: DomNode & { body: DomNode; getElementById(id: string): DomNode | null }
declare const window: { __pwned?: unknown; __sameDocument?: boolean; scrollTo(x: number, y: number): void }
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string }

const REFRESH_SECONDS = 5
const XSS_MESSAGE = '<img src=x onerror="window.__pwned=1">'
const XSS_LOGGER = '<script>window.__pwned=2</script>'

/** One record per level (plus a custom level 25 and a traceback), and the two XSS payloads, via SocketHandler. */
const MIXED = `
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
logging.addLevelName(25, 'NOTICE')
def log(name, level, msg, **kw):
    l = logging.getLogger(name); l.propagate = False; l.handlers = [h]; l.setLevel(1); l.log(level, msg, **kw)
log('app.db', logging.DEBUG, 'connection pool warmed')
log('app.web', logging.INFO, 'GET /orders 200')
log('app.jobs', 25, 'nightly export started')
log('billing', logging.WARNING, 'card declined for order 1234')
try:
    1 / 0
except ZeroDivisionError:
    log('billing.worker', logging.ERROR, 'invoice failed', exc_info=True)
log('auth', logging.CRITICAL, 'signing key unreadable')
log('web.forms', logging.INFO, sys.argv[2])
log(sys.argv[3], logging.WARNING, 'logger name with markup')
h.close()
`
const MIXED_COUNT = 8

async function lastSeq(port: number): Promise<number> {
  return ((await getJson(port, '/api/records?limit=1')).body as { lastSeq: number }).lastSeq
}

async function rowTexts(page: Page): Promise<string[]> {
  return page.locator('tr.record td.message .text').allTextContents()
}

function rgb(color: string): number[] {
  return (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number)
}

describe('status page in Chromium', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  const cssDir = tempDir('loggingserver-css-')
  const cssFile = path.join(cssDir, 'operator.css')

  before(async () => {
    server = await startServer(`web:\n  css_file: ${cssFile}\n  refresh_seconds: ${REFRESH_SECONDS}\n`)
    browser = await launchBrowser()
    await runPythonAsync(MIXED, [String(server.logPort), XSS_MESSAGE, XSS_LOGGER])
    await waitFor(async () => (await lastSeq(server.webPort)) === MIXED_COUNT, 5000, 'the mixed records')
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(`http://127.0.0.1:${server.webPort}/`)
    await page.waitForSelector('tr.record')
  })
  after(async () => {
    await browser?.close()
    server?.cleanup()
    rmSync(cssDir, { recursive: true, force: true })
  })

  it('gives each row its level class and INFO and ERROR visibly different colours', async () => {
    const classes = await page.locator('tr.record').evaluateAll((rows) => rows.map((r) => r.className))
    assert.deepEqual(classes, ['debug', 'info', 'custom', 'warning', 'error', 'critical', 'info', 'warning'].map((l) => `record level-${l}`))
    const colour = (cls: string): Promise<string> => page.locator(`tr.${cls}`).first().evaluate((el) => getComputedStyle(el).color)
    const [info, error] = [rgb(await colour('level-info')), rgb(await colour('level-error'))]
    const distance = Math.hypot(...info.map((c, i) => c - error[i]!))
    assert.ok(distance > 100, `INFO ${info} and ERROR ${error} are too alike (${distance.toFixed(0)})`)
    const all = await Promise.all(['debug', 'info', 'warning', 'error', 'critical', 'custom'].map((l) => colour(`level-${l}`)))
    assert.equal(new Set(all).size, 6, `one colour per level: ${all.join(' ')}`)
  })

  it('shows the traceback under its row, collapsed until opened', async () => {
    const details = page.locator('tr.level-error details.traceback')
    assert.equal(await details.evaluate((d) => (d as DomNode).open), false)
    await details.locator('summary').click()
    assert.match(await details.locator('pre').textContent() ?? '', /ZeroDivisionError: division by zero/)
  })

  it('shows markup in messages and logger names as literal text, never running it', async () => {
    assert.ok((await rowTexts(page)).includes(XSS_MESSAGE))
    assert.ok((await page.locator('tr.record td.logger').allTextContents()).includes(XSS_LOGGER))
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    assert.equal(await page.locator('#records img, #records script').count(), 0)
  })

  it('shows statistics matching what was sent', async () => {
    const text = async (id: string): Promise<string> => (await page.locator(`#${id}`).textContent()) ?? ''
    assert.equal(await text('stat-records'), String(MIXED_COUNT))
    const levels = Object.fromEntries(await page.locator('#stat-levels dd').evaluateAll((dds) => dds.map((dd) => [(dd as DomNode).dataset['level'], dd.textContent])))
    assert.deepEqual(levels, { DEBUG: '1', INFO: '2', WARNING: '2', ERROR: '1', CRITICAL: '1', NOTICE: '1' })
    assert.equal(await text('stat-connections-total'), '1')
    assert.equal(await text('stat-file-path'), server.file)
    assert.equal(await text('stat-backpressure'), 'no')
    assert.deepEqual(await page.locator('#clients tr td').allTextContents().then((t) => t.slice(0, 2)), ['127.0.0.1', String(MIXED_COUNT)])
    assert.match(await text('version'), /^\d+\.\d+\.\d+/)
  })

  it('filters the shown records by level, logger, client and text', async () => {
    const visible = (): Promise<string[]> => page.locator('tr.record:not([hidden]) td.message .text').allTextContents()
    await page.selectOption('#filter-level', '40')
    assert.deepEqual(await visible(), ['invoice failed', 'signing key unreadable'])
    await page.selectOption('#filter-level', '')
    await page.fill('#filter-logger', 'billing')
    assert.deepEqual(await visible(), ['card declined for order 1234', 'invoice failed'])
    await page.fill('#filter-logger', '')
    await page.fill('#filter-text', 'ORDER')
    assert.deepEqual(await visible(), ['GET /orders 200', 'card declined for order 1234'])
    await page.fill('#filter-text', '')
    await page.fill('#filter-client', '10.')
    assert.deepEqual(await visible(), [])
    await page.fill('#filter-client', '')
    assert.equal((await visible()).length, MIXED_COUNT)
  })

  it('adds a new record within 1 s over SSE, without reloading', async () => {
    await page.waitForSelector('#live[data-state="live"]', { timeout: 5000 })
    await page.evaluate(() => (window.__sameDocument = true))
    await runClient(server.logPort, 1, 'sse')
    await page.waitForFunction(() => [...document.querySelectorAll('tr.record .text')].some((t) => t.textContent === 'sse 0'), null, { timeout: 3000, polling: 'raf' })
    const shownAt = Date.now()
    const rec = ((await getJson(server.webPort, '/api/records?q=sse%200')).body as { records: { received: number }[] }).records[0]!
    const latency = shownAt - rec.received * 1000
    assert.ok(latency < 1000, `the row appeared ${latency.toFixed(0)} ms after the server received it`)
    assert.equal(await page.evaluate(() => window.__sameDocument), true)
  })

  it('pauses: held records appear only on resume', async () => {
    await page.click('#pause')
    assert.equal(await page.locator('#pause').getAttribute('aria-pressed'), 'true')
    await runClient(server.logPort, 2, 'held')
    await page.waitForFunction(() => document.querySelector('#pause')?.textContent === 'Resume (2 new)', null, { timeout: 3000 })
    assert.equal((await rowTexts(page)).filter((t) => t.startsWith('held')).length, 0)
    await page.click('#pause')
    assert.deepEqual((await rowTexts(page)).slice(-2), ['held 0', 'held 1'])
  })

  it('shows a long record cut, and its whole text once the row is expanded', async () => {
    const LONG = `
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
log = logging.getLogger('long'); log.propagate = False; log.addHandler(h)
try:
    raise ValueError('v' * 9000 + ' end of the exception')
except ValueError:
    log.exception('long %s end of the message', 'w' * 10000)
h.close()
`
    await runPythonAsync(LONG, [String(server.logPort)])
    const row = page.locator('tr.record', { has: page.locator('td.logger', { hasText: /^long$/ }) })
    await row.waitFor({ timeout: 3000 })
    const message = (): Promise<string> => row.locator('.text').textContent().then((t) => t ?? '')
    assert.match(await message(), /^long w+…\[truncated\]$/)
    assert.ok((await message()).length < 4200)
    await row.locator('details.whole summary').click()
    await row.locator('.text', { hasText: 'end of the message' }).waitFor({ timeout: 3000 })
    assert.equal(await message(), `long ${'w'.repeat(10000)} end of the message`)
    assert.match(await row.locator('details.traceback pre').textContent() ?? '', /ValueError: v{9000} end of the exception/)
  })

  it('keeps exactly 300 rows, newest last, when 350 are sent', async () => {
    await runClient(server.logPort, 350, 'bulk')
    await page.waitForFunction(() => [...document.querySelectorAll('tr.record .text')].at(-1)?.textContent === 'bulk 349', null, { timeout: 5000 })
    let texts = await rowTexts(page)
    assert.equal(texts.length, 300)
    assert.equal(texts[0], 'bulk 50')
    assert.equal(texts[299], 'bulk 349')
    await page.reload()
    await page.waitForFunction(() => document.querySelectorAll('tr.record').length === 300, null, { timeout: 5000 })
    texts = await rowTexts(page)
    assert.deepEqual([texts.length, texts[0], texts[299]], [300, 'bulk 50', 'bulk 349'])
  })

  it('keeps the operator\'s scroll position while rows arrive and old ones fall off', async () => {
    const topRow = (): Promise<string> => page.evaluate(() => {
      const box = document.getElementById('records-scroll')!
      const edge = box.getBoundingClientRect().top + box.querySelector('thead')!.getBoundingClientRect().height + 1
      const rows = [...box.querySelectorAll('tr.record')]
      return rows.find((r) => r.getBoundingClientRect().bottom > edge)?.querySelector('.text')?.textContent ?? ''
    })
    await page.evaluate(() => document.querySelectorAll('tr.record')[150]!.scrollIntoView({ block: 'start' }))
    const before = await topRow()
    await runClient(server.logPort, 20, 'scroll')
    await page.waitForFunction(() => [...document.querySelectorAll('tr.record .text')].at(-1)?.textContent === 'scroll 19', null, { timeout: 5000 })
    assert.equal(await topRow(), before)
  })

  it(`falls back to polling: a new record appears within refresh_seconds + 1 s with the stream blocked`, async () => {
    const polled = await browser.newPage()
    try {
      await polled.route('**/api/stream**', (route) => route.abort())
      await polled.goto(`http://127.0.0.1:${server.webPort}/`)
      await polled.waitForSelector('#live[data-state="polling"]', { timeout: 5000 })
      await runClient(server.logPort, 1, 'polled')
      await polled.waitForFunction(() => [...document.querySelectorAll('tr.record .text')].some((t) => t.textContent === 'polled 0'), null, { timeout: (REFRESH_SECONDS + 2) * 1000, polling: 'raf' })
      const shownAt = Date.now()
      const rec = ((await getJson(server.webPort, '/api/records?q=polled%200')).body as { records: { received: number }[] }).records[0]!
      const latency = shownAt - rec.received * 1000
      assert.ok(latency < (REFRESH_SECONDS + 1) * 1000, `the row appeared ${latency.toFixed(0)} ms after the server received it`)
    } finally {
      await polled.close()
    }
  })

  it('applies an edited operator stylesheet on the next load', async () => {
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    writeFileSync(cssFile, 'body { background-color: rgb(10, 20, 30); }\n')
    await page.reload()
    assert.equal(await background(), 'rgb(10, 20, 30)')
    writeFileSync(cssFile, 'body { background-color: rgb(40, 50, 60); }\n')
    await page.reload()
    assert.equal(await background(), 'rgb(40, 50, 60)')
    rmSync(cssFile)
    await page.reload()
    assert.notEqual(await background(), 'rgb(40, 50, 60)') // back to the packaged default
  })

  it('saves a screenshot as a test artifact', async (t) => {
    await runPythonAsync(MIXED, [String(server.logPort), 'user input shown as text: <b>not bold</b>', 'web.templates'])
    await page.reload()
    await page.waitForFunction(() => [...document.querySelectorAll('tr.record .text')].at(-1)?.textContent === 'logger name with markup', null, { timeout: 5000 })
    await page.locator('tr.level-error details.traceback summary').last().click()
    await page.evaluate(() => {
      const box = document.getElementById('records-scroll') as DomNode & { scrollTop: number; scrollHeight: number }
      box.scrollTop = box.scrollHeight
      window.scrollTo(0, 0)
    })
    const file = artifactPath('status-page.png')
    await page.screenshot({ path: file, fullPage: true })
    t.diagnostic(`screenshot: ${file}`)
    console.log(`screenshot saved: ${file}`)
  })
})
