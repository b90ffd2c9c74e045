import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FlowControl, LOOP_TURN_BYTES, REST_MS } from '../../../src/ingest/flow-control.js'

/** A socket's reading state as net.Socket keeps it: pause() and resume() are idempotent switches. */
class Reader {
  reading = true
  switches = 0
  pause(): void {
    if (this.reading) this.switches++
    this.reading = false
  }
  resume(): void {
    if (!this.reading) this.switches++
    this.reading = true
  }
}

describe('FlowControl', () => {
  it('reads again only when no reason remains, whichever order the reasons end in', () => {
    const flow = new FlowControl()
    const a = new Reader()
    flow.attach(a)
    flow.pause(a, 'turn')
    flow.pauseAll('backpressure')
    flow.resume(a, 'turn') // the turn ends while the file is behind: stay paused
    assert.equal(a.reading, false)
    flow.resumeAll('backpressure')
    assert.equal(a.reading, true)

    flow.pauseAll('backpressure')
    flow.pause(a, 'turn')
    flow.resumeAll('backpressure') // the file drains mid-turn: the turn still holds
    assert.equal(a.reading, false)
    flow.resume(a, 'turn')
    assert.equal(a.reading, true)
  })

  it('pauses a socket that joins while a reason holds for every socket', () => {
    const flow = new FlowControl()
    flow.pauseAll('backpressure')
    const late = new Reader()
    flow.attach(late)
    assert.equal(late.reading, false)
    assert.equal(flow.holds('backpressure'), true)
    flow.resumeAll('backpressure')
    assert.equal(late.reading, true)
    assert.equal(flow.holds('backpressure'), false)
  })

  it('applies a reason to every socket, and each socket its own', () => {
    const flow = new FlowControl()
    const [a, b] = [new Reader(), new Reader()]
    flow.attach(a)
    flow.attach(b)
    flow.pause(b, 'turn')
    flow.pauseAll('backpressure')
    flow.resumeAll('backpressure')
    assert.deepEqual([a.reading, b.reading], [true, false])
  })

  it('ignores repeated and unmatched calls, and sockets that left', () => {
    const flow = new FlowControl()
    const a = new Reader()
    flow.attach(a)
    flow.pause(a, 'turn')
    flow.pause(a, 'turn')
    flow.resume(a, 'turn')
    assert.equal(a.reading, true)
    flow.resume(a, 'turn')
    flow.resumeAll('backpressure')
    assert.equal(a.switches, 2)
    flow.detach(a)
    flow.pauseAll('backpressure')
    assert.equal(a.reading, true, 'a detached socket is no longer touched')
  })

  it('rests a socket for REST_MS, then reads again unless another reason still holds', async () => {
    const flow = new FlowControl()
    const a = new Reader()
    const b = new Reader()
    const gone = new Reader()
    for (const s of [a, b, gone]) flow.attach(s)
    flow.rest(a)
    flow.rest(a) // resting already: one pause, one wake
    flow.rest(b)
    flow.rest(gone)
    flow.detach(gone) // closed while resting: never resumed
    flow.pauseAll('backpressure')
    assert.deepEqual([a.reading, b.reading, gone.reading], [false, false, false])
    await new Promise((resolve) => setTimeout(resolve, REST_MS + 20))
    assert.deepEqual([a.reading, b.reading, gone.reading], [false, false, false], 'the file is still behind')
    flow.resumeAll('backpressure')
    assert.deepEqual([a.reading, b.reading, gone.reading], [true, true, false])
    assert.equal(a.switches, 2)
    flow.rest(a) // a later rest works again
    assert.equal(a.reading, false)
    await new Promise((resolve) => setTimeout(resolve, REST_MS + 20))
    assert.equal(a.reading, true)
  })

  it('spends one budget per turn of the event loop for all sockets together', async () => {
    const flow = new FlowControl()
    assert.equal(flow.spend(LOOP_TURN_BYTES - 1), false)
    assert.equal(flow.spend(1), true, 'the turn is spent')
    assert.equal(flow.spend(1), true)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(flow.spend(LOOP_TURN_BYTES - 1), false, 'the next turn starts afresh')
  })
})
