// Scalar readers for the pickle decoder: text encodings (UTF-8, latin-1, Python 2 str, escapes) and numbers,
// each bounded by the slice it is given. Pure functions of bytes.
import { FrameError } from '../errors.js'

/** Python 3.11's sys.int_max_str_digits: larger ints cannot even be str()-ed by Python. */
export const MAX_INT_DIGITS = 4300
export const MAX_INT_BYTES = 1786 // ≈ 4300 decimal digits
export const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
export const UTF8_ENCODER = new TextEncoder()
/** int(text, 0) after whitespace and underscores are gone: a decimal has no leading zero unless it is all zeros. */
export const INT_TEXT = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9]\d*)$/
/** repr(float) as protocol 0 writes it. The dot sits inside the fraction's group: `\d+\.?\d*` would backtrack
 *  quadratically on a long run of digits that ends in a non-digit. */
export const FLOAT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/** Buffer.prototype's own slicers, what toString(encoding, start, end) calls once it has checked its arguments
 *  and looked the encoding up (that wrapper was 3 % of ingest). Not in the typings; present since Node 0.x. */
interface Slicers {
  utf8Slice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}
const slicers = (b: Buffer): Slicers => b as unknown as Slicers

export function fail(message: string): never {
  throw new FrameError('UNPICKLE_FAILED', `pickle: ${message}`)
}

export function over(message: string): never {
  throw new FrameError('PICKLE_BUDGET_EXCEEDED', `pickle: ${message}`)
}

export function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start > 8 && b instanceof Buffer) return slicers(b).latin1Slice(start, end) // measured: faster past ~8 chars
  let s = ''
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number)
  return s
}

/** Non-ASCII texts up to this long are decoded by Node first (see utf8): a record's fields and messages. Past
 *  it the saving is nil and a hostile text (a megabyte of lone surrogates) would be decoded twice. */
const SLICE_UTF8_BYTES = 4096

/** UTF-8 text, or null if invalid. `surrogates` accepts encoded lone surrogates like Python's 'surrogatepass'. */
export function utf8(b: Uint8Array, start: number, end: number, surrogates: boolean): string | null {
  if (end - start <= SLICE_UTF8_BYTES && b instanceof Buffer) {
    // Node's own decoding (no subarray, no TextDecoder call) turns every invalid sequence into U+FFFD and is
    // otherwise the strict decoder's result: a text without U+FFFD is the answer. One with U+FFFD (genuine, or
    // from invalid bytes) is decided strictly below. An ASCII text needs no scan first: it decodes to a
    // one-byte string, which V8 knows cannot hold U+FFFD (half the time of scanning it in JS, measured).
    const text = slicers(b).utf8Slice(start, end)
    if (!text.includes('\uFFFD')) return text
  } else {
    let i = start
    while (i < end && (b[i] as number) < 0x80) i++
    if (i === end) return latin1(b, start, end)
  }
  try {
    return UTF8.decode(b.subarray(start, end))
  } catch {
    return surrogates ? utf8SurrogatePass(b, start, end) : null
  }
}

/** Python's 'surrogatepass' adds only ED A0–BF xx (U+D800–DFFF) to strict UTF-8; 0xED is never a continuation
 *  byte, so the runs between those sequences decode strictly, each in one call. Two such sequences in a row,
 *  high then low, are two lone surrogates in Python but one astral character in a JS string: the high one is
 *  kept apart as its backslashreplace text (`\ud83d`), which is how every output writes a lone surrogate. */
export function utf8SurrogatePass(b: Uint8Array, start: number, end: number): string | null {
  const parts = new Surrogates()
  let run = start
  try {
    for (let i = start; i + 2 < end; ) {
      const b1 = b[i + 1] as number
      const b2 = b[i + 2] as number
      if (b[i] !== 0xed || (b1 & 0xe0) !== 0xa0 || (b2 & 0xc0) !== 0x80) {
        i++
        continue
      }
      if (run < i) parts.text(UTF8.decode(b.subarray(run, i)))
      parts.surrogate(0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f))
      run = i += 3
    }
    if (run < end) parts.text(UTF8.decode(b.subarray(run, end)))
    return parts.join()
  } catch {
    return null
  }
}

/**
 * Text with lone surrogates (Python's 'surrogatepass'), built in parts so the work stays linear. A JS string
 * cannot tell a lone high surrogate followed by a lone low one from a real astral character, so such a pair
 * keeps its high half as the text `\ud83d` (how the file writes a lone surrogate anyway).
 */
class Surrogates {
  private readonly parts: string[] = []
  /** The last part is a lone high surrogate. */
  private high = false

  text(t: string): void {
    this.parts.push(t)
    this.high = false
  }

  surrogate(unit: number): void {
    const parts = this.parts
    if (this.high && unit >= 0xdc00) parts[parts.length - 1] = '\\u' + (parts[parts.length - 1] as string).charCodeAt(0).toString(16)
    parts.push(String.fromCharCode(unit))
    this.high = unit < 0xdc00
  }

