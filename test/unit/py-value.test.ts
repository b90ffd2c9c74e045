import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PyBytes, PyGlobal, PyObject, PySet, PyTuple, pyRepr, pyStr, type PyValue } from '../../src/py-value.js'
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
