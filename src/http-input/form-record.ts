// One HTTPHandler request's fields (mapLogRecord(record): the record's __dict__, every value str()-ed and
// url-encoded) back into a LogRecord: numbers read back as numbers, 'None' as absent, msg merged with args,
// and the same normalisation (record.ts) as a pickled record, so the file and page cannot tell them apart.
import { LiteralError, parsePyLiteral } from '../py-literal/parse.js'
import { PyFloat, PyObject, pyStr, PyTuple, type PyDict, type PyValue } from '../py-value.js'
import { toLogRecord, type LogRecord } from '../record.js'
import { mergeMessage } from './merge-message.js'

/** Fields HTTPHandler sends as str(number). */
const NUMERIC = ['levelno', 'lineno', 'created', 'msecs', 'relativeCreated', 'thread', 'process'] as const
/** Fields whose str() is 'None' when the record has none (a real traceback or name is never exactly that). */
const NONE_IS_ABSENT = ['exc_text', 'stack_info', 'threadName', 'processName', 'taskName', 'exc_info'] as const
/** Longer than any number repr: a hostile field is not read as a number. */
const MAX_NUMBER_CHARS = 64

export class FormError extends Error {}

/** The record the fields describe; throws FormError when they are not a LogRecord's. */
export function formToLogRecord(form: URLSearchParams, client: string, received: number): LogRecord {
  const d: PyDict = new Map()
  for (const [key, value] of form) if (!d.has(key)) d.set(key, value) // a dict has one value per key: the first
  if (!d.has('msg')) throw new FormError('not a LogRecord: no msg field')
  for (const key of NUMERIC) if (d.has(key)) d.set(key, numberOf(d.get(key) as string))
  for (const key of NONE_IS_ABSENT) if (d.get(key) === 'None') d.delete(key)
  const argsText = d.get('args')
  d.delete('args')
  const record = toLogRecord(d, client, received)
  record.msg = mergeMessage(record.msg, typeof argsText === 'string' ? argsText : undefined)
  const excInfo = d.get('exc_info')
  if (record.exc_text === null && typeof excInfo === 'string') record.exc_text = exceptionOnly(excInfo)
  return record
}

function numberOf(text: string): PyValue {
  if (text.length > MAX_NUMBER_CHARS) return null
  try {
    const v = parsePyLiteral(text)
    return typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat ? v : null
  } catch (err) {
    if (err instanceof LiteralError) return null
    throw err
  }
}

/**
 * The stock HTTPHandler sends repr(exc_info), `(<class 'E'>, E('why'), <traceback object at 0x…>)`, and no
 * traceback (exc_text is only filled by a Formatter). Keep what it does say: the exception, and why no more.
 */
function exceptionOnly(excInfo: string): string {
  let shown = excInfo
  try {
    const v = parsePyLiteral(excInfo)
    const exc = v instanceof PyTuple ? v.items[1] : undefined
    if (exc instanceof PyObject) shown = pyStr(exc)
  } catch (err) {
    if (!(err instanceof LiteralError)) throw err
  }
  return `${shown} (no traceback: HTTPHandler sends only repr(exc_info); examples/http_handler.py sends it)`
}