  join(): string {
    return this.parts.join('')
  }
}

/** A Python 2 `str` is bytes: show it as UTF-8 when it is, else latin-1 (never a decode error). */
export function py2Str(b: Uint8Array, start: number, end: number): string {
  return utf8(b, start, end, false) ?? latin1(b, start, end)
}

export function latin1Bytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) return null
    out[i] = c
  }
  return out
}

/**
 * INT's or LONG's text line (protocols 0/1, without its LF) as CPython's C unpickler reads it. LONG: its `L`
 * suffix goes, then int(text, 0). INT: C's strtol(line, base 0) first, and int(text, 0) only when strtol does
 * not take the whole line or the value is past a C long; so `012` is octal 10 and `0x1f` 31, and a line of two
 * characters worth 0 or 1 (`00`, `01`, `-0`, ` 1`, `+1`) is a bool, protocol 0's True and False. Either reader
 * stops at a NUL, as C strings do.
 */
export function intLineValue(s: string, long: boolean): number | bigint | boolean {
  if (long) return intText(cString(s.endsWith('L') ? s.slice(0, -1) : s))
  const v = strtolLine(s)
  if (v === null) return intText(cString(s))
  return s.length === 2 && (v === 0 || v === 1) ? v === 1 : v
}

/** Whether a digit's value (hexValue: -1 for a non-digit) is a digit of `base`. */
function isDigitOf(base: number, value: number): boolean {
  return value >= 0 && value < base
}

/** The text up to its first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0')
  return nul < 0 ? s : s.slice(0, nul)
}

/** C long's range, where strtol sets ERANGE past it. */
const C_LONG_MAX = 2n ** 63n - 1n
const C_LONG_MIN = -(2n ** 63n)

/**
 * strtol(line + LF, &end, 0) when it converts and `end` is at the LF or a NUL, and the value is a C long; null
 * otherwise (CPython then reads the line with int(text, 0)). strtol skips C-locale whitespace, takes a sign,
 * `0x` before a hex digit (else a leading 0 means octal), and as many digits of the base as follow.
 */
function strtolLine(s: string): number | bigint | null {
  let i = 0
  while (i < s.length && isSpace(s[i])) i++
  const signAt = i
  if (s[i] === '+' || s[i] === '-') i++
  let base = 10
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHexDigit(s[i + 2])) {
    base = 16
    i += 2
  } else if (s[i] === '0') {
    base = 8
  }
  const digitsAt = i
  while (i < s.length && isDigitOf(base, hexValue(s.charCodeAt(i)))) i++
  // No digits: strtol converts nothing and points `end` at the line's start, which counts when that is a NUL.
  if (i === digitsAt) return s[0] === '\0' ? 0 : null
  if (i < s.length && s[i] !== '\0') return null
  // 2^63 - 1 has 19 decimal, 16 hex and 21 octal digits: more than 22 (after leading zeros) is out of range for
  // sure, and the rest is checked against the range below.
  const digits = s.slice(digitsAt, i).replace(/^0+/, '')
  if (digits.length > 22) return null
  const magnitude = digits === '' ? 0n : BigInt((base === 16 ? '0x' : base === 8 ? '0o' : '') + digits)
  const v = s[signAt] === '-' ? -magnitude : magnitude
  return v > C_LONG_MAX || v < C_LONG_MIN ? null : normInt(v)
}

export function normInt(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n
}

/**
 * INT/LONG text as CPython reads it, `int(text, 0)`: ASCII whitespace around, `_` between digits, and 0x/0o/0b
 * prefixes are all accepted there (found by the fuzzer: `L1000…0\tL` loads in CPython).
 */
export function intText(raw: string): number | bigint {
  const s = pyIntText(raw)
  if (s === null || !INT_TEXT.test(s)) fail(`bad integer ${JSON.stringify(raw.slice(0, 20))}`)
  const sign = s.charCodeAt(0) < 0x30 ? 1 : 0
  if (/^0[xob]/i.test(s.slice(sign))) {
    if (s.length > 4 * MAX_INT_DIGITS) over(`integer of ${s.length} digits`)
    const v = BigInt(s.slice(sign))
    if (v.toString().length > MAX_INT_DIGITS) over(`integer of more than ${MAX_INT_DIGITS} digits`)
    return normInt(s[0] === '-' ? -v : v)
  }
  if (s.length - sign <= 15) return Number(s) + 0 // 15 digits are always exact; + 0 turns -0 into 0
  if (s.length > MAX_INT_DIGITS + 1) over(`integer of ${s.length} digits`)
  return normInt(BigInt(s))
}

const isHexDigit = (c: string | undefined): boolean => c !== undefined && hexValue(c.charCodeAt(0)) >= 0
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f'

/** What Python's int() reads from bytes: ASCII whitespace trimmed, each `_` between two digits (or after the
 *  base prefix) dropped; null for a misplaced `_`. Loops, not patterns: no backtracking. (CPython's FLOAT
 *  reader is strict: none of this applies to floats.) */
