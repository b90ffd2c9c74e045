// The shared slab's allocator: regions come back in the order they were taken, keepers may hold them longer,
// and no two regions in use ever overlap, whatever the order of finishes and holds (checked with fast-check).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { SharedSlab, type Region } from '../../../src/decode-threads/shared-slab.js'

describe('SharedSlab', () => {
  it('hands out regions in order, goes round once the oldest are free, and says when it has no room', () => {
    const slab = new SharedSlab(100)
    const a = slab.take(40)!
    const b = slab.take(40)!
    assert.deepEqual([a.start, a.end, b.start, b.end], [0, 40, 40, 80])
    assert.equal(slab.take(30), null, '20 left at the end, and the start is in use')
    a.finish()
    const c = slab.take(30)!
    assert.deepEqual([c.start, c.end], [0, 30], 'round to the start, below the oldest region still in use')
    assert.equal(slab.take(15), null, 'between c (ends at 30) and b (starts at 40) there are 10 bytes')
    assert.equal(slab.take(10)!.start, 30)
    assert.equal(slab.take(0), null)
    assert.equal(slab.take(101), null)
  })

  it('keeps a region a keeper holds after it is finished, and the ones after it too (they come back in order)', () => {
    const slab = new SharedSlab(100)
    const a = slab.take(50)!
    const b = slab.take(50)!
    a.hold()
    a.finish()
    b.finish()
    assert.equal(slab.take(10), null, 'a is held: nothing is free')
    a.letGo()
    assert.equal(slab.take(100)!.start, 0, 'both free once a is let go')
  })

  it('shrinks the newest region to what it used, so the next one follows it', () => {
    const slab = new SharedSlab(100)
    const a = slab.take(80)!
    slab.shrink(a, 30)
    assert.equal(a.end, 30)
    assert.equal(slab.take(70)!.start, 30)
  })

  it('never hands out overlapping live regions, and every byte written stays until its region is free', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3), fc.boolean()), { maxLength: 300 }), (steps) => {
        const slab = new SharedSlab(256)
        const bytes = new Uint8Array(slab.buffer)
        const live: Array<{ region: Region; mark: number; held: boolean }> = []
        let mark = 0
        for (const [length, finishes, hold] of steps) {
          const region = slab.take(length)
          if (region !== null) {
            mark = (mark % 250) + 1
            bytes.fill(mark, region.start, region.end)
            if (hold) region.hold()
            live.push({ region, mark, held: hold })
          }
          // Finish the oldest few (reads are released in order); let go of holds out of order.
          for (let i = 0; i < finishes && i < live.length; i++) if (live[i]!.region.inUse) live[i]!.region.finish()
          const held = live.find((l) => l.held && !l.region.inUse)
          if (held && finishes % 2 === 1) {
            held.held = false
            held.region.letGo()
          }
          for (let i = live.length - 1; i >= 0; i--) if (!live[i]!.region.inUse && !live[i]!.held) live.splice(i, 1)
          for (const l of live) assert.ok(bytes.subarray(l.region.start, l.region.end).every((b) => b === l.mark), 'a live region was overwritten')
        }
      }),
      { numRuns: 300 },
    )
  })
})
