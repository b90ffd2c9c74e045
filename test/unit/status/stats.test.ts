import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toLogRecord } from '../../../src/record.js'
import { OTHER_LEVELS, Stats } from '../../../src/status/stats.js'
import { rec } from '../web/records.js'

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

describe('Stats: busiest clients and bounds', () => {
  it('lists the busiest clients first', () => {
    const stats = new Stats()
    for (let i = 0; i < 5; i++) stats.record(rec(i, { client: 'b' }))
    stats.record(rec(9, { client: 'a' }))
    for (let i = 0; i < 3; i++) stats.record(rec(i, { client: 'c' }))
    assert.deepEqual(stats.topClients(2).map((c) => c.client), ['b', 'c'])
  })
  it('stays bounded when peers keep changing, forgetting the least recently seen', () => {
    const stats = new Stats({ maxClients: 100 })
    stats.record(rec(0, { client: 'busy', received: 2e9 }))
    for (let i = 0; i < 1000; i++) stats.record(rec(i, { client: `10.1.${i >> 8}.${i & 255}`, received: 1e9 + i }))
    assert.ok(stats.clients.size <= 100)
    assert.ok(stats.clients.has('busy'), 'the most recently seen peer is kept')
    assert.equal(stats.clientsForgotten + stats.clients.size, 1001)
  })
  it('counts a forgotten peer afresh when it comes back, also straight after a run of its own records', () => {
    const stats = new Stats({ maxClients: 10 })
    for (let t = 1; t <= 3; t++) stats.record(rec(t, { client: 'old', received: t }))
    // The tenth new peer forgets the least recently seen one, 'old', whose entry the last record used.
    for (let i = 0; i < 10; i++) stats.record(rec(10 + i, { client: `p${i}`, received: 10 + i }))
    assert.equal(stats.clients.has('old'), false)
    stats.record(rec(30, { client: 'old', received: 30 }))
    stats.record(rec(31, { client: 'old', received: 31 }))
    assert.equal(stats.clients.get('old')?.records, 2)
    assert.equal(stats.clients.get('old')?.lastSeen, 31)
    const total = [...stats.clients.values()].reduce((n, c) => n + c.records, 0)
    // Missing from the table: the first three of 'old' and p0's one (forgotten to make room for 'old' again).
    assert.equal(stats.clients.has('p0'), false)
    assert.equal(total + 4, stats.recordsReceived)
  })
  it('counts level names past the limit together, so the wire cannot grow the table', () => {
    const stats = new Stats({ maxLevelNames: 3 })
    for (let i = 0; i < 50; i++) stats.record(rec(i, { levelname: `L${i}`, levelno: 25 }))
    assert.equal(stats.byLevel.size, 4)
    assert.equal(stats.byLevel.get(OTHER_LEVELS), 47)
  })
  it('keeps a __proto__ level name an ordinary key', () => {
    const stats = new Stats()
    stats.record(rec(1, { levelname: '__proto__' }))
    assert.equal(stats.clients.get('10.0.0.1')!.levels['__proto__'], 1)
  })
})
