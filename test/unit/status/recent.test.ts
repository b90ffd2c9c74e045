import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { getMessage } from '../../../src/format/message.js'
import { PyTuple, type PyValue } from '../../../src/py-value.js'
import { toLogRecord } from '../../../src/record.js'
import { isOwnRecentView, recentOf, toRecent } from '../../../src/status/recent.js'
import { createRecordJson, WHOLE_TEXT_CHARS } from '../../../src/web/record-json.js'
import { RECENT_FIELD_CHARS, RECENT_TEXT_CHARS } from '../../../src/text-caps.js'

describe('toRecent()', () => {
  const big = 'x'.repeat(900_000)
  const junk: PyValue = Array.from({ length: 1000 }, () => new Map())
  const record = toLogRecord(new Map<PyValue, PyValue>([['name', 'app'], ['msg', big], ['exc_text', big], ['junk', junk], ['levelname', 'ERROR']]), '10.0.0.1', 5)

  it('drops the extra values and caps long texts, keeping what the page shows', () => {
    const recent = toRecent(record, record.msg)
    assert.equal(recent.extra.size, 0)
    assert.equal(recent.msg.length, RECENT_TEXT_CHARS)
    assert.equal(recent.exc_text?.length, RECENT_TEXT_CHARS)
    assert.equal(recent.name, 'app')
    assert.equal(recent.levelname, 'ERROR')
    assert.equal(recent.client, '10.0.0.1')
  })

  it('owns what it keeps: a cut text does not keep the whole original alive', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const make = (i: number): string => String(i).padEnd(1024 * 1024, 'y') // 1 MiB of one-byte characters
    gc()
    const before = process.memoryUsage().heapUsed
    const kept = Array.from({ length: 40 }, (_, i) => {
      const long = make(i)
      const r = toLogRecord(new Map<PyValue, PyValue>([['msg', long], ['name', long], ['exc_text', long]]), 'h', 1)
      return toRecent(r, r.msg)
    })
    gc()
    const grewMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20
    // 40 records × (2 × 64 KiB + 1 KiB) ≈ 5 MiB kept; holding the originals would be 40 × 1 MiB = 40 MiB.
    assert.ok(grewMiB < 15, `the ring's copies hold ${grewMiB.toFixed(1)} MiB`)
    assert.equal(kept[39]!.name.length, RECENT_FIELD_CHARS)
    assert.ok(kept[39]!.msg.startsWith('39yyy'))
  })

  it('keeps the merged message as msg, with no args left to merge again', () => {
    const r = toLogRecord(new Map<PyValue, PyValue>([['msg', '%s%%'], ['args', new PyTuple([5])]]), 'h', 1)
    const recent = toRecent(r, getMessage(r))
    assert.deepEqual([recent.msg, recent.args, getMessage(recent)], ['5%', null, '5%'])
  })

  it('leaves the record for the central file untouched', () => {
    toRecent(record, record.msg)
    assert.equal(record.msg.length, 900_000)
    assert.equal(record.extra.size, 1)
  })
})

describe('recentOf()', () => {
  const fields = (extra: [string, PyValue][] = []): Map<PyValue, PyValue> => new Map<PyValue, PyValue>([
    ['name', 'app.db'], ['msg', 'query took 12 ms'], ['args', null], ['levelname', 'INFO'], ['levelno', 20], ['pathname', '/srv/app/db.py'],
    ['filename', 'db.py'], ['module', 'db'], ['lineno', 42], ['funcName', 'run'], ['created', 1700000000.25], ['msecs', 250.0],
    ['relativeCreated', 12.5], ['thread', 140000000001], ['threadName', 'MainThread'], ['process', 4242], ['processName', 'MainProcess'],
    ['taskName', null], ['exc_text', null], ['stack_info', null], ...extra,
  ])
  const variant = (change: [string, PyValue][]): Map<PyValue, PyValue> => {
    const m = fields()
    for (const [k, v] of change) m.set(k, v)
    return m
  }
  const records = [
    ['plain', fields()],
    ['with a traceback', variant([['exc_text', 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: x']])],
    ['with args', variant([['msg', '%s rows in %d ms'], ['args', new PyTuple(['12', 3])]])],
    ['with an empty args tuple', variant([['args', new PyTuple([])]])],
    ['with extra', fields([['user', 'alice'], ['n', 3]])],
    ['with a message over the cap', variant([['msg', 'm'.repeat(RECENT_TEXT_CHARS + 1)]])],
    ['with a message at the cap', variant([['msg', 'm'.repeat(RECENT_TEXT_CHARS)]])],
    ['with a stack over the cap', variant([['stack_info', 's'.repeat(RECENT_TEXT_CHARS + 1)]])],
    ['with a long logger name', variant([['name', 'n'.repeat(RECENT_FIELD_CHARS + 1)]])],
    ['with a long task name', variant([['taskName', 't'.repeat(RECENT_FIELD_CHARS + 1)]])],
  ] as const
  const json = createRecordJson({ datefmt: null, utc: true }, WHOLE_TEXT_CHARS)

  for (const [what, dict] of records) {
    it(`shows a record ${what} exactly as toRecent's copy does`, () => {
      const r = toLogRecord(dict, '10.1.2.3', 1700000001.5)
      r.seq = 7
      const kept = recentOf(r, getMessage)
      const copy = toRecent(r, getMessage(r))
      assert.deepEqual(json(kept), json(copy))
      assert.deepEqual({ ...kept, extra: null }, { ...copy, extra: null })
      assert.deepEqual(Object.keys(kept), Object.keys(copy))
      assert.equal(kept.extra.size, 0)
      assert.equal(getMessage(kept), getMessage(copy))
      // Only a record that is already its own view is kept as it is; any other is the copy.
      assert.equal(kept === r, what === 'plain' || what === 'with a traceback' || what === 'with a message at the cap')
      assert.equal(isOwnRecentView(r), kept === r)
    })
  }
})
