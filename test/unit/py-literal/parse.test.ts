import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { LiteralError, parsePyLiteral } from '../../../src/py-literal/parse.js'
import { PyBytes, PyFloat, PyObject, pyRepr, PySet, pyStr, PyTuple } from '../../../src/py-value.js'
import { runPython } from '../../support/python.js'
import { repoRoot } from '../../support/server.js'

const refuses = (text: string, pattern?: RegExp): void => {
  assert.throws(() => parsePyLiteral(text), (err: unknown) => err instanceof LiteralError && (pattern === undefined || pattern.test(err.message)), text)
}

describe('parsePyLiteral()', () => {
  it('reads the scalars repr writes', () => {
    assert.equal(parsePyLiteral('None'), null)
    assert.equal(parsePyLiteral('True'), true)
    assert.equal(parsePyLiteral('False'), false)
    assert.equal(parsePyLiteral('-42'), -42)
    assert.equal(parsePyLiteral('12345678901234567890'), 12345678901234567890n)
    assert.equal(parsePyLiteral('0x_ff'), 255)
    assert.equal(parsePyLiteral('0o17'), 15)
    assert.equal(parsePyLiteral('0b101'), 5)
    assert.equal(parsePyLiteral('1_000'), 1000)
    assert.equal(parsePyLiteral('2.5'), 2.5)
    assert.deepEqual(parsePyLiteral('1.0'), new PyFloat(1))
    assert.ok(Object.is((parsePyLiteral('-0.0') as PyFloat).value, -0))
    assert.equal(parsePyLiteral('inf'), Infinity)
    assert.equal(parsePyLiteral('-inf'), -Infinity)
    assert.ok(Number.isNaN(parsePyLiteral('nan')))
    assert.equal(parsePyLiteral('1e999'), Infinity) // as float('1e999')
  })

  it('reads every string escape and prefix', () => {
    assert.equal(parsePyLiteral(String.raw`'a\'b\"c\\d'`), `a'b"c\\d`)
    assert.equal(parsePyLiteral(String.raw`"\a\b\f\n\r\t\v\0\101\x41\u00e9\U0001F600"`), '\x07\b\f\n\r\t\v\0AAé😀')
    assert.equal(parsePyLiteral(String.raw`'\d\ '`), '\\d\\ ') // unknown escapes keep their backslash
    assert.equal(parsePyLiteral(String.raw`r'\n\''`), "\\n\\'")
    assert.equal(parsePyLiteral(String.raw`u'x'`), 'x')
    assert.equal(parsePyLiteral("'''a\nb'''"), 'a\nb')
    assert.equal(parsePyLiteral("'a' \"b\""), 'ab')
    assert.equal(parsePyLiteral(String.raw`'\ud800'`), '\ud800')
    assert.equal(parsePyLiteral(String.raw`'\777'`), '\u01ff')
    const b = parsePyLiteral(String.raw`b'\x00\xff\777a\u1234'`)
    assert.ok(b instanceof PyBytes)
    assert.deepEqual([...b.bytes], [0, 255, 255, 97, ...Buffer.from('\\u1234')])
    assert.equal(pyRepr(parsePyLiteral(String.raw`Rb'\x'`)), String.raw`b'\\x'`)
    refuses("'a' b'b'", /mix/)
    refuses(String.raw`'\N{BULLET}'`, /not supported/)
    refuses("b'é'", /ASCII/)
    refuses("f'x'")
  })

  it('reads containers, with a trailing comma, and keeps a parenthesised value bare', () => {
    const t = parsePyLiteral("('alice', 3, [1, 2.5], {'k': None}, {1, 2}, (), (1,))")
    assert.ok(t instanceof PyTuple)
    assert.equal(pyRepr(t), "('alice', 3, [1, 2.5], {'k': None}, {1, 2}, (), (1,))")
    assert.equal(parsePyLiteral('(1)'), 1)
    assert.equal(pyRepr(parsePyLiteral('[1, 2,]')), '[1, 2]')
    assert.ok(parsePyLiteral('{1, 1}') instanceof PySet)
    assert.equal(pyRepr(parsePyLiteral("{'a': 1, 'a': 2}")), "{'a': 2}")
    refuses('{[1]: 2}', /unhashable/)
    refuses('{1: 2, 3}')
    refuses('(1, 2')
  })

  it('keeps reprs it does not model as opaque text whose str() and repr() are that text', () => {
    const t = parsePyLiteral("('alice', datetime.date(2024, 1, 2), <object object at 0x7f00>, Decimal('1.5'), Foo('it\\'s)'), (1+2j), -1j, ..., <function <lambda> at 0x1>, uuid.UUID('x'))")
    assert.ok(t instanceof PyTuple)
    const [, date, obj] = t.items
    assert.ok(date instanceof PyObject)
    assert.equal(pyStr(date), '2024-01-02') // see the datetime family below
    assert.equal(pyStr(obj!), '<object object at 0x7f00>')
    assert.equal(pyRepr(t), "('alice', datetime.date(2024, 1, 2), <object object at 0x7f00>, Decimal('1.5'), Foo('it\\'s)'), (1+2j), -1j, ..., <function <lambda> at 0x1>, uuid.UUID('x'))")
    assert.equal(pyStr(t.items.at(-1)!), "uuid.UUID('x')")
  })

  it('refuses hostile input quickly and without a stack overflow', () => {
    const started = Date.now()
    refuses('['.repeat(100_000) + ']'.repeat(100_000), /nested deeper/)
    refuses('('.repeat(1_000_000), /nested deeper/)
    refuses('9'.repeat(5000), /4300/)
    refuses('0x' + 'f'.repeat(100_000), /4300/)
    refuses("'" + 'a'.repeat(1024 * 1024), /unterminated/)
    refuses('<' + 'a'.repeat(1024 * 1024), /unbalanced/)
    refuses("x('" + 'a'.repeat(1024 * 1024), /unterminated/)
    refuses('--1')
    refuses('1abc')
    refuses('007', /leading zeros/)
    refuses('1__0', /underscore/)
    refuses('import os', /unexpected/)
    refuses('(1, 2) (3)')
    refuses('', /end of text/)
    assert.throws(() => parsePyLiteral('a'.repeat(100), { maxChars: 50 }), /over 50/)
    const long = parsePyLiteral("'" + 'é'.repeat(1024 * 1024) + "'")
    assert.equal((long as string).length, 1024 * 1024)
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
  })

  it("matches CPython's repr() and str() on 2,000 generated values (and ast.literal_eval reads the same texts)", () => {
    const script = path.join(repoRoot, 'test/fixtures/literal_values.py')
    const r = spawnSync('python3', [script, '2000', '20261130'], { maxBuffer: 64 * 1024 * 1024 })
    assert.equal(r.status, 0, r.stderr?.toString())
    const lines = r.stdout.toString('utf8').trim().split('\n')
    assert.equal(lines.length, 2000)
    let literals = 0
    for (const line of lines) {
      const { repr, str, literal } = JSON.parse(line) as { repr: string; str: string; literal: boolean | null }
      const parsed = parsePyLiteral(repr)
      assert.equal(pyRepr(parsed), repr, `repr of ${repr}`)
      assert.equal(pyStr(parsed), str, `str of ${repr}`)
      if (literal === true) literals++ // (false: literal_eval reads it differently, e.g. (1.5-0j) as (1.5+0j))
    }
    assert.ok(literals > 1000, `only ${literals} of the values were plain literals`)
  })

  it('agrees with ast.literal_eval on which texts are literals, for texts repr does not write', () => {
    const texts = ['1_0', '0_0', '00', '.5', '1.', '1e5', '1_0.0_1e1_0', "'a' 'b'", '+1', '-0x10', '(1,)', '[]', '{}', '0x', '1e', '1_', '0b2', '1.e', '..5']
    const verdicts = JSON.parse(
      runPython(`import ast, json, sys
out = []
for t in json.load(sys.stdin):
    try: out.append(repr(ast.literal_eval(t)))
    except Exception: out.append(None)
print(json.dumps(out))`, JSON.stringify(texts)).toString(),
    ) as (string | null)[]
    texts.forEach((t, i) => {
      let ours: string | null
      try {
        ours = pyRepr(parsePyLiteral(t))
      } catch (err) {
        if (!(err instanceof LiteralError)) throw err
        ours = null
      }
      assert.equal(ours, verdicts[i], t)
    })
  })
})

