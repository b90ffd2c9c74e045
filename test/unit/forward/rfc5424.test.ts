import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cutUtf8, escapeParamValue, headerField, LIMITS, severityOf, structuredData, timestamp, toRfc5424 } from '../../../src/forward/rfc5424.js'
import { makeRecord } from '../format/record-fixtures.js'

const BOM = '\ufeff'

describe('severityOf()', () => {
  it('maps the standard levels as SysLogHandler does', () => {
    assert.deepEqual([50, 40, 30, 20, 10].map(severityOf), [2, 3, 4, 6, 7])
  })

  it('gives custom levels the nearest standard one, a tie going to the more severe', () => {
    assert.equal(severityOf(5), 7) // TRACE-like
    assert.equal(severityOf(0), 7) // NOTSET
    assert.equal(severityOf(25), 4) // halfway between INFO and WARNING
    assert.equal(severityOf(24), 6)
    assert.equal(severityOf(35), 3)
    assert.equal(severityOf(99), 2)
    assert.equal(severityOf(-3), 7)
  })
})

describe('headerField()', () => {
  it('keeps PRINTUSASCII, turns spaces, controls and non-ASCII into _, and cuts to the limit', () => {
    assert.equal(headerField('app.db', LIMITS.appName), 'app.db')
    assert.equal(headerField('my app\tnäme', LIMITS.appName), 'my_app_n_me')
    assert.equal(headerField('x'.repeat(60), LIMITS.appName), 'x'.repeat(48))
    assert.equal(headerField('LEVEL_NAME_'.repeat(5), LIMITS.msgId).length, 32)
  })

  it('writes the NILVALUE for an empty field', () => {
    assert.equal(headerField('', LIMITS.appName), '-')
  })
})

describe('escapeParamValue()', () => {
  it('escapes ", \\ and ] with a backslash and nothing else', () => {
    assert.equal(escapeParamValue('a"b\\c]d[e=f'), 'a\\"b\\\\c\\]d[e=f')
    assert.equal(escapeParamValue('plain ünïcode'), 'plain ünïcode')
  })
})

describe('timestamp()', () => {
  it('is RFC 3339 in UTC with microseconds from the float `created`', () => {
    assert.equal(timestamp(1764107385.896123), '2025-11-25T21:49:45.896123Z')
    assert.equal(timestamp(0), '1970-01-01T00:00:00.000000Z')
    assert.equal(timestamp(1764107385.9999996), '2025-11-25T21:49:46.000000Z')
  })

  it('is the NILVALUE for a time that cannot be a date', () => {
    assert.equal(timestamp(Number.NaN), '-')
    assert.equal(timestamp(1e20), '-')
  })

  it('is the NILVALUE for a year RFC 3339 cannot spell in four digits (rsyslog misreads the whole header then)', () => {
    assert.equal(timestamp(3e11), '-') // year 11476: toISOString writes +011476-…
    assert.equal(timestamp(-1e11), '-') // year -1199: -001199-…
    assert.equal(timestamp(253402300799.5), '9999-12-31T23:59:59.500000Z')
    assert.equal(timestamp(-62167219200), '0000-01-01T00:00:00.000000Z')
  })
})

describe('structuredData()', () => {
  it('names where the record was made, escaped, omitting unknown process and thread', () => {
    const sd = structuredData(makeRecord({ funcName: 'we]ird"\\', thread: null, process: null }))
    assert.equal(sd, '[python@32473 module="db" funcName="we\\]ird\\"\\\\" lineno="42"]')
  })

  it('cuts long values, so a hostile funcName cannot crowd out the message', () => {
    const sd = structuredData(makeRecord({ funcName: 'f'.repeat(10_000) }))
    assert.ok(sd.length < 500, `${sd.length}`)
  })
})

describe('toRfc5424()', () => {
  it('writes PRI, version, time, host, app, procid, msgid, structured data and BOM + message', () => {
    const text = toRfc5424(makeRecord({ levelno: 40, levelname: 'ERROR', msg: 'connected to %s', args: null }), 1, 8192).toString('utf8')
    assert.equal(
      text,
      `<11>1 2025-11-25T21:49:45.896123Z 192.0.2.17 app.db 4242 ERROR [python@32473 module="db" funcName="connect" lineno="42" process="4242" thread="140245487712064"] ${BOM}connected to %s`,
    )
  })

  it('merges args and appends the traceback and stack as logging.Formatter does', () => {
    const r = makeRecord({ msg: 'user %s', args: 'x', exc_text: 'Traceback (most recent call last):\nValueError: boom', stack_info: 'Stack (most recent call last):' })
    const text = toRfc5424(r, 16, 8192).toString('utf8')
    assert.ok(text.startsWith('<134>1 '), text) // local0.info
    assert.ok(text.endsWith(`${BOM}user x\nTraceback (most recent call last):\nValueError: boom\nStack (most recent call last):`), text)
  })

  it('stays within maxBytes by cutting the message at a character boundary', () => {
    const r = makeRecord({ msg: 'é'.repeat(10_000) })
    const bytes = toRfc5424(r, 1, 2048)
    assert.ok(bytes.length <= 2048 && bytes.length >= 2046, `${bytes.length}`)
    assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    assert.ok(bytes.toString('utf8').endsWith('é'))
  })

  it('keeps a header forged with spaces from shifting the fields', () => {
    const text = toRfc5424(makeRecord({ name: 'a b c', levelname: 'MY LEVEL', client: 'unix:1 x' }), 1, 8192).toString('utf8')
    const fields = text.split(' ')
    assert.equal(fields[2], 'unix:1_x')
    assert.equal(fields[3], 'a_b_c')
    assert.equal(fields[5], 'MY_LEVEL')
  })
})

describe('cutUtf8()', () => {
  it('never splits a multi-byte character', () => {
    const b = Buffer.from('a€b', 'utf8') // € is 3 bytes
    assert.equal(cutUtf8(b, 3).toString('utf8'), 'a')
    assert.equal(cutUtf8(b, 4).toString('utf8'), 'a€')
    assert.equal(cutUtf8(b, 0).length, 0)
    assert.equal(cutUtf8(b, -5).length, 0)
  })
})
