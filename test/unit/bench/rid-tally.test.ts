// The bench's exactly-once check must count ids however the file's reads cut them, and see doubles.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RidTally } from '../../../bench/rid-tally.js'

const line = (rid: number): string => `2026-11-30 12:00:00,000 app INFO rid=${String(rid).padStart(9, '0')} hello\n`

describe('RidTally', () => {
  it('counts every id once whatever the chunk boundaries', () => {
    const text = Buffer.from(Array.from({ length: 50 }, (_, i) => line(i)).join(''))
    for (const size of [1, 2, 3, 5, 13, 64, text.length]) {
      const tally = new RidTally(50)
      for (let at = 0; at < text.length; at += size) tally.feed(text.subarray(at, at + size))
      assert.deepEqual(tally.summary(), { expected: 50, distinct: 50, missing: 0, duplicates: 0, unknown: 0, exactlyOnce: true }, `chunks of ${size}`)
    }
  })

  it('reports doubles, missing ids, and tokens out of range or not 9 digits', () => {
    const tally = new RidTally(3)
    tally.feed(Buffer.from(line(0) + line(0) + line(2) + line(7) + 'rid=12345678x tail\n'))
    assert.deepEqual(tally.summary(), { expected: 3, distinct: 2, missing: 1, duplicates: 1, unknown: 2, exactlyOnce: false })
  })

  it('tells the first sighting of each id', () => {
    const seen: number[] = []
    const tally = new RidTally(4, (rid) => seen.push(rid))
    tally.feed(Buffer.from(line(3) + line(1) + line(3)))
    assert.deepEqual(seen, [3, 1])
  })
})
