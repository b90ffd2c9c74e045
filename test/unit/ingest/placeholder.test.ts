import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PlaceholderLimiter, placeholderRecord } from '../../../src/ingest/placeholder.js'

describe('PlaceholderLimiter', () => {
  it('admits 10 a minute per peer, then counts, and reports the count with the next one admitted', () => {
    const limiter = new PlaceholderLimiter()
    const t0 = 1_000_000
    for (let i = 0; i < 10; i++) assert.equal(limiter.admit('10.0.0.5', t0 + i), 0)
    for (let i = 0; i < 5; i++) assert.equal(limiter.admit('10.0.0.5', t0 + 100 + i), null)
    assert.equal(limiter.admit('10.0.0.6', t0 + 200), 0, 'another peer has its own allowance')
    assert.equal(limiter.admit('10.0.0.5', t0 + 60_000), 5, 'a new window: the suppressed count travels with the first line')
    assert.equal(limiter.admit('10.0.0.5', t0 + 60_001), 0)
  })

  it('remembers a bounded number of peers, forgetting the longest unseen first', () => {
    const limiter = new PlaceholderLimiter({ perWindow: 1, windowMs: 60_000, maxPeers: 3, totalPerWindow: 100 })
    for (const peer of ['a', 'b', 'c']) assert.equal(limiter.admit(peer, 0), 0)
    assert.equal(limiter.admit('a', 1), null) // a is now the most recently seen
    assert.equal(limiter.admit('d', 2), 0) // evicts b
    assert.equal(limiter.admit('b', 3), 0, 'b was forgotten and starts afresh')
    assert.equal(limiter.admit('a', 4), null, 'a was kept')
  })

  it('caps all peers together, so many addresses cannot flood the file either', () => {
    const limiter = new PlaceholderLimiter({ perWindow: 10, windowMs: 60_000, maxPeers: 3, totalPerWindow: 5 })
    const admitted = Array.from({ length: 20 }, (_, i) => limiter.admit(`10.0.0.${i}`, i)).filter((x) => x !== null)
    assert.equal(admitted.length, 5)
    assert.equal(limiter.admit('10.0.0.99', 60_000), 0, 'a new window')
  })

  it('refuses nonsensical limits', () => {
    assert.throws(() => new PlaceholderLimiter({ perWindow: 0, windowMs: 1, maxPeers: 1, totalPerWindow: 1 }), RangeError)
  })
})

describe('placeholderRecord()', () => {
  it('is a WARNING from the peer, by the server, saying what was lost and why', () => {
    const r = placeholderRecord('10.0.0.5', 'PICKLE_BUDGET_EXCEEDED', 319488, 'pickle: expands to more than 65536 values', 3, 1_764_000_000_250)
    assert.equal(r.levelname, 'WARNING')
    assert.equal(r.levelno, 30)
    assert.equal(r.client, '10.0.0.5')
    assert.equal(r.name, 'loggingserver')
    assert.equal(r.msg, 'undecodable record from 10.0.0.5: PICKLE_BUDGET_EXCEEDED (319488 bytes): pickle: expands to more than 65536 values (3 more from this peer since the last such line were only counted)')
    assert.equal(r.created, 1_764_000_000.25)
    assert.equal(r.msecs, 250)
  })
})
