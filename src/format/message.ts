// LogRecord.getMessage() (msg % args) and the tail of logging.Formatter.format(): exc_text and
// stack_info appended after the formatted line, as CPython 3.11's Lib/logging/__init__.py does.
import { PyBytes, PyFloat, pyRepr, PySet, PyTuple, type PyValue } from '../py-value.js'
import type { LogRecord } from '../record.js'
import { escapeText } from './escape.js'
import { pyPercent } from './percent-operator.js'

/**
 * `str(msg) % args` when args is truthy, else msg. SocketHandler already merged args (they arrive as
 * None), so this matters only for other senders. Where CPython would raise inside the logging call
 * (wrong argument count or type, missing key) we must not lose the record: the result is
 * `msg + ' ' + repr(args)`, which still shows everything the client sent.
 */
export function getMessage(r: LogRecord): string {
  const args = r.args
  if (!truthy(args)) return r.msg
  try {
    return pyPercent(r.msg, args)
  } catch {
    return r.msg + ' ' + pyRepr(args)
  }
}

/** Python truthiness for `if self.args:`; objects we cannot inspect count as true, as most do. */
export function truthy(v: PyValue): boolean {
  if (v === null || v === false || v === 0 || v === 0n || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (v instanceof PyTuple) return v.items.length > 0
  if (v instanceof Map) return v.size > 0
  if (v instanceof PySet) return v.items.length > 0
  if (v instanceof PyBytes) return v.bytes.length > 0
  if (v instanceof PyFloat) return v.value !== 0
  return true
}

/**
 * Formatter.format's tail: `if record.exc_text: if s[-1:] != "\n": s += "\n"; s += exc_text`, then the
 * same for stack_info (formatStack returns it unchanged). `escape`: both texts through escapeText().
 */
export function appendExcAndStack(line: string, r: LogRecord, escape = false): string {
  let s = line
  if (r.exc_text) {
    if (!s.endsWith('\n')) s += '\n'
    s += escape ? escapeText(r.exc_text) : r.exc_text
  }
  if (r.stack_info) {
    if (!s.endsWith('\n')) s += '\n'
    s += escape ? escapeText(r.stack_info) : r.stack_info
  }
  return s
}
