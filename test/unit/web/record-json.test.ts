import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PyTuple } from '../../../src/py-value.js'
import { createRecordJson, MAX_TEXT_CHARS } from '../../../src/web/record-json.js'
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
  it('cuts very long texts and says so', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    const j = toJson(rec(1, { msg: 'x'.repeat(MAX_TEXT_CHARS + 10), exc_text: 'short' }))
    assert.equal(j.truncated, true)
    assert.ok(j.message.length < MAX_TEXT_CHARS + 20)
    assert.equal(j.exc_text, 'short')
  })
  it('turns a bigint process id into a string, which JSON can carry', () => {
    const toJson = createRecordJson({ datefmt: null, utc: false })
    assert.equal(JSON.parse(JSON.stringify(toJson(rec(1, { process: 2n ** 64n })))).process, '18446744073709551616')
  })
})
