// Python's `%` string operator: parsing conversion specs (as CPython's unicode_format_arg_parse does)
// and converting one value per spec. Shared by compiled record formats and by getMessage's msg % args.
import { isPyInt, PyFloat, pyRepr, pyStr, PyTuple, type PyValue } from '../py-value.js'
import { fixedDigits, floatStr, formatExp, formatGeneral, intDigits } from './number-format.js'

/** A bad format string: the config loader reports `message` with file:line. */
export class FormatError extends Error {}

export interface Spec {
  /** `%(key)s`'s key, or null for a positional `%s`. */
  key: string | null
  minus: boolean
  plus: boolean
  space: boolean
  alt: boolean
  zero: boolean
  /** -1 when absent; STAR for `*` (taken from the arguments). */
  width: number
  /** -1 when absent; STAR for `.*`. */
  prec: number
  /** One of CONVERSIONS. */
  conv: string
  /** The spec as written, e.g. `%(levelname)-8s`, for error messages. */
  source: string
}

export type Part = string | Spec

const CONVERSIONS = 'diouxXeEfFgGcrsa'
/** Far beyond any sane column; keeps a hostile `%999999999s` in a client's msg from allocating gigabytes. */
export const MAX_WIDTH = 10_000
/** toFixed/toExponential stop at 100 digits; CPython would go on, so past it we refuse instead of differ. */
export const MAX_FLOAT_PRECISION = 100

/** A `*` width or precision: the next positional argument gives it (msg % args only, never a record format). */
export const STAR = -2

/**
 * Split a %-format into [literal, spec, literal, …, literal]; throws FormatError where CPython raises ValueError.
 * `stars`: accept `*` widths and precisions (a message's %-operator); a record format has no arguments for them.
 */
export function parseFormat(fmt: string, stars = false): Part[] {
  const parts: Part[] = []
  let literal = ''
  let i = 0
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i)
    if (pct < 0) {
      literal += fmt.slice(i)
      break
    }
    literal += fmt.slice(i, pct)
    if (fmt[pct + 1] === '%') {
      literal += '%'
      i = pct + 2
      continue
    }
    const [spec, next] = parseSpec(fmt, pct, stars)
    parts.push(literal, spec)
    literal = ''
    i = next
  }
  parts.push(literal)
  return parts
}

function parseSpec(fmt: string, start: number, stars: boolean): [Spec, number] {
  let i = start + 1
  let key: string | null = null
  if (fmt[i] === '(') {
    // CPython counts nested parentheses inside the key: `%(a(b))s` has the key `a(b)`.
    let depth = 1
    const keyStart = ++i
    while (i < fmt.length && depth > 0) {
      if (fmt[i] === '(') depth++
      else if (fmt[i] === ')') depth--
      i++
    }
    if (depth > 0) throw new FormatError(`incomplete format key ${fmt.slice(start)}`)
    key = fmt.slice(keyStart, i - 1)
  }
  const spec: Spec = { key, minus: false, plus: false, space: false, alt: false, zero: false, width: -1, prec: -1, conv: '', source: '' }
  for (;; i++) {
    const c = fmt[i]
    if (c === '-') spec.minus = true
    else if (c === '+') spec.plus = true
    else if (c === ' ') spec.space = true
    else if (c === '#') spec.alt = true
    else if (c === '0') spec.zero = true
    else break
  }
  const star = (what: string): never => {
    throw new FormatError(`'*' ${what} is not supported in ${fmt.slice(start, i + 1)}`)
  }
  if (fmt[i] === '*') {
    if (!stars) star('width')
    spec.width = STAR
    i++
  } else [spec.width, i] = digits(fmt, i)
  if (fmt[i] === '.') {
    if (fmt[i + 1] === '*') {
      if (!stars) star('precision')
      spec.prec = STAR
      i += 2
    } else {
      ;[spec.prec, i] = digits(fmt, i + 1)
      if (spec.prec < 0) spec.prec = 0
    }
  }
  if (spec.width > MAX_WIDTH || spec.prec > MAX_WIDTH) throw new FormatError(`width or precision too big in ${fmt.slice(start, i)}`)
  // Length modifiers are accepted and ignored, as in CPython.
  while (i < fmt.length - 1 && (fmt[i] === 'h' || fmt[i] === 'l' || fmt[i] === 'L')) i++
  const conv = fmt[i]
  if (conv === undefined) throw new FormatError(`incomplete format ${fmt.slice(start)}`)
  spec.source = fmt.slice(start, i + 1)
  if (!CONVERSIONS.includes(conv)) {
    throw new FormatError(`unsupported format character '${conv}' in ${spec.source}`)
  }
  spec.conv = conv
  return [spec, i + 1]
}

function digits(fmt: string, i: number): [number, number] {
  let n = -1
  for (; i < fmt.length; i++) {
    const d = fmt.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    n = (n < 0 ? 0 : n) * 10 + d
    if (n > MAX_WIDTH) n = MAX_WIDTH + 1
  }
  return [n, i]
}

