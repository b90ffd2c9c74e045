// Compile a logging %-style format ("%(asctime)s %(levelname)-8s %(message)s") once into a function of a
// LogRecord, with Python's `%` semantics; bad formats fail here, at config load, never per record.
import { isPyInt, type PyValue } from '../py-value.js'
import type { LogRecord } from '../record.js'
import { createAsctime } from './asctime.js'
import { escapeLine, escapeText, needsEscape } from './escape.js'
import { getMessage } from './message.js'
import { convert, FormatError, MAX_FLOAT_PRECISION, paddingFor, padText, parseFormat, strOf, type Part, type Spec } from './percent-operator.js'

export { FormatError }

/** str: always text; opt-str: text or None; int/opt-int: a Python int (or None); float; any: a PyValue. */
type FieldType = 'str' | 'opt-str' | 'int' | 'opt-int' | 'float' | 'any'
type Getter = (r: LogRecord) => PyValue

/**
 * The attributes a format may name: every LogRecord attribute, `message`, `asctime`, and the server's
 * `client` and `received`. `extra=` keys are deliberately absent: Python's format works with them only
 * if every record carries them and raises otherwise, so `%(user)s` is a config error, not a per-record gap.
 */
const FIELDS = new Map<string, [FieldType, Getter]>([
  ['name', ['str', (r) => r.name]],
  ['msg', ['str', (r) => r.msg]],
  ['args', ['any', (r) => r.args]],
  ['levelname', ['str', (r) => r.levelname]],
  ['levelno', ['int', (r) => r.levelno]],
  ['pathname', ['str', (r) => r.pathname]],
  ['filename', ['str', (r) => r.filename]],
  ['module', ['str', (r) => r.module]],
  ['lineno', ['int', (r) => r.lineno]],
  ['funcName', ['str', (r) => r.funcName]],
  ['created', ['float', (r) => r.created]],
  ['msecs', ['float', (r) => r.msecs]],
  ['relativeCreated', ['float', (r) => r.relativeCreated]],
  ['thread', ['opt-int', (r) => r.thread]],
  ['threadName', ['opt-str', (r) => r.threadName]],
  ['process', ['opt-int', (r) => r.process]],
  ['processName', ['opt-str', (r) => r.processName]],
  ['taskName', ['opt-str', (r) => r.taskName]],
  ['exc_text', ['opt-str', (r) => r.exc_text]],
  ['stack_info', ['opt-str', (r) => r.stack_info]],
  ['message', ['str', getMessage]],
  ['asctime', ['str', () => '']], // replaced per format: it depends on datefmt and utc
  ['client', ['str', (r) => r.client]],
  ['received', ['float', (r) => r.received]],
])

/** The texts that may span lines; every other field is one line (escapeLine turns an LF into `\n`). */
const MULTI_LINE = new Set(['message', 'msg', 'exc_text', 'stack_info'])

/** The names a format may use, for error messages and docs. */
export const FORMAT_ATTRIBUTES: readonly string[] = [...FIELDS.keys()]

const NUMERIC = 'diuxXoeEfFgG'
/**
 * PercentStyle.validation_pattern: logging.Formatter(validate=True) wants one plain %(name)x field. CPython's
 * `[#0+ -]*(\*|\d+)?` lets both parts match a '0' and backtracks polynomially; a width that does not start
 * with 0 accepts the same strings (leading zeros are flags) without that ambiguity.
 */
