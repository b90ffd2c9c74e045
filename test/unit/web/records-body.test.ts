import assert from 'node:assert/strict'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import type { LogRecord } from '../../../src/record.js'
import { createRecordJson } from '../../../src/web/record-json.js'
import { BODY_HIGH_WATER_MARK, recordsBody } from '../../../src/web/records-body.js'
import { rec } from './records.js'

const toJson = createRecordJson({ datefmt: null, utc: true })

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = ''
  for await (const chunk of stream) out += (chunk as Buffer).toString('utf8')
  return out
}

describe('recordsBody()', () => {
  it('streams exactly the JSON of the whole page object', async () => {
    const records = [rec(1), rec(2, { msg: 'quote " and\nnewline ☃' }), rec(3, { exc_text: 'Traceback…' })]
    const page = { records, lastSeq: 7, next: 3, more: true, missed: 2, capacity: 300 }
    const expected = JSON.stringify({ ...page, records: records.map(toJson) })
    assert.equal(await text(recordsBody(page, toJson)), expected)
    assert.equal(await text(recordsBody({ ...page, records: [] }, toJson)), JSON.stringify({ ...page, records: [] }))
  })

  it('converts records only as fast as they are read: an unread body holds about one highWaterMark', async () => {
    let converted = 0
    const counting = (r: LogRecord): ReturnType<typeof toJson> => (converted++, toJson(r))
    const records = Array.from({ length: 300 }, (_, i) => rec(i + 1, { msg: 'x'.repeat(4000) }))
    const body = recordsBody({ records, lastSeq: 300, next: 300, more: false, missed: 0, capacity: 300 }, counting)
    body.pause()
    body.read(0) // start it, as piping to a socket would
    await new Promise((r) => setTimeout(r, 50))
    assert.ok(body.readableLength <= BODY_HIGH_WATER_MARK + 20_000, `${body.readableLength} bytes buffered`)
    assert.ok(converted < 30, `${converted} of 300 records converted while nobody read`)
    body.resume()
    await once(body, 'end')
    assert.equal(converted, 300)
  })
})
