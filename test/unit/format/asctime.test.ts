// createAsctime(): Formatter.formatTime's output, checked against CPython over many instants.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createAsctime } from '../../../src/format/asctime.js'
import { createFormatter } from '../../../src/format/formatter.js'
import { makeRecord, pythonFormat } from './record-fixtures.js'

const TZ = 'Europe/Berlin'

describe('createAsctime()', () => {
  const saved = process.env['TZ']
  before(() => {
    process.env['TZ'] = TZ
  })
  after(() => {
    if (saved === undefined) delete process.env['TZ']
    else process.env['TZ'] = saved
  })

  test('matches time.strftime for 400 instants from 1971 to 2037 with every common code', () => {
    // A deterministic spread (LCG) that crosses years, DST changes, week-number edges and midnight/noon.
    let seed = 12345
    const records = Array.from({ length: 400 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      const created = 31_536_000 + (seed / 2 ** 31) * 2_100_000_000
      return makeRecord({ created, msecs: Math.floor((created % 1) * 1000) })
    })
    const datefmt = '%Y-%m-%d %H:%M:%S %a %A %b %B %j %U %W %w %u %V %G %g %C %y %e %k %l %I %p %z %Z %c %x %X %s'
    const cases = [
      { fmt: '%(asctime)s', datefmt, utc: false },
      { fmt: '%(asctime)s', datefmt: null, utc: false },
      { fmt: '%(asctime)s', datefmt: null, utc: true },
    ]
    const expected = pythonFormat(cases, records, TZ)
    cases.forEach((c, i) => {
      const asctime = createAsctime({ datefmt: c.datefmt, utc: c.utc })
      records.forEach((r, j) => assert.equal(asctime(r), expected[i]?.[j], `${c.datefmt} utc=${c.utc} created=${r.created}`))
    })
  })

  test('appends ,mmm from msecs (truncated, zero-padded) to the default format', () => {
    const asctime = createAsctime({ datefmt: null, utc: true })
    assert.equal(asctime(makeRecord({ created: 1764110985.5, msecs: 5.9 })), '2025-11-25 22:49:45,005')
    assert.equal(asctime(makeRecord({ created: 1764110985.5, msecs: 999.99 })), '2025-11-25 22:49:45,999')
  })

  test('uses each record’s own msecs when records share a cached second', () => {
    const asctime = createAsctime({ datefmt: null, utc: true })
    const a = asctime(makeRecord({ created: 1764110985.1, msecs: 100 }))
    const b = asctime(makeRecord({ created: 1764110985.2, msecs: 200 }))
    const c = asctime(makeRecord({ created: 1764110986.0, msecs: 0 }))
    assert.deepEqual([a, b, c], ['2025-11-25 22:49:45,100', '2025-11-25 22:49:45,200', '2025-11-25 22:49:46,000'])
  })

  test('appends no msecs when a datefmt is set, and copies %f verbatim like time.strftime', () => {
    const asctime = createAsctime({ datefmt: '%H:%M:%S.%f', utc: true })
    assert.equal(asctime(makeRecord({ created: 1764110985.5, msecs: 500 })), '22:49:45.%f')
  })

  test('prints GMT and +0000 for %Z and %z under utc, as time.gmtime does', () => {
    const asctime = createAsctime({ datefmt: '%Z %z', utc: true })
    assert.equal(asctime(makeRecord()), 'GMT +0000')
  })

  test('treats an empty datefmt like None, as `if datefmt:` does', () => {
    const asctime = createAsctime({ datefmt: '', utc: true })
    assert.equal(asctime(makeRecord({ created: 0, msecs: 0 })), '1970-01-01 00:00:00,000')
  })

  test('prints a time beyond what it can render as the float\'s repr, without ,mmm (CPython raises and loses the record)', () => {
    for (const datefmt of [null, '%H:%M:%S']) {
      const asctime = createAsctime({ datefmt, utc: false })
      assert.equal(asctime(makeRecord({ created: 1e308, msecs: 0 })), '1e+308')
      assert.equal(asctime(makeRecord({ created: -9e12 - 0.5, msecs: 500 })), '-9000000000000.5')
      assert.equal(asctime(makeRecord({ created: 8.7e12, msecs: 0 })), '8700000000000.0')
    }
    const json = JSON.parse(createFormatter({ style: 'json', format: '', datefmt: null, utc: true, escape: true })(makeRecord({ created: 1e308 }))) as { asctime: string }
    assert.equal(json.asctime, '1e+308')
  })

  test('zero-pads msecs as %03d does, sign included', () => {
    const records = [-5, -50.5, 0, 7, 1234, 1e20].map((msecs) => makeRecord({ created: 1764110985, msecs }))
    const [want] = pythonFormat([{ fmt: '%(asctime)s', datefmt: null, utc: true }], records, TZ)
    const asctime = createAsctime({ datefmt: null, utc: true })
    assert.deepEqual(records.map(asctime), want)
  })
})