const VALIDATION_PATTERN = /%\([\p{L}\p{N}_]+\)[#0+ -]*(?:\*|[1-9]\d*)?(?:\.(?:\*|\d+))?[diouxefgcrsa%]/iu

/**
 * Compile `fmt` (empty → '%(message)s', as PercentStyle does). `asctime` renders `%(asctime)s`; by
 * default CPython's default (local time, ",mmm"). Throws FormatError for anything CPython's `%` would
 * reject for every record; values that only sometimes fit their conversion (a None thread id under %d)
 * fall back to str() of the value, padded to the width, instead of raising as CPython would. With `escape`,
 * every field's text is escaped as escape.ts says (after padding: widths count the unescaped text).
 */
export function compileFormat(
  fmt: string,
  asctime: (r: LogRecord) => string = createAsctime({ datefmt: null, utc: false }),
  escape = false,
): (r: LogRecord) => string {
  const parts = parseFormat(fmt || '%(message)s')
  if (fmt && !VALIDATION_PATTERN.test(fmt)) throw new FormatError(`no %(name)s field in format ${JSON.stringify(fmt)}`)
  const plain = join(parts, (spec) => compileSpec(spec, asctime), (text) => text)
  if (!escape) return plain
  const escaped = join(parts, (spec) => escaping(spec, compileSpec(spec, asctime)), escapeText)
  // Almost every line has nothing to escape: one check of the whole line instead of one per field.
  return (r) => {
    const s = plain(r)
    return needsEscape(s) ? escaped(r) : s
  }
}

function join(parts: readonly Part[], render: (spec: Spec) => (r: LogRecord) => string, literal: (text: string) => string): (r: LogRecord) => string {
  const literals: string[] = []
  const renderers: Array<(r: LogRecord) => string> = []
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) literals.push(literal(parts[i] as string))
    else renderers.push(render(parts[i] as Spec))
  }
  const first = literals[0] as string
  const n = renderers.length
  return (r) => {
    let s = first
    for (let i = 0; i < n; i++) s += (renderers[i] as (r: LogRecord) => string)(r) + (literals[i + 1] as string)
    return s
  }
}

/** Numbers never need escaping; every text-producing spec (str, repr, %c, args, asctime) does. */
function escaping(spec: Spec, render: (r: LogRecord) => string): (r: LogRecord) => string {
  const type = FIELDS.get(spec.key ?? '')?.[0]
  if (NUMERIC.includes(spec.conv) && type !== 'any') return render
  const esc = MULTI_LINE.has(spec.key ?? '') ? escapeText : escapeLine
  return (r) => esc(render(r))
}

function compileSpec(spec: Spec, asctime: (r: LogRecord) => string): (r: LogRecord) => string {
  const { key, conv, source } = spec
  if (key === null) throw new FormatError(`${source} has no attribute name: write %(name)${conv}`)
  const field = FIELDS.get(key)
  if (field === undefined) {
    throw new FormatError(`unknown attribute ${source} (extra= keys are not format attributes; known: ${FORMAT_ATTRIBUTES.join(', ')})`)
  }
  const [type, fieldGetter] = field
  const get = key === 'asctime' ? asctime : fieldGetter
  if (NUMERIC.includes(conv)) {
    if (type === 'str' || type === 'opt-str') throw new FormatError(`${source}: ${key} is text, not a number`)
    if (type === 'float' && 'xXo'.includes(conv)) throw new FormatError(`${source}: ${key} is a float; %${conv} needs an integer`)
    if ('eEfFgG'.includes(conv) && spec.prec > MAX_FLOAT_PRECISION) throw new FormatError(`${source}: precision above ${MAX_FLOAT_PRECISION}`)
  }
  if (conv === 'c' && type === 'float') throw new FormatError(`${source}: ${key} is a float; %c needs an integer or one character`)
  if (type === 'str' && conv === 's') {
    const text = get as (r: LogRecord) => string
    if (spec.width < 0 && spec.prec < 0) return text
    // convert() of a str without a precision is padText() of it; paddingFor() makes that per record cheaper.
    if (spec.prec < 0) {
      const pad = paddingFor(spec)
      return (r) => pad(text(r))
    }
    return (r) => convert(text(r), spec, false) as string
  }
  const fallback: Spec = { ...spec, conv: 's', prec: -1 }
  if (type === 'any') {
    return (r) => {
      const v = get(r)
      return convert(v, spec, isPyInt(v)) ?? padText(strOf(v, isPyInt(v)), fallback)
    }
  }
  const intLike = type === 'int' || type === 'opt-int'
  return (r) => {
    const v = get(r)
    return convert(v, spec, intLike) ?? padText(strOf(v, intLike), fallback)
  }
}
