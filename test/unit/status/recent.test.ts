import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getMessage } from '../../../src/format/message.js'
import { PyTuple, type PyValue } from '../../../src/py-value.js'
import { toLogRecord } from '../../../src/record.js'
import { RECENT_TEXT_CHARS, toRecent } from '../../../src/status/recent.js'

describe('toRecent()', () => {
  const big = 'x'.repeat(900_000)
  const junk: PyValue = Array.from({ length: 1000 }, () => new Map())
  const record = toLogRecord(new Map<PyValue, PyValue>([['name', 'app'], ['msg', big], ['exc_text', big], ['junk', junk], ['levelname', 'ERROR']]), '10.0.0.1', 5)

  it('drops the extra values and caps long texts, keeping what the page shows', () => {
    const recent = toRecent(record, record.msg)
    assert.equal(recent.extra.size, 0)
    assert.equal(recent.msg.length, RECENT_TEXT_CHARS)
    assert.equal(recent.exc_text?.length, RECENT_TEXT_CHARS)
    assert.equal(recent.name, 'app')
    assert.equal(recent.levelname, 'ERROR')
    assert.equal(recent.client, '10.0.0.1')
  })

  it('keeps the merged message as msg, with no args left to merge again', () => {
    const r = toLogRecord(new Map<PyValue, PyValue>([['msg', '%s%%'], ['args', new PyTuple([5])]]), 'h', 1)
    const recent = toRecent(r, getMessage(r))
    assert.deepEqual([recent.msg, recent.args, getMessage(recent)], ['5%', null, '5%'])
  })

  it('leaves the record for the central file untouched', () => {
    toRecent(record, record.msg)
    assert.equal(record.msg.length, 900_000)
    assert.equal(record.extra.size, 1)
  })
})
