import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PyBytes, PyFloat, PyGlobal, PyObject, PySet, PyTuple, pyRepr, pyStr, type PyValue } from '../../src/py-value.js'
import { runPython } from '../support/python.js'

describe('pyRepr()', () => {
  it('matches CPython repr() for data values', () => {
    const cases: [PyValue, string][] = [
      [null, 'None'],
      [true, 'True'],
      [30, '30'],
      [2.5, '2.5'],
      [1e-7, '1e-07'],
      [2n ** 70n, String(2n ** 70n)],
      ["it's \"quoted\"\n", `'it\\'s "quoted"\\n'`],
      ["it's", `"it's"`],
      [new PyBytes(Uint8Array.from([0x61, 0x00, 0xff, 0x27])), `b"a\\x00\\xff'"`],
      [[1, 'a', null], "[1, 'a', None]"],
      [new PyTuple([1]), '(1,)'],
      [new PyTuple([]), '()'],
      [new PySet([], false), 'set()'],
      [new PySet([1], true), 'frozenset({1})'],
      [new Map<PyValue, PyValue>([['k', [1, 2]]]), "{'k': [1, 2]}"],
    ]
    const python = runPython(
      "import sys\nvals=[None, True, 30, 2.5, 1e-7, 2**70, 'it\\'s \"quoted\"\\n', \"it's\", b\"a\\x00\\xff'\", [1, 'a', None], (1,), (), set(), frozenset({1}), {'k': [1, 2]}]\nprint('\\x1e'.join(repr(v) for v in vals), end='')",
    ).toString().split('\x1e')
    assert.deepEqual(cases.map(([v]) => pyRepr(v)), python)
    assert.deepEqual(cases.map(([, expected]) => expected), python)
  })

  it('keeps int and float apart: an integral JS number is an int, a PyFloat a float', () => {
    const vals: PyValue[] = [1, new PyFloat(1), new PyFloat(-0), new PyFloat(1e16), 2.5, NaN, -Infinity, [1, new PyFloat(2)], new Map<PyValue, PyValue>([[new PyFloat(3), 3]])]
    const python = runPython("vals=[1, 1.0, -0.0, 1e16, 2.5, float('nan'), float('-inf'), [1, 2.0], {3.0: 3}]\nprint('\\x1e'.join(x for v in vals for x in (repr(v), str(v))), end='')")
      .toString().split('\x1e')
    assert.deepEqual(vals.flatMap((v) => [pyRepr(v), pyStr(v)]), python)
  })

  it('escapes what str.isprintable() rejects, as CPython repr() does', () => {
    // Characters assigned (or unassigned) alike in Python 3.11's Unicode 14 and Node's newer ICU.
    const texts = ['\u2028\u2029\x85\xa0\xad\u200b\ufeff\u3000\u1680', '\ue000\u{e0001}\u{10ffff}\u0378\ufffe', 'lone \udcff \ud800x\udbff', "é😀\u0300 ok\x00\x1b\x7f\x9f\t\r\n\\ 'q'"]
    const python = runPython(`import json, sys\nprint('\\x1e'.join(repr(s) for s in json.load(sys.stdin)), end='')`, JSON.stringify(texts))
      .toString().split('\x1e')
    assert.deepEqual(texts.map((t) => pyRepr(t)), python)
  })

  it('shows objects it will not reconstruct as their class name, and str() keeps faithful texts', () => {
    const cls = new PyGlobal('__main__', 'Secret')
    assert.equal(pyRepr(new PyObject(cls, null)), '<__main__.Secret>')
    assert.equal(pyStr(new PyObject(new PyGlobal('decimal', 'Decimal'), null, null, '1.10')), '1.10')
  })

  it('stops at a bounded length however large the value', () => {
    const big = Array.from({ length: 100_000 }, () => 'x'.repeat(10))
    assert.ok(pyRepr(big).length <= 64 * 1024 + 1)
  })
})
