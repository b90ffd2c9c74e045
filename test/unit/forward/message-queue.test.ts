// The forward queue (src/forward/message-queue.ts): first in, first out across its chunks, a message larger than
// a chunk, RELP's put-back in front of a half-read queue, and views handed out staying intact while it fills.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MessageQueue } from '../../../src/forward/message-queue.js'

const msg = (i: number, size = 200): Buffer => Buffer.from(`${i} `.padEnd(size, String.fromCharCode(97 + (i % 26))))
const drain = (q: MessageQueue): string[] => {
  const out: string[] = []
  for (let m = q.shift(); m !== undefined; m = q.shift()) out.push(m.toString())
  return out
}

describe('MessageQueue', () => {
  it('gives messages back in order across many chunks, counting records and bytes', () => {
    const q = new MessageQueue()
    const sent = Array.from({ length: 5000 }, (_, i) => msg(i, 50 + (i % 300)))
    for (const m of sent) q.push(m)
    assert.equal(q.length, 5000)
    assert.equal(q.bytes, sent.reduce((n, m) => n + m.length, 0))
    assert.deepEqual(drain(q), sent.map(String))
    assert.equal(q.length, 0)
    assert.equal(q.bytes, 0)
    assert.equal(q.shift(), undefined)
  })

  it('holds a message larger than a chunk, and an empty one', () => {
    const q = new MessageQueue()
    const big = msg(1, 200_000)
    q.push(msg(0))
    q.push(big)
    q.push(Buffer.alloc(0))
    q.push(msg(2))
    assert.deepEqual(drain(q), [msg(0), big, '', msg(2)].map(String))
  })

  it('puts messages back in front of a half-read queue, and later pushes go after everything', () => {
    const q = new MessageQueue()
    for (let i = 0; i < 10; i++) q.push(msg(i))
    const taken = [q.shift()!, q.shift()!, q.shift()!]
    q.unshiftAll(taken)
    q.push(msg(10))
    assert.equal(q.length, 11)
    assert.deepEqual(drain(q), Array.from({ length: 11 }, (_, i) => String(msg(i))))
    q.unshiftAll([msg(20), msg(21)]) // into an empty queue
    q.push(msg(22))
    assert.deepEqual(drain(q), [20, 21, 22].map((i) => String(msg(i))))
  })

  it('never overwrites a message it handed out (RELP holds them until acknowledged)', () => {
    const q = new MessageQueue()
    q.push(msg(0))
    const held = q.shift()!
    for (let i = 1; i < 2000; i++) q.push(msg(i))
    drain(q)
    assert.equal(held.toString(), String(msg(0)))
  })
})
