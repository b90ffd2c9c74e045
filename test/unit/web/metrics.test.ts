import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { REJECT_CODES } from '../../../src/errors.js'
import type { LogRecord } from '../../../src/record.js'
import { LevelRates } from '../../../src/status/level-rates.js'
import { Ring } from '../../../src/status/ring.js'
import { Stats } from '../../../src/status/stats.js'
import { Telemetry } from '../../../src/status/telemetry.js'
import { MetricsExposition } from '../../../src/web/metrics.js'
import type { ForwardStatusJson } from '../../../src/web/api-contract.js'
import type { FileView } from '../../../src/web/server-view.js'
import { statusSnapshot } from '../../../src/web/status-snapshot.js'
import { ConfigSchema } from '../../../src/config/schema.js'
import { parsePrometheusText, sampleValue } from './prometheus-text.js'
import { rec } from './records.js'

const file: FileView = { path: '/var/log/x.log', sizeBytes: 1234, rotations: 2, backlogRecords: 3, backlogBytes: 456, healthy: true, lastError: null, recordsWritten: 7 }

/** One exposition for the whole file: prom-client's default collectors are per registry, and start timers. */
const telemetry = new Telemetry(3)
const exposition = new MetricsExposition(telemetry)

function renderMetrics(s: ReturnType<typeof statusSnapshot>): Promise<string> {
  return exposition.render(s)
}

function snapshot(records: Partial<LogRecord>[]): ReturnType<typeof statusSnapshot> {
  const stats = new Stats()
  const ring = new Ring<LogRecord>(300)
  records.forEach((over, i) => {
    const r = rec(i + 1, { received: Date.now() / 1000, ...over })
    stats.record(r)
    ring.push(r)
  })
  stats.reject('FRAME_TOO_LARGE')
  return statusSnapshot({ version: '1.2.3', config: ConfigSchema.parse({}), stats, telemetry, ring, levelRates: new LevelRates(), inputs: [], forward: [], file: () => file, backpressure: () => true, configState: () => ({ valid: true, problem: null, source: null }) }, 2)
}

