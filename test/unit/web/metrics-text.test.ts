import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { REJECT_CODES } from '../../../src/errors.js'
import type { LogRecord } from '../../../src/record.js'
import { Ring } from '../../../src/status/ring.js'
import { Stats } from '../../../src/status/stats.js'
import { escapeLabelValue, renderMetrics } from '../../../src/web/metrics-text.js'
import type { FileView } from '../../../src/web/server-view.js'
import { statusSnapshot } from '../../../src/web/status-snapshot.js'
import { ConfigSchema } from '../../../src/config/schema.js'
import { parsePrometheusText, sampleValue } from './prometheus-text.js'
import { rec } from './records.js'

const file: FileView = { path: '/var/log/x.log', sizeBytes: 1234, rotations: 2, backlogRecords: 3, backlogBytes: 456, healthy: true, lastError: null, recordsWritten: 7 }

function snapshot(records: Partial<LogRecord>[]): ReturnType<typeof statusSnapshot> {
  const stats = new Stats()
  const ring = new Ring<LogRecord>(300)
  records.forEach((over, i) => {
    const r = rec(i + 1, { received: Date.now() / 1000, ...over })
    stats.record(r)
    ring.push(r)
  })
  stats.reject('FRAME_TOO_LARGE')
  return statusSnapshot({ version: '1.2.3', config: ConfigSchema.parse({}), stats, ring, file: () => file, backpressure: () => true }, 2)
}

describe('renderMetrics()', () => {
  it('writes valid Prometheus text with the status page\'s numbers', () => {
    const families = parsePrometheusText(renderMetrics(snapshot([{}, {}, { levelname: 'ERROR', levelno: 40 }])))
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
  it('lists every rejection reason, also at zero', () => {
    const families = parsePrometheusText(renderMetrics(snapshot([])))
    for (const code of REJECT_CODES) assert.notEqual(sampleValue(families, 'loggingserver_frames_rejected_total', { reason: code.toLowerCase() }), undefined)
  })
  it('names counters *_total and everything loggingserver_*', () => {
    for (const [name, family] of parsePrometheusText(renderMetrics(snapshot([])))) {
      assert.match(name, /^loggingserver_/)
      assert.equal(family.type === 'counter', name.endsWith('_total'), name)
    }
  })
  it('escapes a hostile level name so the exposition stays valid', () => {
    const nasty = 'EVIL"} 1\nloggingserver_pwned 1 \\'
    const families = parsePrometheusText(renderMetrics(snapshot([{ levelname: nasty }])))
    assert.equal(sampleValue(families, 'loggingserver_records_by_level_total', { level: nasty }), 1)
    assert.equal(families.has('loggingserver_pwned'), false)
  })
})

describe('escapeLabelValue()', () => {
  it('escapes backslash, quote and newline only', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te')
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
