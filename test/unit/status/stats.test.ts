import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toLogRecord } from '../../../src/record.js'
import { Stats } from '../../../src/status/stats.js'

function record(level: string, client: string, received: number) {
  return toLogRecord(new Map<string, string | number>([['levelname', level], ['msg', 'm']]), client, received)
}

describe('Stats', () => {
  it('counts records per level and per client', () => {
    const stats = new Stats()
    const now = Date.now() / 1000
    stats.record(record('INFO', '10.0.0.1', now))
    stats.record(record('ERROR', '10.0.0.1', now))
    stats.record(record('INFO', '10.0.0.2', now))
    assert.equal(stats.recordsReceived, 3)
    assert.equal(stats.byLevel.get('INFO'), 2)
    assert.equal(stats.clients.get('10.0.0.1')?.records, 2)
    assert.equal(stats.clients.get('10.0.0.1')?.levels['ERROR'], 1)
  })

  it('reports the rate over the last whole seconds, forgetting older ones', () => {
    const stats = new Stats()
    const base = Math.floor(Date.now() / 1000) + 10
    for (let i = 0; i < 50; i++) stats.record(record('INFO', 'h', base + 0.5))
    for (let i = 0; i < 30; i++) stats.record(record('INFO', 'h', base + 1.5))
    assert.equal(stats.rate(10, (base + 2) * 1000), 8)
    assert.equal(stats.rate(60, (base + 2) * 1000), 80 / 60)
    assert.equal(stats.rate(10, (base + 30) * 1000), 0)
  })

  it('counts rejections by code', () => {
    const stats = new Stats()
    stats.reject('FRAME_TOO_LARGE')
    stats.reject('FRAME_TOO_LARGE')
    stats.reject('NOT_A_DICT')
    assert.equal(stats.rejected.get('FRAME_TOO_LARGE'), 2)
    assert.equal(stats.rejectedTotal, 3)
  })
})
