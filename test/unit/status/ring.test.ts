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