function pyIntText(s: string): string | null {
  let start = 0
  let end = s.length
  while (start < end && isSpace(s[start])) start++
  while (end > start && isSpace(s[end - 1])) end--
  const t = s.slice(start, end)
  if (!t.includes('_')) return t
  let out = ''
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '_') {
      out += t[i]
      continue
    }
    const prefix = /[xob]/i.test(t[i - 1] ?? '') && t[i - 2] === '0'
    if (!(isHexDigit(t[i - 1]) || prefix) || !isHexDigit(t[i + 1])) return null
  }
  return out
}

/** LONG1/LONG4: little-endian two's complement. */
export function longLE(b: Uint8Array, at: number, n: number): number | bigint {
  if (n === 0) return 0
  if (n <= 6) {
    let v = 0
    for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[at + i] as number)
    return (b[at + n - 1] as number) & 0x80 ? v - 2 ** (8 * n) : v
  }
  let hex = ''
  for (let i = n - 1; i >= 0; i--) hex += (b[at + i] as number).toString(16).padStart(2, '0')
  let v = BigInt('0x' + hex)
  if ((b[at + n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n)
  return normInt(v)
}

export function floatText(s: string): number {
  if (FLOAT_TEXT.test(s)) return Number(s)
  const w = s.toLowerCase().replace(/^\+/, '')
  if (w === 'inf' || w === 'infinity') return Infinity
  if (w === '-inf' || w === '-infinity') return -Infinity
  if (w === 'nan' || w === '-nan') return NaN
  fail(`bad float ${JSON.stringify(s.slice(0, 20))}`)
}

/** Python's codecs.escape_decode of a STRING argument (the repr of a Python 2 str, quotes included). */
export function escapeDecode(b: Uint8Array, start: number, end: number): Uint8Array {
  const q = b[start]
  if (end - start < 2 || (q !== 0x27 && q !== 0x22) || b[end - 1] !== q) fail('STRING argument is not quoted')
  const out: number[] = []
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i] as number
    if (c !== 0x5c) { out.push(c); continue }
    if (++i >= end - 1) fail('STRING ends with a backslash')
    const e = b[i] as number
    const simple = ESCAPES.get(e)
    if (simple !== undefined) { if (simple >= 0) out.push(simple); continue }
    if (e >= 0x30 && e <= 0x37) { // \ooo: up to three octal digits
      let v = e - 0x30
      for (let k = 0; k < 2 && i + 1 < end - 1 && (b[i + 1] as number) >= 0x30 && (b[i + 1] as number) <= 0x37; k++) v = v * 8 + (b[++i] as number) - 0x30
      out.push(v & 0xff)
    } else if (e === 0x78) { // \xhh: exactly two hex digits
      const h = i + 2 < end - 1 ? hexValue(b[i + 1] as number) * 16 + hexValue(b[i + 2] as number) : -1
      if (h < 0 || hexValue(b[i + 2] as number) < 0) fail('bad \\x escape in STRING')
      out.push(h)
      i += 2
    } else out.push(0x5c, e) // unknown escapes keep their backslash
  }
  return Uint8Array.from(out)
}
export const ESCAPES = new Map([[0x5c, 0x5c], [0x27, 0x27], [0x22, 0x22], [0x61, 7], [0x62, 8], [0x66, 12], [0x6e, 10], [0x72, 13], [0x74, 9], [0x76, 11], [0x0a, -1]])

/** raw-unicode-escape (the UNICODE argument): latin-1 bytes, plus \uXXXX / \UXXXXXXXX after an odd run of backslashes. */
export function rawUnicodeEscape(b: Uint8Array, start: number, end: number): string {
  const parts = new Surrogates()
  let plain = start
  for (let i = start; i < end; ) {
    if (b[i] !== 0x5c) {
      i++
      continue
    }
    let j = i
    while (j < end && b[j] === 0x5c) j++
    const run = j - i
    const digits = b[j] === 0x75 ? 4 : b[j] === 0x55 ? 8 : 0
    if (run % 2 === 0 || digits === 0) {
      i = j
      continue
    }
    let cp = 0
    for (let k = j + 1; k <= j + digits; k++) {
      const h = k < end ? hexValue(b[k] as number) : -1
      if (h < 0) fail('truncated \\uXXXX escape in UNICODE')
      cp = cp * 16 + h
    }
    if (cp > 0x10ffff) fail('\\U escape out of range in UNICODE')
    const before = latin1(b, plain, i + run - 1) // the text up to the escape, with the run's other backslashes
    if (before !== '') parts.text(before)
    if (cp >= 0xd800 && cp <= 0xdfff) parts.surrogate(cp)
    else parts.text(String.fromCodePoint(cp))
    plain = i = j + 1 + digits
  }
  if (plain < end) parts.text(latin1(b, plain, end))
  return parts.join()
}

export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1
}
