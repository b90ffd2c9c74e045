// The /api/records body as a byte stream, generated record by record as the socket takes it: a client that
// reads slowly (or not at all) holds one highWaterMark of JSON, never the whole page as one string.
import { Readable } from 'node:stream'
import type { LogRecord } from '../record.js'
import type { RecordJson, RecordsResponse } from './api-contract.js'

/** RecordsResponse before its records are shaped. */
export type RecordsPage = Omit<RecordsResponse, 'records'> & { records: readonly LogRecord[] }

/** Bytes buffered ahead of the socket; the generator pauses beyond it. */
export const BODY_HIGH_WATER_MARK = 64 * 1024
/** Records are joined into chunks of about this many characters, not written one tiny chunk each. */
const CHUNK_CHARS = 16 * 1024

/** The same JSON as JSON.stringify({records: records.map(toJson), lastSeq, next, more, missed, capacity}): a RecordsResponse. */
export function recordsBody(page: RecordsPage, toJson: (r: LogRecord) => RecordJson): Readable {
  return Readable.from(chunks(page, toJson), { objectMode: false, highWaterMark: BODY_HIGH_WATER_MARK })
}

function* chunks(page: RecordsPage, toJson: (r: LogRecord) => RecordJson): Generator<string> {
  let chunk = '{"records":['
  for (const [i, r] of page.records.entries()) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(toJson(r))
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk
      chunk = ''
    }
  }
  const { lastSeq, next, more, missed, capacity } = page
  const rest: Omit<RecordsResponse, 'records'> = { lastSeq, next, more, missed, capacity }
  yield chunk + '],' + JSON.stringify(rest).slice(1)
}
