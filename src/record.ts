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
  /** Every other key the client sent (`extra=` values), inert. */
  extra: Map<string, PyValue>
}

export class RecordError extends Error {
  readonly code = 'NOT_A_DICT'
}

/** Keys that are LogRecord attributes (or that SocketHandler blanks), so never extras. */
const STANDARD_KEYS = new Set([
  'name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'lineno', 'funcName',
  'created', 'msecs', 'relativeCreated', 'thread', 'threadName', 'process', 'processName', 'taskName',
  'exc_text', 'stack_info', 'exc_info', 'message', 'asctime',
])
/** Server-owned names: a client's `extra` keys with these names are dropped. */
export const SERVER_KEYS = new Set(['client', 'received', 'seq'])
/** Both of the above: one lookup per key of every record (a record has ~23). */
const NOT_EXTRA = new Set([...STANDARD_KEYS, ...SERVER_KEYS])

export function toLogRecord(decoded: PyValue, client: string, received: number): LogRecord {
  if (!(decoded instanceof Map)) throw new RecordError('the pickle is not a dict')
  // String keys are primitives, so d.get('name') finds them; keys of other types never match a field.
  const d = decoded
  const levelnoRaw = num(d.get('levelno'))
  const levelnameRaw = d.get('levelname')
  const levelname = levelnameRaw == null ? LEVEL_NAMES.get(levelnoRaw ?? 0) ?? `Level ${levelnoRaw}` : pyStr(levelnameRaw)
  const levelno = levelnoRaw ?? LEVEL_NUMBERS.get(levelname) ?? 0
  const created = num(d.get('created')) ?? received
  const extra = new Map<string, PyValue>()
  for (const [k, v] of d) if (typeof k === 'string' && !NOT_EXTRA.has(k)) extra.set(k, v)
  return {
    name: str(d.get('name')) ?? 'root',
    // makeLogRecord's default msg is ''; a None msg is str(None), as getMessage() prints it.
    msg: d.has('msg') ? pyStrOf(d.get('msg') ?? null) : '',
    args: d.get('args') ?? null,
    levelname,
    levelno: Math.trunc(levelno),
    pathname: str(d.get('pathname')) ?? '',
    filename: str(d.get('filename')) ?? '',
    module: str(d.get('module')) ?? '',
    lineno: Math.trunc(num(d.get('lineno')) ?? 0),
    funcName: str(d.get('funcName')) ?? '',
    created,
    msecs: num(d.get('msecs')) ?? Math.floor((created % 1) * 1000),
    relativeCreated: num(d.get('relativeCreated')) ?? 0,
    thread: int(d.get('thread')),
    threadName: str(d.get('threadName')),
    process: int(d.get('process')),
    processName: str(d.get('processName')),
    taskName: str(d.get('taskName')),
    exc_text: str(d.get('exc_text')) || null,
    stack_info: str(d.get('stack_info')) || null,
    client,
    received,
    seq: 0,
    extra,
  }
}

/** Strings pass whole (a 900 KB message stays 900 KB); only other values are rendered, and bounded. */
function str(v: PyValue | undefined): string | null {
  return v == null ? null : typeof v === 'string' ? v : pyStr(v)
}

function pyStrOf(v: PyValue): string {
  return typeof v === 'string' ? v : pyStr(v)
}

function num(v: PyValue | undefined): number | null {
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
