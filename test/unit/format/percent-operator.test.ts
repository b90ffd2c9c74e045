// pyPercent(): numeric conversions digit for digit against CPython, including exact rounding ties.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { paddingFor, padText, parseFormat, pyPercent, type Spec } from '../../../src/format/percent-operator.js'
import { pyFloat, PyTuple, type PyValue } from '../../../src/py-value.js'
import { runPython } from '../../support/python.js'
import { PY_DECODE, toWire } from './record-fixtures.js'

const FLOAT_SPECS = ['%.0f', '%.1f', '%.2f', '%f', '%.3e', '%.0e', '%e', '%g', '%.12g', '%#.3g', '%.1g', '%10.4f', '%-+12.5e', '%012.3E', '%G', '%#.0f', '%s', '%r', '%d']
const INT_SPECS = ['%d', '%5d', '%-5d|', '%+05d', '%x', '%#X', '%#o', '%.4d', '%#08.3x', '% d', '%f', '%.2e', '%g', '%s', '%c']

function values(): { floats: number[]; ints: bigint[] } {
  let seed = 4242
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const floats = [0, -0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 9.5, 25, 250, 1e21, 1e22, 123456789012345680000, 5e-324, 1.7976931348623157e308, 1e16, 1e-5, 0.0001, NaN, Infinity, -Infinity]
  for (let i = 0; i < 60; i++) floats.push(Math.round(rand() * 4096) / 64 - 32) // dyadic: many exact ties
  for (let i = 0; i < 60; i++) floats.push((rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20))
  const ints = [0n, 1n, -1n, 65n, 255n, -255n, 2n ** 53n + 1n, -(2n ** 70n), 1114111n, 1114112n]
  return { floats, ints }
}

describe('pyPercent()', () => {
  test('formats floats and ints exactly as CPython does', () => {
    const { floats, ints } = values()
    const jobs: Array<[string, PyValue]> = []
    for (const spec of FLOAT_SPECS) for (const f of floats) jobs.push([spec, pyFloat(f)])
    for (const spec of INT_SPECS) for (const n of ints) jobs.push([spec, n])
    // The decoder's ints up to 2**53 are plain JS numbers: they must format as ints too (%x, %c).
    for (const spec of INT_SPECS) for (const n of ints) if (Number.isSafeInteger(Number(n))) jobs.push([spec, Number(n)])
    const script = `${PY_DECODE}
out = []
for fmt, v in json.load(sys.stdin):
    try: out.append(fmt % (dec(v),))
    except (TypeError, ValueError, OverflowError): out.append(None)
json.dump(out, sys.stdout)
`
    const expected = JSON.parse(runPython(script, JSON.stringify(jobs.map(([f, v]) => [f, toWire(v)]))).toString('utf8')) as Array<string | null>
    jobs.forEach(([fmt, v], i) => {
      const want = expected[i]
      if (want === null) assert.throws(() => pyPercent(fmt, new PyTuple([v])), `${fmt} % ${String(v)} raises in CPython`)
      else assert.equal(pyPercent(fmt, new PyTuple([v])), want, `${fmt} % ${String(v)}`)
    })
  })

  test('cuts %.Ns at N code points, a lone high surrogate counting one (fuzz finding)', () => {
    const texts = ['q\ud800word', '\ud800\ud800xyz', 'a😀bc', '😀\udcffab', 'ab\ud800']
    const specs = ['%.1s', '%.2s', '%.3s', '%.4s', '%-6.3s|']
    const jobs = texts.flatMap((t) => specs.map((f) => [f, t] as const))
    // JSON cannot carry lone surrogates both ways: they travel as code point lists.
    const points = (t: string): number[] => Array.from({ length: t.length }, (_, i) => t.charCodeAt(i))
    const script = `import json, sys
out = []
for fmt, units in json.load(sys.stdin):
    s = ''.join(map(chr, units)).encode('utf-16', 'surrogatepass').decode('utf-16', 'surrogatepass')
    out.append([ord(c) for c in fmt % (s,)])
json.dump(out, sys.stdout)
`
    const expected = JSON.parse(runPython(script, JSON.stringify(jobs.map(([f, t]) => [f, points(t)]))).toString('utf8')) as number[][]
    jobs.forEach(([fmt, t], i) => {
      const want = (expected[i] as number[]).map((c) => String.fromCodePoint(c)).join('')
      assert.equal(pyPercent(fmt, new PyTuple([t])), want, `${fmt} % ${JSON.stringify(t)}`)
    })
  })

  test('takes * widths and precisions from the arguments, as CPython does (fuzz finding: the message fell back to msg + repr(args))', () => {
    const jobs: Array<[string, PyValue[]]> = [
      ['%*d|', [5, 3]], ['%*d|', [-5, 3]], ['%-*d|', [5, 3]], ['%.*f|', [2, pyFloat(1.2345)]], ['%.*f|', [-3, pyFloat(1.5)]],
      ['%*.*s|', [6, 2, 'abcdef']], ['%0*x|', [8, 255]], ['%*s %s', [true, 'a', 'b']], ['%*d', [pyFloat(1.5), 3]],
      ['%*d', [5]], ['%(a)*d', [new Map<PyValue, PyValue>([['a', 1]])]], ['%*d', [20_000, 1]],
    ]
    const script = `${PY_DECODE}
out = []
for fmt, args in json.load(sys.stdin):
    args = [dec(a) for a in args]
    try: out.append(fmt % (args[0] if len(args) == 1 and isinstance(args[0], dict) else tuple(args)))
    except (TypeError, ValueError, OverflowError): out.append(None)
json.dump(out, sys.stdout)
`
    const expected = JSON.parse(runPython(script, JSON.stringify(jobs.map(([f, a]) => [f, a.map(toWire)]))).toString('utf8')) as Array<string | null>
    jobs.forEach(([fmt, a], i) => {
      const args = a.length === 1 && a[0] instanceof Map ? a[0] : new PyTuple(a)
      const want = expected[i]
      // Past MAX_WIDTH (10,000) we refuse where CPython would build the text: the message falls back.
      if (want === null || fmt === '%*d') assert.throws(() => pyPercent(fmt, args), `${fmt} % ${JSON.stringify(a.map(toWire))}`)
      else assert.equal(pyPercent(fmt, args), want, `${fmt} % ${JSON.stringify(a.map(toWire))}`)
    })
  })
})

describe('paddingFor()', () => {
  test('pads exactly as padText() does, for every width and text shape', () => {
    const texts = ['', 'a', 'app.db', 'x'.repeat(11), 'x'.repeat(12), 'x'.repeat(30), 'é€', '😀😀', '\ud800', '\udc00x', '😀'.repeat(7), 'a😀'.repeat(40)]
    for (const fmt of ['%(n)s', '%(n)0s', '%(n)1s', '%(n)-1s', '%(n)12s', '%(n)-12s', '%(n)-15s', '%(n)64s', '%(n)-65s', '%(n)100s']) {
      const spec = parseFormat(fmt)[1] as Spec
      const pad = paddingFor(spec)
      for (const t of texts) assert.equal(pad(t), padText(t, spec), `${fmt} of ${JSON.stringify(t)}`)
    }
  })
})