describe('parsePyLiteral() of the datetime family and Decimal', () => {
  it("gives them CPython's str() and keeps their repr()", () => {
    const cases: [string, string][] = [
      ['datetime.date(2024, 1, 2)', '2024-01-02'],
      ['datetime.datetime(2024, 1, 2, 3, 4)', '2024-01-02 03:04:00'],
      ['datetime.datetime(2024, 1, 2, 3, 4, 0, 5)', '2024-01-02 03:04:00.000005'],
      ['datetime.time(3, 4, 5)', '03:04:05'],
      ['datetime.timedelta(days=-1, seconds=5)', '-1 day, 0:00:05'],
      ['datetime.timedelta(0)', '0:00:00'],
      ['datetime.timedelta(seconds=3600, microseconds=1)', '1:00:00.000001'],
      ["Decimal('1.50')", '1.50'],
      ['datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)', 'datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)'],
      ['datetime.date(2024, 13, 2)', 'datetime.date(2024, 13, 2)'],
    ]
    for (const [repr, str] of cases) {
      const v = parsePyLiteral(repr)
      assert.equal(pyStr(v), str, repr)
      assert.equal(pyRepr(v), repr, repr)
    }
  })
})

describe('parsePyLiteral() on random text', () => {
  it('returns a value or throws LiteralError, never anything else, and renders what it returns', () => {
    // Text made of the pieces reprs are made of, so most inputs get deep into the reader before they fail.
    const piece = fc.constantFrom('(', ')', '[', ']', '{', '}', '<', '>', ',', ':', ' ', "'", '"', '\\', 'b', 'r', 'u', 'j', 'x', 'e', '+', '-', '.', '_', '0', '1', '9', 'inf', 'nan', 'None', 'True', 'datetime.date', 'Decimal', '\\x4', '\\u00', '\\N{', '...', '0x', 'é', '\n')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('')
        try {
          const v = parsePyLiteral(text)
          pyRepr(v)
          pyStr(v)
        } catch (err) {
          if (!(err instanceof LiteralError)) throw err
        }
      }),
      { numRuns: 20_000, seed: 20261130 },
    )
  })

  it('reads back the repr of every value it returns (a fixed point after one round)', () => {
    const piece = fc.constantFrom('(', ')', '[', ']', '{', '}', ',', ':', ' ', "'a'", 'b"\\x00"', '1', '-2.5', '1e400', 'nan', 'None', 'True', '(1+2j)', "Decimal('1.0')", 'datetime.time(1, 2)', '<x>')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        let v
        try {
          v = parsePyLiteral(pieces.join(''))
        } catch (err) {
          if (err instanceof LiteralError) return
          throw err
        }
        const once = pyRepr(v)
        assert.equal(pyRepr(parsePyLiteral(once)), once)
      }),
      { numRuns: 20_000, seed: 20261130 },
    )
  })
})