describe('MetricsExposition', () => {
  it('writes valid Prometheus text with the status page\'s numbers', async () => {
    const families = parsePrometheusText(await renderMetrics(snapshot([{}, {}, { levelname: 'ERROR', levelno: 40 }])))
    assert.equal(sampleValue(families, 'loggingserver_records_received_total'), 3)
    assert.equal(sampleValue(families, 'loggingserver_records_by_level_total', { level: 'INFO' }), 2)
    assert.equal(sampleValue(families, 'loggingserver_records_by_level_total', { level: 'ERROR' }), 1)
    assert.equal(sampleValue(families, 'loggingserver_frames_rejected_total', { reason: 'frame_too_large' }), 1)
    assert.equal(sampleValue(families, 'loggingserver_file_backlog_bytes'), 456)
    assert.equal(sampleValue(families, 'loggingserver_backpressure'), 1)
    assert.equal(sampleValue(families, 'loggingserver_stream_clients'), 2)
    assert.equal(sampleValue(families, 'loggingserver_build_info', { version: '1.2.3' }), 1)
    assert.equal(families.get('loggingserver_records_received_total')?.type, 'counter')
    assert.equal(families.get('loggingserver_connections_open')?.type, 'gauge')
  })
  it('lists every rejection reason, also at zero', async () => {
    const families = parsePrometheusText(await renderMetrics(snapshot([])))
    for (const code of REJECT_CODES) assert.notEqual(sampleValue(families, 'loggingserver_frames_rejected_total', { reason: code.toLowerCase() }), undefined)
  })
  it('names our counters *_total, everything else process_/nodejs_ from prom-client\'s default collectors', async () => {
    const families = parsePrometheusText(await renderMetrics(snapshot([])))
    for (const [name, family] of families) {
      assert.match(name, /^(loggingserver|process|nodejs)_/)
      if (name.startsWith('loggingserver_')) assert.equal(family.type === 'counter', name.endsWith('_total'), name)
    }
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'process_max_fds', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(families.has(name), `${name} missing`)
    }
    assert.equal(families.has('loggingserver_records_per_second'), false, 'Prometheus computes rates from counters')
  })

  it('exports the histograms where the time goes', async () => {
    telemetry.frameBytes.observe(700)
    telemetry.writeLatency.observe(0.004)
    const families = parsePrometheusText(await renderMetrics(snapshot([])))
    for (const name of ['loggingserver_frame_bytes', 'loggingserver_ingest_batch_seconds', 'loggingserver_write_latency_seconds', 'loggingserver_api_records_response_seconds']) {
      assert.equal(families.get(name)?.type, 'histogram', name)
    }
    assert.equal(sampleValue(families, 'loggingserver_frame_bytes_bucket', { le: '1024' }), 1)
    assert.equal(sampleValue(families, 'loggingserver_frame_bytes_bucket', { le: '512' }), 0)
    assert.equal(sampleValue(families, 'loggingserver_write_latency_seconds_count'), 1)
  })

  it('keeps a series per client until restart, past web.metrics_max_clients under client="other"', async () => {
    const local = new Telemetry(2)
    const own = new MetricsExposition(local)
    const at = (client: string, received: number): LogRecord => rec(1, { client, received })
    for (const [client, t] of [['10.0.0.1', 100], ['10.0.0.2', 101], ['10.0.0.1', 102], ['10.0.0.3', 103], ['10.0.0.4', 104]] as const) local.clients.record(at(client, t))
    const families = parsePrometheusText(await own.render(snapshot([])))
    assert.equal(sampleValue(families, 'loggingserver_client_records_total', { client: '10.0.0.1' }), 2)
    assert.equal(sampleValue(families, 'loggingserver_client_records_total', { client: '10.0.0.2' }), 1)
    assert.equal(sampleValue(families, 'loggingserver_client_records_total', { client: 'other' }), 2)
    assert.equal(sampleValue(families, 'loggingserver_client_records_total', { client: '10.0.0.3' }), undefined)
    assert.equal(sampleValue(families, 'loggingserver_client_last_seen_timestamp_seconds', { client: '10.0.0.1' }), 102)
    assert.equal(sampleValue(families, 'loggingserver_client_last_seen_timestamp_seconds', { client: 'other' }), 104)
  })

  it('exports each forward target\'s queue and counters, labelled by URL (acked only for RELP)', async () => {
    const base = { queueBytesMax: 1000, resent: 0, lastError: null }
    const forward: ForwardStatusJson[] = [
      { ...base, url: 'relp://127.0.0.1:2514', state: 'connected', queuedRecords: 3, queuedBytes: 300, sent: 10, acked: 7, resent: 2, dropped: 0 },
      { ...base, url: 'tcp://[::1]:514', state: 'backoff', queuedRecords: 9, queuedBytes: 990, sent: 4, acked: null, dropped: 5 },
    ]
    const own = new MetricsExposition(new Telemetry(2))
    const text = await own.render({ ...snapshot([]), forward })
    const families = parsePrometheusText(text)
    const relp = { target: 'relp://127.0.0.1:2514' }
    const tcp = { target: 'tcp://[::1]:514' }
    assert.equal(sampleValue(families, 'loggingserver_forward_up', relp), 1)
    assert.equal(sampleValue(families, 'loggingserver_forward_up', tcp), 0)
    assert.equal(sampleValue(families, 'loggingserver_forward_queued_records', tcp), 9)
    assert.equal(sampleValue(families, 'loggingserver_forward_queued_bytes', relp), 300)
    assert.equal(sampleValue(families, 'loggingserver_forward_queue_max_bytes', tcp), 1000)
    assert.equal(sampleValue(families, 'loggingserver_forward_sent_total', relp), 10)
    assert.equal(sampleValue(families, 'loggingserver_forward_acked_total', relp), 7)
    assert.equal(sampleValue(families, 'loggingserver_forward_acked_total', tcp), undefined)
    assert.equal(sampleValue(families, 'loggingserver_forward_resent_total', relp), 2)
    assert.equal(sampleValue(families, 'loggingserver_forward_dropped_total', tcp), 5)
    assert.equal(families.get('loggingserver_forward_dropped_total')?.type, 'counter')
    // Debian's promtool is the judge of the names, where installed (the Prometheus integration test needs it anyway).
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
    if (promtool.error === undefined) assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`)
  })

  it('exports each input\'s records, refusals and open connections, labelled by kind and address', async () => {
    const inputs = [
      { kind: 'tcp' as const, address: '127.0.0.1:9020', records: 12, rejected: 1, open: 3 },
      { kind: 'udp' as const, address: '127.0.0.1:9024', records: 5, rejected: 2, open: null },
      { kind: 'http' as const, address: 'POST /log on 127.0.0.1:9021', records: 4, rejected: 0, open: null },
    ]
    const text = await renderMetrics({ ...snapshot([]), inputs })
    const families = parsePrometheusText(text)
    const tcp = { kind: 'tcp', address: '127.0.0.1:9020' }
    const udp = { kind: 'udp', address: '127.0.0.1:9024' }
    assert.equal(sampleValue(families, 'loggingserver_input_records_total', tcp), 12)
    assert.equal(sampleValue(families, 'loggingserver_input_records_total', { kind: 'http', address: 'POST /log on 127.0.0.1:9021' }), 4)
    assert.equal(sampleValue(families, 'loggingserver_input_rejected_total', udp), 2)
    assert.equal(sampleValue(families, 'loggingserver_input_connections', tcp), 3)
    assert.equal(sampleValue(families, 'loggingserver_input_connections', udp), undefined)
    assert.equal(families.get('loggingserver_input_records_total')?.type, 'counter')
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
    if (promtool.error === undefined) assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`)
  })

  it('shows connections by state', async () => {
    const paused = parsePrometheusText(await renderMetrics({ ...snapshot([]), connectionsOpen: 3, backpressure: true }))
    assert.equal(sampleValue(paused, 'loggingserver_connections', { state: 'paused' }), 3)
    assert.equal(sampleValue(paused, 'loggingserver_connections', { state: 'reading' }), 0)
    const families = parsePrometheusText(await renderMetrics({ ...snapshot([]), connectionsOpen: 2, backpressure: false }))
    assert.equal(sampleValue(families, 'loggingserver_connections', { state: 'reading' }), 2)
    assert.equal(families.get('loggingserver_connections')?.type, 'gauge')
  })
  it('escapes a hostile level name so the exposition stays valid', async () => {
    const nasty = 'EVIL"} 1\nloggingserver_pwned 1 \\'
    const families = parsePrometheusText(await renderMetrics(snapshot([{ levelname: nasty }])))
    assert.equal(sampleValue(families, 'loggingserver_records_by_level_total', { level: nasty }), 1)
    assert.equal(families.has('loggingserver_pwned'), false)
  })
})

describe('parsePrometheusText() (the test oracle)', () => {
  for (const [text, why] of [
    ['x 1', 'a missing final newline'],
    ['x{a="1} 1\n', 'an unterminated label'],
    ['x{a="\\t"} 1\n', 'a bad escape'],
    ['x 1\ny 1\nx 2\n', 'a split family'],
    ['x 1\nx 1\n', 'a repeated series'],
    ['x one\n', 'a non-number value'],
    ['# TYPE x counter\nx -1\n', 'a negative counter'],
    ['x 1\n# TYPE x counter\n', 'TYPE after samples'],
  ]) {
    it(`rejects ${why}`, () => assert.throws(() => parsePrometheusText(text!)))
  }
})
