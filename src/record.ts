// The one LogRecord model everything downstream of decode speaks, and its normalisation from a decoded
// pickle dict. Attribute names are CPython's, so format strings map onto fields without a table.
import { LEVEL_NAMES, LEVEL_NUMBERS } from './levels.js'
import { PyFloat, pyStr, type PyValue } from './py-value.js'

export interface LogRecord {
  name: string
  msg: string
  /** Normally null: SocketHandler merges args into msg before pickling. Kept for other senders. */
  args: PyValue
  levelname: string
  levelno: number
  pathname: string
  filename: string
  module: string
  lineno: number
  funcName: string
  created: number
  msecs: number
  relativeCreated: number
  thread: number | bigint | null
  threadName: string | null
  process: number | bigint | null
  processName: string | null
  taskName: string | null
  exc_text: string | null
  stack_info: string | null
  /** Server-added: the peer's address (IP), set after the client's extras so it cannot be forged. */
  client: string
  /** Server-added: arrival time, seconds since the epoch. */
  received: number
  /** Server-added: arrival order, assigned by the dispatcher (1, 2, 3…). */
  seq: number
  /** Every other key the client sent (`extra=` values), inert. Read-only: records without extras share one. */
  extra: ReadonlyMap<string, PyValue>
}

export class RecordError extends Error {
  readonly code = 'NOT_A_DICT'
}

/** The wire keys toLogRecord reads, each at its position in a FieldValues array. */
const FIELD_NAMES = [
  'name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'lineno', 'funcName',
  'created', 'msecs', 'relativeCreated', 'thread', 'threadName', 'process', 'processName', 'taskName',
  'exc_text', 'stack_info',
] as const
export type FieldName = (typeof FIELD_NAMES)[number]
/** Each wire key's position in FieldValues. */
export const FIELD = Object.fromEntries(FIELD_NAMES.map((k, i) => [k, i])) as { readonly [K in FieldName]: number }
export const FIELD_COUNT = FIELD_NAMES.length
/** Server-owned names: a client's `extra` keys with these names are dropped. */
export const SERVER_KEYS = new Set(['client', 'received', 'seq'])
/** A LogRecord attribute that is not a field here (SocketHandler blanks or drops them), or a server-owned name. */
export const NOT_A_FIELD = -1
/**
 * What a string key of the decoded dict is: a field's position in FieldValues, NOT_A_FIELD (never an extra),
 * or absent: an `extra`. One lookup per key; a decoder may remember the answer for a key it has seen.
 */
export const KEY_ROLES: ReadonlyMap<string, number> = new Map<string, number>([
  ...FIELD_NAMES.map((k, i): [string, number] => [k, i]),
  ...['exc_info', 'message', 'asctime', ...SERVER_KEYS].map((k): [string, number] => [k, NOT_A_FIELD]),
])

/** The values of the fields by KEY_ROLES position; undefined where the dict had no such key. */
export type FieldValues = (PyValue | undefined)[]

const NO_FIELDS: readonly undefined[] = FIELD_NAMES.map(() => undefined)

export function newFieldValues(): FieldValues {
  return NO_FIELDS.slice() // a copy of a packed array: cheaper than Array(n).fill(), measured per record
}

/**
 * A record found in its frame but not decoded into a LogRecord (ingest's fast path, for a format's line layout):
 * each field's value by FIELD position, except the long texts the layout writes, which stay bytes of the frame,
 * not yet decoded nor checked: `starts[i]` ≥ 0 says field i is `bytes[starts[i], ends[i])` (its value undefined).
 * A field the layout does not read (UNREAD) may have no value at all.
 */
export interface FrameFields {
  readonly values: FieldValues
  readonly bytes: Uint8Array
  /** `bytes` for reading a word at a time: bytes[i] is view's byte viewBase + i. */
  readonly view: DataView<ArrayBufferLike>
  readonly viewBase: number
  readonly starts: Int32Array
  readonly ends: Int32Array
}

/** What a line layout reads of each field of FrameFields, by FIELD position: nothing (the decoder only checks
 *  that the frame is valid there), its value, or its text (which may stay a span of the frame's bytes). */
export const UNREAD = 0
export const READ = 1
export const READ_TEXT = 2

