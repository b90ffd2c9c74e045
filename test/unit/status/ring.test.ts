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

describe('Ring: deferred items', () => {
  /** A source that counts how often it resolves and how many holds it has. */
  function source(): { resolve(i: number, seq: number): { seq: number; text: string }; hold(): void; letGo(): void; resolved: number; holds: number } {
    return {
      resolved: 0,
      holds: 0,
      resolve(i, seq) {
        this.resolved++
        return { seq, text: `item ${i}` }
      },
      hold() {
        this.holds++
      },
      letGo() {
        this.holds--
      },
    }
  }

  it('resolves an item when first read, through finish, once, and lets go of its source', () => {
    const ring = new Ring<{ seq: number; text: string }>(4, (r) => ({ ...r, text: r.text.toUpperCase() }))
    const s = source()
    ring.push({ seq: 1, text: 'plain' })
    ring.pushDeferred(s, 7, 2)
    ring.pushDeferred(s, 8, 3)
    assert.equal(s.holds, 2)
    assert.equal(s.resolved, 0, 'pushing resolves nothing')
    assert.deepEqual(ring.last(), { seq: 3, text: 'ITEM 8' })
    assert.equal(s.resolved, 1, 'last() resolves only the newest')
    assert.deepEqual(ring.toArray(), [{ seq: 1, text: 'plain' }, { seq: 2, text: 'ITEM 7' }, { seq: 3, text: 'ITEM 8' }])
    assert.equal(s.resolved, 2, 'a resolved item is kept resolved')
    assert.equal(s.holds, 0)
  })

  it('lets go of a deferred item pushed out unread, without resolving it', () => {
    const ring = new Ring<{ seq: number; text: string }>(2)
    const s = source()
    for (let seq = 1; seq <= 5; seq++) ring.pushDeferred(s, seq, seq)
    assert.equal(s.holds, 2, 'only the two still in the ring are held')
    assert.equal(s.resolved, 0)
    assert.deepEqual(ring.latest(2).map((r) => r.seq), [4, 5])
    assert.equal(s.holds, 0)
  })
})
