// One JSON object per record (no trailing newline): CPython's attribute names, the server's fields, and
// the client's extras rendered JSON-safely and bounded per value.
import { floatRepr, PyBytes, PyFloat, PyGlobal, PyObject, pyRepr, pyStr, PySet, PyTuple, type PyValue } from '../py-value.js'
import type { LogRecord } from '../record.js'
import { escapeSurrogates } from './escape.js'
import { getMessage } from './message.js'

/** Per extra value, in JSON characters; a larger value becomes a truncated repr string (see below). */
export const MAX_JSON_VALUE_CHARS = 64 * 1024
/** Appended to a value's repr when its JSON would exceed MAX_JSON_VALUE_CHARS. */
export const TRUNCATED_MARKER = '…[truncated]'
const TRUNCATED_REPR_CHARS = 8 * 1024
const MAX_DEPTH = 64

/**
 * Fixed keys, in output order. Extras come after them at the top level (as python-json-logger does);
 * record.ts already drops client keys named like attributes or server fields, and any that still clash
 * are skipped here, so a client can never overwrite one of these.
 */
const FIXED_KEYS = new Set([
  'seq', 'received', 'client', 'created', 'asctime', 'name', 'levelname', 'levelno', 'message', 'msg', 'args',
  'pathname', 'filename', 'module', 'lineno', 'funcName', 'msecs', 'relativeCreated', 'thread', 'threadName',
  'process', 'processName', 'taskName', 'exc_text', 'stack_info',
])

/** `asctime` is the record's time as the text format would print it (same datefmt and zone). */
export function createJsonLines(asctime: (r: LogRecord) => string): (r: LogRecord) => string {
  return (r) => {
    let s =
      `{"seq":${r.seq},"received":${float(r.received)},"client":${str(r.client)},` +
      `"created":${float(r.created)},"asctime":${str(asctime(r))},"name":${str(r.name)},` +
      `"levelname":${str(r.levelname)},"levelno":${r.levelno},` +
      `"message":${str(getMessage(r))},"msg":${str(r.msg)},"args":${jsonValue(r.args)},` +
      `"pathname":${str(r.pathname)},"filename":${str(r.filename)},` +
      `"module":${str(r.module)},"lineno":${r.lineno},"funcName":${str(r.funcName)},` +
      `"msecs":${float(r.msecs)},"relativeCreated":${float(r.relativeCreated)},"thread":${jsonValue(r.thread)},` +
      `"threadName":${opt(r.threadName)},"process":${jsonValue(r.process)},"processName":${opt(r.processName)},` +
      `"taskName":${opt(r.taskName)},"exc_text":${opt(r.exc_text)},"stack_info":${opt(r.stack_info)}`
    for (const [key, value] of r.extra) {
      if (!FIXED_KEYS.has(key)) s += `,${str(key)}:${jsonValue(value)}`
    }
    return s + '}'
  }
}

function opt(s: string | null): string {
  return s === null ? 'null' : str(s)
}

/**
 * A JSON string whose lone surrogates are the text `\udcff` (Python's backslashreplace), as in the text
 * style: JSON's own "\udcff" escape is legal but readers turn it into U+FFFD or fail on it. JSON.stringify
 * leaves DEL, the C1 controls and U+2028/U+2029 raw: a terminal obeys C1 (\x9b is CSI) and line-splitting
 * readers break at U+2028, so those become \u escapes too (json.dumps with its default ensure_ascii does so).
 */
function str(s: string): string {
  const json = JSON.stringify(escapeSurrogates(s))
  return RAW_IN_JSON.test(json) ? json.replace(RAW_IN_JSON_ALL, unicodeEscape) : json
}
const RAW_IN_JSON = /[\x7f-\x9f\u2028\u2029]/
const RAW_IN_JSON_ALL = /[\x7f-\x9f\u2028\u2029]/g
function unicodeEscape(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
}

/**
 * A Python float as json.dumps writes it (repr: 1.0 stays 1.0, so a reader can tell it from the int 1).
 * JSON has no NaN or Infinity: those become Python's spellings as strings.
 */
function float(x: number): string {
  return Number.isFinite(x) ? floatRepr(x) : JSON.stringify(floatRepr(x))
}

class TooLarge extends Error {}

/**
 * A decoded value as JSON: tuples and sets → arrays, dicts → objects (non-string keys repr'd), ints
 * (bigint) → exact digits, bytes/objects/classes → their str(). Longer than MAX_JSON_VALUE_CHARS → a
 * string of the first 8 KiB of repr() plus TRUNCATED_MARKER.
 */
export function jsonValue(v: PyValue): string {
  const out: string[] = []
  try {
    write(v, out, { chars: 0 }, 0, new Set())
    return out.join('')
  } catch (e) {
    if (!(e instanceof TooLarge)) throw e
    return str(pyRepr(v).slice(0, TRUNCATED_REPR_CHARS) + TRUNCATED_MARKER)
  }
}

function write(v: PyValue, out: string[], size: { chars: number }, depth: number, active: Set<object>): void {
  const push = (s: string) => {
    size.chars += s.length
    if (size.chars > MAX_JSON_VALUE_CHARS) throw new TooLarge()
    out.push(s)
  }
  if (v === null) return push('null')
  switch (typeof v) {
    case 'boolean':
      return push(v ? 'true' : 'false')
    case 'number':
      return push(Number.isInteger(v) ? String(v) : float(v))
    case 'bigint':
      return push(v.toString())
    case 'string':
      return push(str(v))
    default:
  }
  if (v instanceof PyFloat) return push(float(v.value))
  if (v instanceof PyBytes || v instanceof PyObject || v instanceof PyGlobal) return push(str(pyStr(v)))
  // Pickles can share and even nest a container in itself: print a repr-style marker, as repr() does.
  if (active.has(v) || depth >= MAX_DEPTH) return push(str(Array.isArray(v) ? '[...]' : v instanceof Map ? '{...}' : '(...)'))
  active.add(v)
  if (v instanceof Map) {
    push('{')
    let first = true
    for (const [k, item] of v) {
      push((first ? '' : ',') + str(typeof k === 'string' ? k : pyRepr(k)) + ':')
      first = false
      write(item, out, size, depth + 1, active)
    }
    push('}')
  } else {
    const items = Array.isArray(v) ? v : v instanceof PyTuple || v instanceof PySet ? v.items : []
    push('[')
    for (let i = 0; i < items.length; i++) {
      if (i > 0) push(',')
      write(items[i] as PyValue, out, size, depth + 1, active)
    }
    push(']')
  }
  active.delete(v)
}