/**
 * Convert one value as Python's `%` would. `intLike` says whether a JS number stands for a Python int:
 * the field's type for record fields (lineno: int, msecs: float), isPyInt() for decoded values. Returns
 * undefined where CPython raises (TypeError, ValueError, OverflowError): the caller decides on a fallback.
 */
export function convert(value: PyValue, spec: Spec, intLike: boolean): string | undefined {
  if (value instanceof PyFloat) return convert(value.value, spec, false)
  const v = value
  switch (spec.conv) {
    case 's':
      return padText(truncate(strOf(v, intLike), spec.prec), spec)
    case 'r':
      return padText(truncate(reprOf(v, intLike), spec.prec), spec)
    case 'a':
      return padText(truncate(asciiOf(reprOf(v, intLike)), spec.prec), spec)
    case 'c': {
      const ch = charOf(v, intLike)
      return ch === undefined ? undefined : padText(ch, spec)
    }
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
      return convertInt(v, spec, intLike)
    default:
      return convertFloat(v, spec)
  }
}

/** Python's str(): exported for the type-mismatch fallback. */
export function strOf(v: PyValue, intLike: boolean): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return intLike && Number.isFinite(v) ? String(Math.trunc(v)) : floatStr(v)
  if (typeof v === 'bigint') return v.toString()
  if (v === null) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return pyStr(v)
}

function reprOf(v: PyValue, intLike: boolean): string {
  if (typeof v === 'number') return strOf(v, intLike)
  return pyRepr(v)
}

/** ascii(): repr with non-ASCII escaped as \xhh, \uhhhh, \Uhhhhhhhh. */
function asciiOf(repr: string): string {
  let out = ''
  for (const ch of repr) {
    const c = ch.codePointAt(0) as number
    if (c < 0x80) out += ch
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0')
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0')
    else out += '\\U' + c.toString(16).padStart(8, '0')
  }
  return out
}

function charOf(v: PyValue, intLike: boolean): string | undefined {
  let n: number
  if (typeof v === 'string') return codePoints(v, 2) === 1 ? v : undefined
  if (typeof v === 'bigint') n = Number(v)
  else if (typeof v === 'boolean') n = v ? 1 : 0
  else if (typeof v === 'number' && intLike) n = v
  else return undefined
  return n >= 0 && n <= 0x10ffff && Number.isInteger(n) ? String.fromCodePoint(n) : undefined
}

/** Python's int() of the value for %d/%x/%o: floats truncate for %d only, strings never convert. */
function convertInt(v: PyValue, spec: Spec, intLike: boolean): string | undefined {
  let x: number | bigint
  if (typeof v === 'bigint') x = v
  else if (typeof v === 'boolean') x = v ? 1 : 0
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined
    if (!intLike && spec.conv !== 'd' && spec.conv !== 'i' && spec.conv !== 'u') return undefined
    x = Math.trunc(v)
  } else return undefined
  const radix = spec.conv === 'o' ? 8 : spec.conv === 'x' || spec.conv === 'X' ? 16 : 10
  let body = intDigits(x, radix)
  if (spec.conv === 'X') body = body.toUpperCase()
  if (spec.prec > body.length) body = '0'.repeat(spec.prec - body.length) + body
  const prefix = !spec.alt || radix === 10 ? '' : spec.conv === 'o' ? '0o' : spec.conv === 'x' ? '0x' : '0X'
  return padNumber(x < 0, prefix, body, spec)
}

function convertFloat(v: PyValue, spec: Spec): string | undefined {
  let x: number
  if (typeof v === 'number') x = v
  else if (typeof v === 'bigint') x = Number(v)
  else if (typeof v === 'boolean') x = v ? 1 : 0
  else return undefined
  const prec = spec.prec < 0 ? 6 : spec.prec
  if (prec > MAX_FLOAT_PRECISION) return undefined
  const upper = spec.conv === 'E' || spec.conv === 'F' || spec.conv === 'G'
  const neg = x < 0 || Object.is(x, -0)
  const ax = Math.abs(x)
  let body: string
  if (Number.isNaN(x)) body = upper ? 'NAN' : 'nan'
  else if (ax === Infinity) body = upper ? 'INF' : 'inf'
  else if (spec.conv === 'f' || spec.conv === 'F') body = fixedDigits(ax, prec) + (spec.alt && prec === 0 ? '.' : '')
  else if (spec.conv === 'e' || spec.conv === 'E') body = formatExp(ax, prec, spec.alt, upper)
  else body = formatGeneral(ax, prec, spec.alt, upper)
  return padNumber(neg && !Number.isNaN(x), '', body, spec)
}

/** CPython's unicode_format_arg_output for numbers: sign, then prefix, zero fill between, or spaces. */
function padNumber(neg: boolean, prefix: string, body: string, spec: Spec): string {
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : ''
  const len = sign.length + prefix.length + body.length
  if (spec.width <= len) return sign + prefix + body
  const fill = spec.width - len
  if (spec.minus) return sign + prefix + body + ' '.repeat(fill)
  if (spec.zero) return sign + prefix + '0'.repeat(fill) + body
  return ' '.repeat(fill) + sign + prefix + body
}

