import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Ring } from '../../../src/status/ring.js'

describe('Ring', () => {
  it('keeps the latest N items, oldest first', () => {
    const ring = new Ring<number>(300)
    for (let i = 1; i <= 350; i++) ring.push(i)
    const items = ring.toArray()
    assert.equal(items.length, 300)
    assert.equal(items[0], 51)
    assert.equal(items[299], 350)
  })
  it('returns fewer items before it is full', () => {
    const ring = new Ring<string>(3)
    ring.push('a')
    ring.push('b')
    assert.deepEqual(ring.toArray(), ['a', 'b'])
    assert.equal(ring.size, 2)
  })
  it('refuses a capacity below 1', () => {
    assert.throws(() => new Ring(0), RangeError)
  })
})

describe('Ring.latest() and Ring.last()', () => {
  it('returns the newest n items, oldest first, across the wrap', () => {
    const ring = new Ring<number>(5)
    for (let i = 1; i <= 12; i++) ring.push(i)
    assert.deepEqual(ring.latest(3), [10, 11, 12])
    assert.deepEqual(ring.latest(99), [8, 9, 10, 11, 12])
    assert.deepEqual(ring.latest(0), [])
    assert.equal(ring.last(), 12)
  })
  it('has no last item while empty', () => {
    assert.equal(new Ring<number>(2).last(), undefined)
  })
})
