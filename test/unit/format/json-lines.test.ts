// createJsonLines(): one JSON object per record, extras rendered JSON-safely and bounded.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createFormatter } from '../../../src/format/formatter.js'
import { MAX_JSON_VALUE_CHARS, TRUNCATED_MARKER } from '../../../src/format/json-lines.js'
import { PyBytes, PyFloat, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from '../../../src/py-value.js'
import { makeRecord } from './record-fixtures.js'

const json = createFormatter({ style: 'json', format: '', datefmt: '%Y-%m-%dT%H:%M:%S%z', utc: true, escape: true })
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>

describe('createJsonLines()', () => {
  test('writes one parseable line with CPython attribute names and the server fields', () => {
    const line = json(makeRecord({ seq: 7, msg: 'a\nb "c"' }))
    assert.ok(!line.includes('\n'), 'newlines are escaped; the writer adds the line end')
    const o = parse(line)
    for (const key of ['name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'lineno', 'funcName',
      'created', 'msecs', 'relativeCreated', 'thread', 'threadName', 'process', 'processName', 'taskName', 'exc_text',
      'stack_info', 'message', 'asctime', 'client', 'received', 'seq']) assert.ok(Object.hasOwn(o, key), key)
    assert.equal(o['message'], 'a\nb "c"')
    assert.equal(o['created'], 1764107385.896123)
    assert.equal(o['asctime'], '2025-11-25T21:49:45+0000')
    assert.equal(o['seq'], 7)
    assert.equal(o['client'], '192.0.2.17')
    assert.equal(o['taskName'], null)
  })

  test('escapes DEL, the C1 controls and U+2028/U+2029, which JSON.stringify leaves raw, in every string', () => {
    const nasty = 'a\x85b\u2028c\x9b[31md\x7fe\u2029'
    const line = json(makeRecord({ msg: nasty, name: nasty, extra: new Map<string, PyValue>([[nasty, [nasty]]]) }))
    assert.doesNotMatch(line, /[\x7f-\x9f\u2028\u2029]/)
    assert.match(line, /a\\u0085b\\u2028c\\u009b\[31md\\u007fe\\u2029/)
    const o = parse(line)
    assert.deepEqual([o['message'], o['name'], o[nasty]], [nasty, nasty, [nasty]])
  })

  test('merges args into message like getMessage()', () => {
    assert.equal(parse(json(makeRecord({ msg: '%s=%d', args: new PyTuple(['n', 3n]) })))['message'], 'n=3')
  })

  test('keeps a float a float (1.0, as json.dumps writes it) and an int an int', () => {
    const line = json(makeRecord({ created: 1764107385, msecs: 0, extra: new Map<string, PyValue>([['f', new PyFloat(1)], ['i', 1], ['l', [new PyFloat(-0), 2, 1e16 + 2]], ['big', new PyFloat(1e16)]]) }))
    assert.match(line, /"created":1764107385\.0,/)
    assert.match(line, /"msecs":0\.0,/)
    assert.match(line, /"levelno":20,/)
    assert.match(line, /"f":1\.0,"i":1,"l":\[-0\.0,2,10000000000000002\],"big":1e\+16[,}]/)
  })

  test('writes big ints as exact unquoted digits', () => {
    const line = json(makeRecord({ thread: 18446744073709551615n, extra: new Map([['big', -(2n ** 100n)]]) }))
    assert.match(line, /"thread":18446744073709551615[,}]/)
    assert.match(line, /"big":-1267650600228229401496703205376[,}]/)
  })

  test('renders extras: tuples and sets as arrays, dicts as objects, bytes and objects as str()', () => {
    const extra = new Map<string, PyValue>([
      ['tuple', new PyTuple([1n, 'x', null, true])],
      ['set', new PySet(['a'], false)],
      ['dict', new Map<PyValue, PyValue>([['k', 1.5], [2n, 'two'], [new PyTuple([1n]), []]])],
      ['bytes', new PyBytes(new Uint8Array([0x61, 0x00]))],
      ['obj', new PyObject(new PyGlobal('__main__', 'User'), null)],
      ['decimal', new PyObject(new PyGlobal('decimal', 'Decimal'), null, null, '1.10')],
      ['cls', new PyGlobal('datetime', 'datetime')],
      ['nan', NaN],
      ['inf', -Infinity],
    ])
    const o = parse(json(makeRecord({ extra })))
    assert.deepEqual(o['tuple'], [1, 'x', null, true])
    assert.deepEqual(o['set'], ['a'])
    assert.deepEqual(o['dict'], { k: 1.5, 2: 'two', '(1,)': [] })
    assert.equal(o['bytes'], "b'a\\x00'")
    assert.equal(o['obj'], '<__main__.User>')
    assert.equal(o['decimal'], '1.10')
    assert.equal(o['cls'], "<class 'datetime.datetime'>")
    assert.equal(o['nan'], 'nan')
    assert.equal(o['inf'], '-inf')
  })

  test('keeps a __proto__ extra as a plain own key without touching any prototype', () => {
    const extra = new Map<string, PyValue>([['__proto__', new Map<PyValue, PyValue>([['polluted', true]])], ['constructor', 'c']])
    const o = parse(json(makeRecord({ extra })))
    assert.ok(Object.hasOwn(o, '__proto__'))
    assert.equal(Object.getPrototypeOf(o), Object.prototype)
    assert.equal((o as { polluted?: unknown }).polluted, undefined)
    assert.equal(({} as { polluted?: unknown }).polluted, undefined)
    assert.equal(o['constructor'], 'c')
  })

  test('never lets an extra overwrite a record or server field', () => {
    const line = json(makeRecord({ extra: new Map<string, PyValue>([['client', 'forged'], ['seq', 99n]]) }))
    assert.equal(parse(line)['client'], '192.0.2.17')
    assert.equal(line.match(/"client":/g)?.length, 1)
  })

  test('bounds each extra value and marks the truncation', () => {
    const huge = 'x'.repeat(1_000_000)
    const list = Array.from({ length: 100_000 }, (_, i) => BigInt(i))
    const o = parse(json(makeRecord({ extra: new Map<string, PyValue>([['s', huge], ['list', list], ['ok', 'small']]) })))
    for (const key of ['s', 'list']) {
      const v = o[key] as string
      assert.equal(typeof v, 'string')
      assert.ok(v.endsWith(TRUNCATED_MARKER), key)
      assert.ok(v.length <= MAX_JSON_VALUE_CHARS, key)
    }
    assert.equal(o['ok'], 'small')
  })

  test('survives self-referencing containers from pickle memo references', () => {
    const loop: PyValue[] = []
    loop.push(loop)
    assert.deepEqual(parse(json(makeRecord({ extra: new Map([['loop', loop]]) })))['loop'], ['[...]'])
  })
})
