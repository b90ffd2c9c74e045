import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PyFloat, PyObject, PyGlobal, type PyValue } from '../../src/py-value.js'
import { RecordError, toLogRecord } from '../../src/record.js'

const dict = (entries: [PyValue, PyValue][]) => new Map<PyValue, PyValue>(entries)

describe('toLogRecord()', () => {
  it('keeps CPython attribute names and types', () => {
    const r = toLogRecord(
      dict([['name', 'app'], ['msg', 'hello'], ['levelname', 'WARNING'], ['levelno', 30], ['lineno', 7], ['created', 1764107385.25], ['msecs', 250.0], ['thread', 2n ** 64n - 1n], ['process', 1234], ['exc_text', null]]),
      '10.1.2.3',
      1764107386,
    )
    assert.equal(r.name, 'app')
    assert.equal(r.levelno, 30)
    assert.equal(r.thread, 2n ** 64n - 1n)
    assert.equal(r.process, 1234)
    assert.equal(r.exc_text, null)
    assert.equal(r.client, '10.1.2.3')
  })

  it('keeps extras apart, and a client cannot forge the server fields', () => {
    const r = toLogRecord(dict([['msg', 'x'], ['client', 'forged'], ['seq', 99], ['user', 'alice'], ['obj', new PyObject(new PyGlobal('__main__', 'Secret'), null)]]), '10.0.0.9', 1)
    assert.equal(r.client, '10.0.0.9')
    assert.equal(r.seq, 0)
    assert.equal(r.extra.get('user'), 'alice')
    assert.equal(r.extra.has('client'), false)
    assert.ok(r.extra.get('obj') instanceof PyObject)
  })

  it('treats a __proto__ key as an ordinary extra, never as a field', () => {
    const r = toLogRecord(dict([['__proto__', dict([['levelname', 'CRITICAL']])], ['msg', 'x']]), 'h', 1)
    assert.equal(r.levelname, 'NOTSET')
    assert.ok(r.extra.has('__proto__'))
    assert.equal(({} as Record<string, unknown>)['levelname'], undefined)
  })

  it('derives levelname from levelno and back, as logging.getLevelName does', () => {
    assert.equal(toLogRecord(dict([['levelno', 40]]), 'h', 1).levelname, 'ERROR')
    assert.equal(toLogRecord(dict([['levelname', 'WARN']]), 'h', 1).levelno, 30)
    assert.equal(toLogRecord(dict([['levelno', 25]]), 'h', 1).levelname, 'Level 25')
  })

  it('takes a None msg as str(None) and an absent one as makeLogRecord\'s default ""', () => {
    assert.equal(toLogRecord(dict([['msg', null]]), 'h', 1).msg, 'None')
    assert.equal(toLogRecord(dict([['name', 'x']]), 'h', 1).msg, '')
  })

  it('reads integral floats (PyFloat) in numeric fields', () => {
    const r = toLogRecord(dict([['created', new PyFloat(1764107385)], ['msecs', new PyFloat(0)], ['levelno', new PyFloat(30)], ['process', new PyFloat(7)]]), 'h', 1)
    assert.deepEqual([r.created, r.msecs, r.levelno, r.levelname, r.process], [1764107385, 0, 30, 'WARNING', 7])
  })

  it('refuses a value that is not a dict', () => {
    assert.throws(() => toLogRecord([1, 2], 'h', 1), RecordError)
  })
})