/** The record's levelno as recordOf makes it from the fields and the levelname it settled on. */
export function levelnoOf(f: FieldValues, levelname: string): number {
  return levelnoFrom(num(f[FIELD.levelno]), levelname)
}

function levelnoFrom(levelnoRaw: number | null, levelname: string): number {
  return Math.trunc(levelnoRaw ?? LEVEL_NUMBERS.get(levelname) ?? 0)
}

/** The record's `created` as recordOf makes it: the client's, else the arrival time. */
export function createdOf(f: FieldValues, received: number): number {
  return num(f[FIELD.created]) ?? received
}

/** The record's `msecs` as recordOf makes it: the client's, else the milliseconds of `created`. */
export function msecsOf(f: FieldValues, created: number): number {
  return num(f[FIELD.msecs]) ?? Math.floor((created % 1) * 1000)
}

export function toLogRecord(decoded: PyValue, client: string, received: number): LogRecord {
  if (!(decoded instanceof Map)) throw new RecordError('the pickle is not a dict')
  // Keys of other types than str never match a field, nor become extras.
  const fields = newFieldValues()
  let extra: Map<string, PyValue> | null = null
  for (const [k, v] of decoded) {
    if (typeof k !== 'string') continue
    const role = KEY_ROLES.get(k)
    if (role === undefined) (extra ??= new Map()).set(k, v)
    else if (role !== NOT_A_FIELD) fields[role] = v
  }
  return recordOf(fields, extra, client, received)
}

/** The extras of every record that has none (most): one shared map, never written (LogRecord.extra is read-only). */
const NO_EXTRA: ReadonlyMap<string, PyValue> = new Map()

/** The record from its fields (a later key of the same name has replaced an earlier one) and extras in order;
 *  `extra` null when the dict had none. */
export function recordOf(f: FieldValues, extra: ReadonlyMap<string, PyValue> | null, client: string, received: number): LogRecord {
  const levelnoRaw = num(f[FIELD.levelno])
  const levelnameRaw = f[FIELD.levelname]
  const levelname = levelnameRaw == null ? LEVEL_NAMES.get(levelnoRaw ?? 0) ?? `Level ${levelnoRaw}` : pyStr(levelnameRaw)
  const created = createdOf(f, received)
  return {
    name: str(f[FIELD.name]) ?? 'root',
    // makeLogRecord's default msg is ''; a None msg is str(None), as getMessage() prints it.
    msg: f[FIELD.msg] !== undefined ? pyStrOf(f[FIELD.msg] ?? null) : '',
    args: f[FIELD.args] ?? null,
    levelname,
    levelno: levelnoFrom(levelnoRaw, levelname),
    pathname: str(f[FIELD.pathname]) ?? '',
    filename: str(f[FIELD.filename]) ?? '',
    module: str(f[FIELD.module]) ?? '',
    lineno: Math.trunc(num(f[FIELD.lineno]) ?? 0),
    funcName: str(f[FIELD.funcName]) ?? '',
    created,
    msecs: msecsOf(f, created),
    relativeCreated: num(f[FIELD.relativeCreated]) ?? 0,
    thread: int(f[FIELD.thread]),
    threadName: str(f[FIELD.threadName]),
    process: int(f[FIELD.process]),
    processName: str(f[FIELD.processName]),
    taskName: str(f[FIELD.taskName]),
    exc_text: str(f[FIELD.exc_text]) || null,
    stack_info: str(f[FIELD.stack_info]) || null,
    client,
    received,
    seq: 0,
    extra: extra ?? NO_EXTRA,
  }
}

/** Strings pass whole (a 900 KB message stays 900 KB); only other values are rendered, and bounded. */
function str(v: PyValue | undefined): string | null {
  return v == null ? null : typeof v === 'string' ? v : pyStr(v)
}

function pyStrOf(v: PyValue): string {
  return typeof v === 'string' ? v : pyStr(v)
}

/** A numeric field's value as recordOf reads it (null: absent, or not a number). */
export function num(v: PyValue | undefined): number | null {
  if (v instanceof PyFloat) return v.value
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  return null
}

/** Thread ids exceed 2^53 on 64-bit Linux (~1.4e14 fits, but pthread ids can be larger): keep them exact. */
function int(v: PyValue | undefined): number | bigint | null {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null
  if (v instanceof PyFloat) return Math.trunc(v.value)
  if (typeof v === 'boolean') return v ? 1 : 0
  return null
}
