import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PyTuple } from '../../../src/py-value.js'
import { createRecordJson, LISTED_TEXT_CHARS, WHOLE_TEXT_CHARS } from '../../../src/web/record-json.js'
import { toRecent } from '../../../src/status/recent.js'
import { rec } from './records.js'

describe('createRecordJson()', () => {
  it('renders time with the configured datefmt, from the client\'s created time', () => {
    const toJson = createRecordJson({ datefmt: '%Y-%m-%dT%H:%M:%SZ', utc: true })
    assert.equal(toJson(rec(1, { created: 1_764_110_985.896, msecs: 896 })).time, '2025-11-25T22:49:45Z')
  })
  it('uses Python\'s default asctime without a datefmt', () => {
    const toJson = createRecordJson({ datefmt: null, utc: true })
    assert.equal(toJson(rec(1, { created: 1_764_110_985.896, msecs: 896 })).time, '2025-11-25 22:49:45,896')
  })
  it('merges args into the message as getMessage() does', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    assert.equal(toJson(rec(1, { msg: 'order %s declined', args: new PyTuple([1234n]) })).message, 'order 1234 declined')
  })
  it('cuts long texts for lists at LISTED_TEXT_CHARS and says so', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    const j = toJson(rec(1, { msg: 'x'.repeat(LISTED_TEXT_CHARS + 10), exc_text: 'short' }))
    assert.equal(j.truncated, true)
    assert.equal(j.message, 'x'.repeat(LISTED_TEXT_CHARS) + '…[truncated]')
    assert.equal(j.exc_text, 'short')
    assert.equal(toJson(rec(1, { msg: 'x'.repeat(LISTED_TEXT_CHARS) })).truncated, false)
  })
  it('keeps a whole record\'s text up to what the ring keeps, flagging a text the ring cut', () => {
    const whole = createRecordJson({ datefmt: null, utc: false }, WHOLE_TEXT_CHARS)
    const kept = toRecent(rec(1, { msg: 'y'.repeat(200_000), exc_text: 'z'.repeat(WHOLE_TEXT_CHARS) }), 'y'.repeat(200_000))
    const j = whole(kept)
    assert.equal(j.truncated, true)
    assert.equal(j.message.length, WHOLE_TEXT_CHARS + '…[truncated]'.length)
    assert.equal(j.exc_text, 'z'.repeat(WHOLE_TEXT_CHARS))
  })
  it('never cuts a surrogate pair in half', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    const j = toJson(rec(1, { msg: 'x'.repeat(LISTED_TEXT_CHARS - 1) + '😀'.repeat(10) }))
    assert.equal(j.message, 'x'.repeat(LISTED_TEXT_CHARS - 1) + '…[truncated]')
  })
  it('turns a bigint process id into a string, which JSON can carry', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    assert.equal(JSON.parse(JSON.stringify(toJson(rec(1, { process: 2n ** 64n })))).process, '18446744073709551616')
  })
})
