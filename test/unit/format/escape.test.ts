// file.escape: in text style no client text can make a line that reads as a record of its own, control
// characters never reach the file raw, and otherwise the entry is CPython's Formatter output.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { escapeLine, escapeText, markContinuations } from '../../../src/format/escape.js'
import { createFormatter } from '../../../src/format/formatter.js'
import { unpickle } from '../../../src/ingest/unpickle.js'
import { toLogRecord, type LogRecord } from '../../../src/record.js'
import { runPython } from '../../support/python.js'
import { makeRecord, pythonFormat } from './record-fixtures.js'

const FMT = '%(asctime)s %(client)s %(name)s %(levelname)s %(message)s'
const text = createFormatter({ style: 'text', format: FMT, datefmt: null, utc: true, escape: true })
const json = createFormatter({ style: 'json', format: '', datefmt: null, utc: true, escape: true })
const FORGED = '2026-11-30 09:00:00,000 10.0.0.99 forged.app CRITICAL pwned'

/** A reader's view: a line not starting with TAB starts a record. */
const firstLines = (entry: string) => entry.split('\n').filter((l) => !l.startsWith('\t'))

describe('text style with escape', () => {
  test('a newline in the message or the logger name cannot start a line of its own', () => {
    const entry = text(makeRecord({ name: `app\n${FORGED}`, msg: `ok\n${FORGED}\n` }))
    assert.equal(firstLines(entry).length, 1)
    assert.equal(entry, `2025-11-25 21:49:45,896 192.0.2.17 app\\n${FORGED} INFO ok\n\t${FORGED}\n\t`)
  })

  test('escapes C0 (but TAB), DEL, C1, U+2028/2029 and lone surrogates; a leading TAB is written \\t', () => {
    const f = createFormatter({ style: 'text', format: '%(message)s|%(name)s', datefmt: null, utc: false, escape: true })
    const entry = f(makeRecord({ msg: '\tx\r\x1b[2J\x00\x7f\x85\x9f\u2028\u2029\ud800 \udcff é😀\ttab', name: 'n\r\n\u2028' }))
    assert.equal(entry, '\\tx\\r\\x1b[2J\\x00\\x7f\\x85\\x9f\\u2028\\u2029\\ud800 \\udcff é😀\ttab|n\\r\\n\\u2028')
  })

  test('tracebacks and stack_info follow as CPython prints them, each line behind a TAB', () => {
    const exc = 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nZeroDivisionError: division by zero'
    const entry = text(makeRecord({ msg: 'boom', exc_text: exc, stack_info: 'Stack (most recent call last):\n  File "y.py"' }))
    assert.deepEqual(entry.split('\n'), [
      '2025-11-25 21:49:45,896 192.0.2.17 app.db INFO boom',
      '\tTraceback (most recent call last):',
      '\t  File "x.py", line 1, in <module>',
      '\tZeroDivisionError: division by zero',
      '\tStack (most recent call last):',
      '\t  File "y.py"',
    ])
  })

  test('apart from the TAB marks, an entry without control characters is CPython Formatter output', () => {
    const records: LogRecord[] = [
      makeRecord(),
      makeRecord({ msg: 'two\nlines', exc_text: 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: x\n' }),
      makeRecord({ msg: 'ends with newline\n', stack_info: 'Stack (most recent call last):\n  File "y.py"' }),
      makeRecord({ msg: 'naïve 😀 100%', name: 'ünï' }),
    ]
    const [want] = pythonFormat([{ fmt: FMT, datefmt: null, utc: true }], records, 'UTC')
    records.forEach((r, i) => assert.equal(text(r).replaceAll('\n\t', '\n'), want?.[i]))
  })

  test('leaves clean text alone without copying it', () => {
    const s = 'plain text, with\ttabs and ünïcode 😀'
    assert.equal(escapeLine(s), s)
    assert.equal(escapeText(s + '\n'), s + '\n')
    assert.equal(markContinuations(s), s)
  })

  test('escape: false writes the raw text, as CPython would', () => {
    const raw = createFormatter({ style: 'text', format: '%(message)s', datefmt: null, utc: false, escape: false })
    assert.equal(raw(makeRecord({ msg: `\tok\n${FORGED}\x1b` })), `\tok\n${FORGED}\x1b`)
  })
})

describe('lone surrogates', () => {
  // Python keeps '\ud83d\ude00' (two lone surrogates, pickled with surrogatepass) apart from '😀'.
  const pickled = runPython(`import pickle, sys
sys.stdout.write(pickle.dumps({'msg': 'pair \\ud83d\\ude00 lone \\udcff real \\U0001f600', 'name': 'x\\udcff'}, 4).hex())`).toString()
  const record = toLogRecord(unpickle(Buffer.from(pickled, 'hex')), '127.0.0.1', 1)

  test('are written as \\udcff in text style, and a surrogatepass\'d pair stays two', () => {
    const f = createFormatter({ style: 'text', format: '%(name)s %(message)s', datefmt: null, utc: false, escape: true })
    assert.equal(f(record), 'x\\udcff pair \\ud83d\\ude00 lone \\udcff real 😀')
  })

  test('are written the same way in JSON style', () => {
    const line = json(record)
    const o = JSON.parse(line) as Record<string, string>
    assert.equal(o['message'], 'pair \\ud83d\\ude00 lone \\udcff real 😀')
    assert.equal(o['name'], 'x\\udcff')
    assert.ok(line.isWellFormed())
  })
})
