// getMessage() (msg % args) against CPython's `%` operator, and Formatter.format's exc/stack tail.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { appendExcAndStack, getMessage } from '../../../src/format/message.js'
import { PyFloat, PyTuple, type PyValue } from '../../../src/py-value.js'
import { runPython } from '../../support/python.js'
import { makeRecord, PY_DECODE, toWire } from './record-fixtures.js'

const t = (...items: PyValue[]) => new PyTuple(items)
const dict = (entries: Array<[PyValue, PyValue]>) => new Map<PyValue, PyValue>(entries)

const CASES: Array<[string, PyValue]> = [
  ['%s %s', t('a', 1n)],
  ['%d items, %i, %u', t(3n, -4n, 5.9)],
  ['%5.2f%%', t(2.675)],
  ['%(user)s did %(what)r', dict([['user', 'bob'], ['what', "it's"]])],
  ['%s', [1n, 2n]],
  ['%s', t('only')],
  ['no args %s', t()],
  ['%d', t('x')],
  ['%s %s', t('a')],
  ['%s', t('a', 'b')],
  ['hello', [1n]],
  ['hello', dict([['a', 1n]])],
  ['%(a)s', t(1n)],
  ['%(missing)s', dict([['a', 1n]])],
  ['%x %o %X %e %g %#x', t(255n, 8n, 255n, 12345.6789, 0.00001, -255n)],
  ['%c%c', t(65n, 'é')],
  ['%r %a', t('😀\n', 'naïve')],
  ['%s %r %d %s', t(null, null, true, false)],
  ['%.0f %.0f %.0f %.0f %.2f %.1e', t(0.5, 1.5, 2.5, -0.5, 0.125, 0.25)],
  ['%s %s %s %s', t(new PyFloat(1e16), 0.0001, 1e-5, new PyFloat(-0))],
  ['%s %r %d %x %o %c', t(1, 2, 3.5, 255, 8, 65)],
  ['%x', t(new PyFloat(255))],
  ['%s', t(t(1.5, 2n, 'x'))],
  ['%-6s|%6s|%.2s', t('ab', 'cd', 'efgh')],
  ['%06.2f %+d % d %+.3d', t(-1.5, 2n ** 70n, 7n, -5n)],
  ['%(a)s %(a)d', dict([['a', 3n]])],
  ['100%% of %s', t('x')],
  ['%x', t(1.5)],
  ['%c', t('ab')],
  ['%s', 'scalar'],
  ['%d%%', 7n],
  ['%z', t(1n)],
  ['%(a)s', dict([])],
]

describe('getMessage()', () => {
  test('matches CPython msg % args, or falls back to msg + " " + repr(args) where CPython raises', () => {
    const script = `${PY_DECODE}
out = []
for msg, args in json.load(sys.stdin):
    args = dec(args)
    if not args: out.append(msg); continue
    try: out.append(msg % args)
    except (TypeError, ValueError, KeyError, OverflowError): out.append(msg + ' ' + repr(args))
json.dump(out, sys.stdout)
`
    const input = JSON.stringify(CASES.map(([msg, args]) => [msg, toWire(args)]))
    const expected = JSON.parse(runPython(script, input).toString('utf8')) as string[]
    CASES.forEach(([msg, args], i) => {
      assert.equal(getMessage(makeRecord({ msg, args })), expected[i], `${msg} % ${JSON.stringify(toWire(args))}`)
    })
  })

  test('returns msg untouched when args is None, even with % signs', () => {
    assert.equal(getMessage(makeRecord({ msg: '100% %s %(x)d', args: null })), '100% %s %(x)d')
  })

  test('refuses a hostile width in a client msg without allocating it', () => {
    const r = makeRecord({ msg: '%999999999s', args: t('x') })
    assert.equal(getMessage(r), "%999999999s ('x',)")
  })

  test('bounds the merged message a client can make us build', () => {
    const msg = '%9000s'.repeat(200)
    const args = t(...Array.from({ length: 200 }, () => 'x'))
    const out = getMessage(makeRecord({ msg, args }))
    assert.ok(out.startsWith(msg + ' ('), 'falls back to msg + repr(args)')
    assert.ok(out.length < 100_000)
  })
})

describe('appendExcAndStack()', () => {
  test('adds exc_text on a new line', () => {
    assert.equal(appendExcAndStack('line', makeRecord({ exc_text: 'Traceback' })), 'line\nTraceback')
  })

  test('adds no second newline when the line already ends with one', () => {
    assert.equal(appendExcAndStack('line\n', makeRecord({ exc_text: 'Traceback' })), 'line\nTraceback')
  })

  test('adds stack_info after exc_text, each on its own line', () => {
    const r = makeRecord({ exc_text: 'Traceback\n', stack_info: 'Stack (most recent call last):' })
    assert.equal(appendExcAndStack('line', r), 'line\nTraceback\nStack (most recent call last):')
  })

  test('leaves a record without exc_text or stack_info alone', () => {
    assert.equal(appendExcAndStack('line', makeRecord()), 'line')
  })
})
