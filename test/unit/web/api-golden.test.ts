// Pins every JSON body of the status port, byte for byte (key order too), from fixed inputs: fixed records,
// fixed statistics, a fixed clock. A shape change must change test/fixtures/api/responses.json deliberately:
// UPDATE_GOLDEN=1 npm run test:unit rewrites it, and the diff is the API change to review (and to match in
// src/web/api-contract.ts, which both the server and the page compile against).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, it, mock } from 'node:test'
import { ConfigSchema } from '../../../src/config/schema.js'
import type { LogRecord } from '../../../src/record.js'
import { Ring } from '../../../src/status/ring.js'
import { Stats } from '../../../src/status/stats.js'
import { createApp } from '../../../src/web/app.js'
import { Admission, HEAVY_RESPONSES, streamLimits } from '../../../src/web/limits.js'
import { MetricsExposition } from '../../../src/web/metrics.js'
import { Telemetry } from '../../../src/status/telemetry.js'
import type { FileView } from '../../../src/web/server-view.js'
import { repoRoot } from '../../support/server.js'
import { rec } from './records.js'

const GOLDEN = path.join(repoRoot, 'test/fixtures/api/responses.json')
/** 2025-11-24T16:00:00Z: every time in the bodies is this clock's, or a record's fixed `created`. */
const NOW = 1_764_000_000_000

interface Pinned {
  status: number
  body: unknown
}

const file: FileView = { path: '/var/log/central.log', sizeBytes: 123_456, rotations: 2, backlogRecords: 3, backlogBytes: 456, healthy: true, lastError: null, recordsWritten: 789 }

function fixedView(): Parameters<typeof createApp>[0] {
  const stats = new Stats() // startedAt is the mocked clock
  const ring = new Ring<LogRecord>(5)
  const records = [
    rec(1, { received: NOW / 1000 - 3 }),
    rec(2, { levelname: 'ERROR', levelno: 40, msg: 'failed: "quoted"\nsecond line ☃', exc_text: 'Traceback (most recent call last):\n  ValueError: x', received: NOW / 1000 - 2 }),
    rec(3, { levelname: 'NOTICE', levelno: 25, client: '10.0.0.2', process: 18_446_744_073_709_551_615n, stack_info: 'Stack (most recent call last):', received: NOW / 1000 - 1 }),
  ]
  for (const r of records) {
    stats.record(r)
    ring.push(r)
  }
  stats.bytesReceived = 4321
  stats.connectionsOpen = 1
  stats.connectionsTotal = 2
  stats.reject('FRAME_TOO_LARGE')
  const config = ConfigSchema.parse({ file: { utc: true } })
  return { version: '9.9.9', config, stats, telemetry: new Telemetry(1000), ring, file: () => file, backpressure: () => false, forwardTargets: () => [], configState: () => ({ valid: true, problem: null, source: '/etc/loggingserver.yaml' }) }
}

/** The first `event:` block of an SSE body, and the preamble before it. */
async function firstEvent(url: string): Promise<Pinned & { preamble: string }> {
  const abort = new AbortController()
  const res = await fetch(url, { signal: abort.signal })
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!/event:[^]*?\n\n/.test(text)) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
  }
  abort.abort()
  const [preamble = '', block = ''] = text.split(/(?=id: )/)
  const fields = Object.fromEntries(block.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
  return { status: res.status, preamble, body: { id: fields['id'], event: fields['event'], data: JSON.parse(fields['data'] ?? 'null') as unknown } }
}

describe('the JSON API (golden: test/fixtures/api/responses.json)', () => {
  const actual: Record<string, Pinned> = {}
  let server: Server
  let preamble = ''

  before(async () => {
    mock.method(Date, 'now', () => NOW)
    const view = fixedView()
    const app = createApp(view, {
      report: (code, detail) => assert.ok(code === 'LS-WEB-CLIENT-GONE', `${code} ${detail}`),
      reportLimited: (code, detail) => assert.fail(`${code} ${detail}`),
    }, { heavy: new Admission('record requests', HEAVY_RESPONSES), streams: new Admission('live streams', streamLimits(100)) }, new MetricsExposition(view.telemetry))
    server = createServer(app.callback()).listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const get = async (p: string): Promise<Pinned> => {
      const res = await fetch(base + p)
      return { status: res.status, body: (await res.json()) as unknown }
    }
    for (const p of ['/api/status', '/api/records', '/api/records?after=1&limit=1', '/api/records/2', '/api/records/99', '/api/records?limit=0', '/healthz']) {
      actual[`GET ${p}`] = await get(p)
    }
    const sse = await firstEvent(`${base}/api/stream?after=1`)
    preamble = sse.preamble
    actual['GET /api/stream?after=1 (first event)'] = { status: sse.status, body: sse.body }
    Object.assign(file, { healthy: false, lastError: 'EACCES: permission denied, open /var/log/central.log' })
    actual['GET /healthz (writer failing)'] = await get('/healthz')
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, JSON.stringify(actual, null, 2) + '\n')
    // Never written silently: a lost golden file would otherwise pin whatever the code does now.
    assert.ok(existsSync(GOLDEN), `${GOLDEN} is missing: UPDATE_GOLDEN=1 npm run test:unit writes it`)
  })

  after(() => {
    mock.restoreAll()
    server.closeAllConnections()
    server.close()
  })

  const golden = (): Record<string, Pinned> => JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Pinned>

  it('answers exactly the requests the golden file pins', () => {
    assert.deepEqual(Object.keys(actual), Object.keys(golden()))
  })

  for (const request of [
    'GET /api/status',
    'GET /api/records',
    'GET /api/records?after=1&limit=1',
    'GET /api/records/2',
    'GET /api/records/99',
    'GET /api/records?limit=0',
    'GET /api/stream?after=1 (first event)',
    'GET /healthz',
    'GET /healthz (writer failing)',
  ]) {
    it(`${request}: status and body as pinned`, () => {
      // Compared as text, so a reordered key or a number turned string shows as a diff, not just a mismatch.
      assert.equal(JSON.stringify(actual[request], null, 2), JSON.stringify(golden()[request], null, 2))
    })
  }

  it('frames a stream as SSE: a retry hint, then events whose id is the newest seq sent', () => {
    assert.equal(preamble, 'retry: 2000\n\n')
  })
})
