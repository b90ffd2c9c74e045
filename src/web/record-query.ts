// The record filters shared by /api/records, /api/stream and (mirrored) the page: minimum level, logger
// prefix, client prefix, free text. Pure: parses a query object, selects from the ring.
import { LEVEL_NUMBERS } from '../levels.js'
import type { LogRecord } from '../record.js'
import type { Ring } from '../status/ring.js'

export interface RecordFilter {
  minLevel: number | null
  logger: string | null
  client: string | null
  /** Lower-cased; matched against message, logger name, client and traceback text. */
  text: string | null
}

export interface RecordQuery {
  after: number | null
  limit: number
  filter: RecordFilter
}

/** Thrown for a bad query parameter; koa exposes the message of a 4xx. */
export class QueryError extends Error {
  readonly status = 400
  readonly expose = true
}

const MAX_TEXT = 1000

type Query = Record<string, string | string[] | undefined>

function single(query: Query, key: string): string | null {
  const v = query[key]
  if (Array.isArray(v)) throw new QueryError(`${key} given more than once`)
  if (v === undefined || v === '') return null
  if (v.length > MAX_TEXT) throw new QueryError(`${key} is longer than ${MAX_TEXT} characters`)
  return v
}

function nonNegativeInt(query: Query, key: string): number | null {
  const v = single(query, key)
  if (v === null) return null
  if (!/^\d{1,15}$/.test(v)) throw new QueryError(`${key} must be a whole number ≥ 0, not ${JSON.stringify(v)}`)
  return Number(v)
}

export function parseLevel(v: string): number {
  if (/^\d{1,3}$/.test(v)) return Number(v)
  // CPython's names (logging._nameToLevel), so `level=warning` means what a Python programmer expects.
  const n = LEVEL_NUMBERS.get(v.toUpperCase())
  if (n === undefined) throw new QueryError(`bad level filter ${JSON.stringify(v)}: a level name (DEBUG, INFO, WARNING, ERROR, CRITICAL) or number`)
  return n
}

export function parseFilter(query: Query): RecordFilter {
  const level = single(query, 'level')
  return {
    minLevel: level === null ? null : parseLevel(level),
    logger: single(query, 'logger'),
    client: single(query, 'client'),
    text: single(query, 'q')?.toLowerCase() ?? null,
  }
}

/** `limit` defaults to, and is capped at, the ring's capacity: there is never more to return. */
export function parseQuery(query: Query, capacity: number): RecordQuery {
  const limit = nonNegativeInt(query, 'limit')
  if (limit === 0) throw new QueryError('limit must be at least 1')
  return { after: nonNegativeInt(query, 'after'), limit: Math.min(limit ?? capacity, capacity), filter: parseFilter(query) }
}

export function isEmptyFilter(f: RecordFilter): boolean {
  return f.minLevel === null && f.logger === null && f.client === null && f.text === null
}

export function matches(r: LogRecord, f: RecordFilter): boolean {
  if (f.minLevel !== null && r.levelno < f.minLevel) return false
  if (f.logger !== null && !r.name.startsWith(f.logger)) return false
  if (f.client !== null && !r.client.startsWith(f.client)) return false
  if (f.text !== null) {
    const t = f.text
    return [r.msg, r.name, r.client, r.exc_text ?? '', r.stack_info ?? ''].some((s) => s.toLowerCase().includes(t))
  }
  return true
}

export interface Selection {
  records: LogRecord[]
  /** The newest sequence number the server has (0 before the first record): the next `after`. */
  lastSeq: number
  /** With `after`: more matching records follow the last one returned (ask again with after=next). */
  more: boolean
  /** With `after`: records after it that had already left the ring (the caller fell behind). */
  missed: number
}

/**
 * Without `after`: the newest `limit` matching records. With `after`: the oldest `limit` matching records
 * whose seq is above it, so `after=<last seq returned>` pages forward without gaps or repeats.
 * Sequence numbers rise by one per record, so the ring's tail holds exactly `lastSeq - after` newer ones.
 */
export function selectRecords(ring: Ring<LogRecord>, q: RecordQuery): Selection {
  const lastSeq = ring.last()?.seq ?? 0
  const all = isEmptyFilter(q.filter)
  if (q.after === null) {
    if (all) return { records: ring.latest(q.limit), lastSeq, more: false, missed: 0 }
    const found = ring.toArray().filter((r) => matches(r, q.filter))
    return { records: found.slice(-q.limit), lastSeq, more: false, missed: 0 }
  }
  const after = q.after
  const newer = ring.latest(lastSeq - after).filter((r) => r.seq > after)
  const missed = newer.length > 0 ? newer[0]!.seq - after - 1 : 0
  const found = all ? newer : newer.filter((r) => matches(r, q.filter))
  return { records: found.slice(0, q.limit), lastSeq, more: found.length > q.limit, missed }
}

/** The record with this sequence number while the ring still holds it (numbers rise by one per record). */
export function findRecord(ring: Ring<LogRecord>, seq: number): LogRecord | null {
  const lastSeq = ring.last()?.seq ?? 0
  if (seq < 1 || seq > lastSeq || lastSeq - seq >= ring.size) return null
  const found = ring.latest(lastSeq - seq + 1)[0]
  return found?.seq === seq ? found : null
}

/** A path's sequence number, or a 400. */
export function parseSeq(v: string | undefined): number {
  if (v === undefined || !/^\d{1,15}$/.test(v)) throw new QueryError(`a record is named by its sequence number, not ${JSON.stringify(v ?? '')}`)
  return Number(v)
}
