// compileFormat(): Python %-style record formats compiled once; config errors as FormatError.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileFormat, FORMAT_ATTRIBUTES, FormatError } from '../../../src/format/percent-style.js'
import { PyTuple } from '../../../src/py-value.js'
import { makeRecord } from './record-fixtures.js'

const fixedTime = () => '2026-11-25 22:49:45,896'

describe('compileFormat()', () => {
  test('renders the default central-file format', () => {
    const format = compileFormat('%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(message)s', fixedTime)
    assert.equal(format(makeRecord()), '2026-11-25 22:49:45,896 192.0.2.17      app.db       INFO     connected to %s')
  })

  test('uses %(message)s for an empty format, as PercentStyle does', () => {
    assert.equal(compileFormat('')(makeRecord({ msg: 'hi' })), 'hi')
  })

  test('counts code points, not UTF-16 units, for width and precision', () => {
    const format = compileFormat('%(name)-4s|%(name).1s|%(name)5s')
    assert.equal(format(makeRecord({ name: '😀😀' })), '😀😀  |😀|   😀😀')
  })

  test('keeps literal text and %% around fields', () => {
    assert.equal(compileFormat('100%% %(levelname)s%%')(makeRecord()), '100% INFO%')
  })

  test('accepts every documented attribute', () => {
    const r = makeRecord()
    for (const name of FORMAT_ATTRIBUTES) assert.equal(typeof compileFormat(`%(${name})s`, fixedTime)(r), 'string', name)
  })

  test('prints str() of a value that does not fit its conversion instead of raising as CPython does', () => {
    const format = compileFormat('[%(process)6d] [%(thread)-6x] [%(args)05.1f]')
    assert.equal(format(makeRecord({ process: null, thread: null, args: new PyTuple(['a']) })), "[  None] [None  ] [('a',)]")
  })

  test('keeps thread ids beyond 2**53 exact', () => {
    const format = compileFormat('%(thread)d %(thread)x')
    assert.equal(format(makeRecord({ thread: 18446744073709551615n })), '18446744073709551615 ffffffffffffffff')
  })

  test('renders client-controlled text verbatim, including % signs and format-like text', () => {
    assert.equal(compileFormat('%(message)s')(makeRecord({ msg: '%(name)s 100%' })), '%(name)s 100%')
  })
})

describe('FormatError', () => {
  const rejects = (fmt: string, message: RegExp) =>
    assert.throws(() => compileFormat(fmt), (e: unknown) => e instanceof FormatError && e instanceof Error && message.test(e.message))

  test('names an unknown attribute', () => rejects('%(asctime)s %(foo)s', /^unknown attribute %\(foo\)s/))

  test('rejects extra= keys: CPython only formats them when every record has them', () => rejects('%(user)s', /unknown attribute %\(user\)s/))

  test('rejects prototype names as attributes', () => {
    rejects('%(__proto__)s', /unknown attribute/)
    rejects('%(constructor)s', /unknown attribute/)
    rejects('%(toString)s', /unknown attribute/)
  })

  test('rejects a spec without a conversion character', () => rejects('%(name) x %(levelname)', /incomplete format %\(levelname\)$/))

  test('rejects an unsupported conversion character', () => rejects('%(name)q', /unsupported format character 'q' in %\(name\)q/))

  test('rejects an unterminated key', () => rejects('%(name)s %(levelname', /incomplete format key/))

  test('rejects a conversion without an attribute name', () => rejects('%(name)s %s', /%s has no attribute name/))

  test('rejects * widths, which need positional arguments', () => rejects('%(name)*s', /'\*' width/))

  test('rejects widths that would allocate huge lines', () => rejects('%(name)99999999s', /too big/))

  test('rejects a number conversion of a text attribute', () => rejects('%(levelname)d', /levelname is text, not a number/))

  test('rejects %x of a float attribute', () => rejects('%(created)x', /created is a float/))

  test('rejects a format without any %(name)x field, as Formatter(validate=True) does', () => {
    rejects('just text', /no %\(name\)s field/)
    rejects('100%%', /no %\(name\)s field/)
  })

  test('rejects %% with flags, as CPython does', () => rejects('%(name)s %5%', /unsupported format character '%'/))
})
