import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PartialFrames, type PartialFrameHolder } from '../../../src/ingest/partial-frames.js'

/** A holder that, like a Connection, reports 0 back when it is shed (its close releases what it held). */
function holders(budget: PartialFrames, count: number): { list: PartialFrameHolder[]; shed: number[] } {
  const shed: number[] = []
  const list = Array.from({ length: count }, (_, i) => {
    const holder: PartialFrameHolder = {
      shedPartialFrame: () => {
        shed.push(i)
        budget.update(holder, 0)
      },
    }
    return holder
  })
  return { list, shed }
}

describe('PartialFrames', () => {
  it('keeps a running total and sheds nothing within the bound', () => {
    const budget = new PartialFrames(1000)
    const { list, shed } = holders(budget, 3)
    budget.update(list[0]!, 400)
    budget.update(list[1]!, 300)
    budget.update(list[2]!, 300)
    assert.equal(budget.totalBytes, 1000)
    budget.update(list[0]!, 0)
    assert.equal(budget.totalBytes, 600)
    assert.deepEqual(shed, [])
  })

  it('past the bound sheds the largest holders first, only as many as needed', () => {
    const budget = new PartialFrames(1000)
    const { list, shed } = holders(budget, 5)
    for (const [i, bytes] of [100, 500, 200, 150, 0].entries()) budget.update(list[i]!, bytes)
    budget.update(list[4]!, 400) // 1350 > 1000: dropping 500 gives 850
    assert.deepEqual(shed, [1])
    assert.equal(budget.totalBytes, 850)
    budget.update(list[0]!, 900) // 100→900: 1650; 900 goes, leaving 750
    assert.deepEqual(shed, [1, 0])
    assert.equal(budget.totalBytes, 750)
  })

  it('tells each shed holder its size and the total before shedding', () => {
    const budget = new PartialFrames(10)
    const seen: [number, number][] = []
    const a: PartialFrameHolder = { shedPartialFrame: (held, total) => seen.push([held, total]) }
    const b: PartialFrameHolder = { shedPartialFrame: (held, total) => seen.push([held, total]) }
    budget.update(a, 6)
    budget.update(b, 7)
    assert.deepEqual(seen, [[7, 13]])
    assert.equal(budget.totalBytes, 6)
  })
})
