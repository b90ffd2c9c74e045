import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { getMessage } from '../../../src/format/message.js'
import { PyTuple, type PyValue } from '../../../src/py-value.js'
import { toLogRecord } from '../../../src/record.js'
import { toRecent } from '../../../src/status/recent.js'
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
