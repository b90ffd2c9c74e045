import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LogRecord } from '../../../src/record.js'
import { Ring } from '../../../src/status/ring.js'
import { matches, parseFilter, parseLevel, parseQuery, QueryError, selectRecords } from '../../../src/web/record-query.js'
import { rec } from './records.js'

function ringOf(capacity: number, count: number, over: (seq: number) => Partial<LogRecord> = () => ({})): Ring<LogRecord> {
  const ring = new Ring<LogRecord>(capacity)
  for (let seq = 1; seq <= count; seq++) ring.push(rec(seq, over(seq)))
  return ring
}
const seqs = (rs: LogRecord[]): number[] => rs.map((r) => r.seq)
const noFilter = parseFilter({})

describe('parseQuery()', () => {
  it('defaults to no after and the ring capacity as limit', () => {
    assert.deepEqual(parseQuery({}, 300), { after: null, limit: 300, filter: { minLevel: null, logger: null, client: null, text: null } })
  })
  it('caps limit at the capacity', () => {
    assert.equal(parseQuery({ limit: '5000' }, 300).limit, 300)
  })
  for (const [query, what] of [
    [{ after: '-1' }, 'a negative after'],
    [{ after: '1.5' }, 'a fractional after'],
    [{ limit: '0' }, 'limit 0'],
    [{ limit: 'ten' }, 'a word as limit'],
    [{ after: ['1', '2'] }, 'a repeated parameter'],
    [{ level: 'LOUD' }, 'an unknown level name'],
    [{ q: 'x'.repeat(1001) }, 'an over-long text'],
  ] as const) {
    it(`refuses ${what} with a 400 that says what is wrong`, () => {
      assert.throws(() => parseQuery(query as Record<string, string | string[]>, 300), (err: unknown) => err instanceof QueryError && err.status === 400 && err.expose)
    })
  }
})

describe('parseLevel()', () => {
  it('reads CPython level names in any case, and numbers', () => {
    assert.deepEqual(['debug', 'INFO', 'Warning', 'warn', 'ERROR', 'critical', 'fatal', '25'].map(parseLevel), [10, 20, 30, 30, 40, 50, 50, 25])
  })
})

describe('matches()', () => {
  const r = rec(1, { name: 'billing.worker', client: '10.0.0.17', levelno: 30, levelname: 'WARNING', msg: 'Card declined', exc_text: 'Traceback: KeyError' })
  it('keeps records at or above the minimum level', () => {
    assert.equal(matches(r, parseFilter({ level: 'WARNING' })), true)
    assert.equal(matches(r, parseFilter({ level: 'ERROR' })), false)
  })
  it('matches the logger name and client by prefix', () => {
    assert.equal(matches(r, parseFilter({ logger: 'billing' })), true)
    assert.equal(matches(r, parseFilter({ logger: 'worker' })), false)
    assert.equal(matches(r, parseFilter({ client: '10.0.0.' })), true)
    assert.equal(matches(r, parseFilter({ client: '10.0.1.' })), false)
  })
  it('finds free text case-insensitively in the message and the traceback', () => {
    assert.equal(matches(r, parseFilter({ q: 'DECLINED' })), true)
    assert.equal(matches(r, parseFilter({ q: 'keyerror' })), true)
    assert.equal(matches(r, parseFilter({ q: 'approved' })), false)
  })
  it('requires every given filter', () => {
    assert.equal(matches(r, parseFilter({ logger: 'billing', q: 'approved' })), false)
  })
})

describe('selectRecords()', () => {
  it('returns the newest `limit` records, oldest first, without after', () => {
    const found = selectRecords(ringOf(300, 350), { after: null, limit: 300, filter: noFilter })
    assert.equal(found.records.length, 300)
    assert.equal(found.records[0]!.seq, 51)
    assert.equal(found.records[299]!.seq, 350)
    assert.equal(found.lastSeq, 350)
  })
  it('pages forward with after=, `limit` at a time, without gaps or repeats', () => {
    const ring = ringOf(300, 100)
    const got: number[] = []
    let after = 0
    for (;;) {
      const page = selectRecords(ring, { after, limit: 30, filter: noFilter })
      got.push(...seqs(page.records))
      if (!page.more) break
      after = page.records[page.records.length - 1]!.seq
    }
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i + 1))
  })
  it('returns nothing after the newest record', () => {
    assert.deepEqual(seqs(selectRecords(ringOf(10, 5), { after: 5, limit: 10, filter: noFilter }).records), [])
  })
  it('counts records that left the ring before the caller asked', () => {
    const found = selectRecords(ringOf(10, 50), { after: 20, limit: 10, filter: noFilter })
    assert.equal(found.missed, 20)
    assert.deepEqual(seqs(found.records), [41, 42, 43, 44, 45, 46, 47, 48, 49, 50])
  })
  it('applies filters before the limit', () => {
    const ring = ringOf(300, 100, (seq) => (seq % 10 === 0 ? { levelno: 40, levelname: 'ERROR' } : {}))
    assert.deepEqual(seqs(selectRecords(ring, { after: null, limit: 3, filter: parseFilter({ level: 'error' }) }).records), [80, 90, 100])
    assert.deepEqual(seqs(selectRecords(ring, { after: 15, limit: 2, filter: parseFilter({ level: 'error' }) }).records), [20, 30])
  })
  it('says lastSeq 0 for an empty ring', () => {
    assert.deepEqual(selectRecords(new Ring<LogRecord>(5), { after: null, limit: 5, filter: noFilter }), { records: [], lastSeq: 0, more: false, missed: 0 })
  })
})
