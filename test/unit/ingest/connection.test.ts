import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { restsBeforeNextRead } from '../../../src/ingest/connection.js'
import { REST_MS } from '../../../src/ingest/flow-control.js'

describe('restsBeforeNextRead', () => {
  it('rests a connection whose small reads come faster than a rest lasts (a SocketHandler sending flat out)', () => {
    assert.equal(restsBeforeNextRead(2, 0.1), true)
    assert.equal(restsBeforeNextRead(50, REST_MS - 0.01), true)
  })

  it('does not rest a client slower than one frame per rest: the rest would gather nothing', () => {
    assert.equal(restsBeforeNextRead(2, REST_MS), false)
    assert.equal(restsBeforeNextRead(100, 20), false)
    // The first read has no previous one.
    assert.equal(restsBeforeNextRead(2, Infinity), false)
  })

  it('does not rest after a single small read: a blasting client we have just caught up with ends a read short', () => {
    assert.equal(restsBeforeNextRead(0, 0.1), false)
    assert.equal(restsBeforeNextRead(1, 0.1), false)
  })
})