/** Width counts code points, as Python's len() does; the '0' flag never applies to text. */
export function padText(s: string, spec: Spec): string {
  const width = spec.width
  if (width < 0 || s.length >= 2 * width) return s
  const n = codePoints(s, width)
  if (n >= width) return s
  return spec.minus ? s + ' '.repeat(width - n) : ' '.repeat(width - n) + s
}

/** Widths up to this get their runs of spaces made once by paddingFor(); wider ones pad as padText() does. */
const MAX_CACHED_WIDTH = 64

/**
 * padText(s, spec) as a function of s alone, for a compiled format's hot path: the same result, without a
 * ' '.repeat() per call (a logger name padded to 12 columns is padded on every record).
 */
export function paddingFor(spec: Spec): (s: string) => string {
  const width = spec.width
  if (width < 0) return (s) => s
  if (width > MAX_CACHED_WIDTH) return (s) => padText(s, spec)
  const spaces = Array.from({ length: width + 1 }, (_, k) => ' '.repeat(k))
  const fill = (s: string): string => {
    const n = s.length >= 2 * width ? width : codePoints(s, width)
    return n >= width ? '' : spaces[width - n]!
  }
  return spec.minus ? (s) => s + fill(s) : (s) => fill(s) + s
}

/** Code points in s, counting no further than `stop`. */
function codePoints(s: string, stop: number): number {
  let n = 0
  for (let i = 0; i < s.length && n < stop; i++, n++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) i++
    }
  }
  return n
}

/** `%.3s`: the first `prec` code points. */
function truncate(s: string, prec: number): string {
  if (prec < 0 || s.length <= prec) return s
  let i = 0
  for (let n = 0; n < prec && i < s.length; n++) {
    const c = s.charCodeAt(i)
    // A pair only when a low surrogate follows: a lone high one is one code point (fuzz finding: `%.4s` of
    // 'q\ud800word' kept 'q\ud800wor').
    const d = s.charCodeAt(i + 1)
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1
  }
  return s.slice(0, i)
}

/** Raised inside pyPercent only; getMessage turns it into its fallback. */
class ConversionFailed extends Error {}

/** Output past this length counts as a failure: a client's msg/args cannot make us build huge strings. */
const MAX_OUTPUT = 1024 * 1024

/**
 * `fmt % args` with CPython's argument rules: a PyTuple is positional, anything else is one argument;
 * a dict (Map) also serves `%(key)s`, and list/dict arguments are never "not all converted".
 * Throws on any case where CPython raises.
 */
export function pyPercent(fmt: string, args: PyValue): string {
  const parts = parseFormat(fmt, true)
  const items = args instanceof PyTuple ? args.items : null
  const mapping = !items && (args instanceof Map || Array.isArray(args))
  let idx = items ? 0 : -2
  let out = parts[0] as string
  /** The next positional argument: for a `*` (CPython's getnextarg), then for the conversion itself. */
  const next = (): PyValue => {
    if (items) {
      if (idx >= items.length) throw new ConversionFailed('not enough arguments')
      return items[idx++] as PyValue
    }
    if (idx !== -2) throw new ConversionFailed('not enough arguments')
    idx = -1
    return args
  }
  for (let p = 1; p < parts.length; p += 2) {
    let spec = parts[p] as Spec
    if (spec.width === STAR || spec.prec === STAR) spec = starred(spec, next)
    let value: PyValue | undefined
    if (spec.key !== null) {
      if (!(args instanceof Map)) throw new ConversionFailed('format requires a mapping')
      value = args.get(spec.key)
      if (value === undefined) throw new ConversionFailed(`missing key ${spec.key}`)
    } else value = next()
    const s = convert(value as PyValue, spec, isPyInt(value as PyValue))
    if (s === undefined) throw new ConversionFailed(`bad value for ${spec.source}`)
    out += s + (parts[p + 1] as string)
    if (out.length > MAX_OUTPUT) throw new ConversionFailed('message too long')
  }
  if (!mapping && idx < (items ? items.length : -1)) throw new ConversionFailed('not all arguments converted')
  return out
}

/** `%*.*f`: width, then precision, from the arguments (CPython: an int, a negative width means `-`, a negative
 *  precision 0; past MAX_WIDTH we refuse, as for a written width). */
function starred(spec: Spec, next: () => PyValue): Spec {
  const take = (): number => {
    const v = next()
    if (!isPyInt(v)) throw new ConversionFailed('* wants int')
    const n = Number(v)
    if (Math.abs(n) > MAX_WIDTH) throw new ConversionFailed('* width or precision too big')
    return n
  }
  const out = { ...spec }
  if (spec.width === STAR) {
    const w = take()
    out.width = Math.abs(w)
    if (w < 0) out.minus = true
  }
  if (spec.prec === STAR) out.prec = Math.max(0, take())
  return out
}
