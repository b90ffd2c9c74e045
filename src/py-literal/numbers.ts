// Python int, float and imaginary literals as the tokenizer reads them (Lib/tokenize.py's Number patterns,
// underscores between digits, no leading zeros), scanned by hand in one pass.
import { pyFloat, type PyValue } from '../py-value.js'
import { LiteralError } from './literal-error.js'

/**
 * CPython refuses to convert an int of more than 4300 decimal digits to or from text (sys.int_info,
 * CVE-2020-10735): no repr holds one, and a longer one would cost us quadratic BigInt printing.
 */
export const MAX_INT_DIGITS = 4300
/** The same bound for 0x/0o/0b literals, in bits (4300 decimal digits hold about 14,284 bits). */
const MAX_INT_BITS = 14_284

export interface ScannedNumber {
  /** The value; null for an imaginary literal (`2j`), which the caller keeps as text. */
  value: PyValue
  end: number
}

const isDecimal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const RADIX_DIGIT: Record<string, (c: string | undefined) => boolean> = {
  x: (c) => c !== undefined && /^[0-9a-fA-F]$/.test(c),
  o: (c) => c !== undefined && c >= '0' && c <= '7',
  b: (c) => c === '0' || c === '1',
}
const RADIX_PREFIX: Record<string, string> = { x: '0x', o: '0o', b: '0b' }

/** Digits with single underscores between them, from `i`; returns the end (== i when there is no digit). */
function digitPart(text: string, i: number, isDigit: (c: string | undefined) => boolean): number {
  if (!isDigit(text[i])) return i
  let j = i + 1
  for (;;) {
    if (text[j] === '_') {
      if (!isDigit(text[j + 1])) throw new LiteralError(`invalid underscore in a number at ${j}`)
      j += 2
    } else if (isDigit(text[j])) j++
    else return j
  }
}

/** A number starting at `pos` (a digit, or '.' followed by one). */
export function scanNumber(text: string, pos: number): ScannedNumber {
  const radix = text[pos] === '0' ? text[pos + 1]?.toLowerCase() : undefined
  if (radix !== undefined && RADIX_DIGIT[radix] !== undefined) {
    let i = pos + 2
    if (text[i] === '_') i++ // 0x_1f is valid
    const end = digitPart(text, i, RADIX_DIGIT[radix]!)
    if (end === i) throw new LiteralError(`invalid ${RADIX_PREFIX[radix]} literal at ${pos}`)
    checkEnd(text, end)
    const digits = text.slice(i, end).replaceAll('_', '')
    const bits = digits.replace(/^0+/, '').length * (radix === 'x' ? 4 : radix === 'o' ? 3 : 1)
    if (bits > MAX_INT_BITS + 4) throw new LiteralError(`integer literal over ${MAX_INT_DIGITS} decimal digits at ${pos}`)
    return { value: intValue(BigInt(RADIX_PREFIX[radix]! + digits)), end }
  }
  const intEnd = digitPart(text, pos, isDecimal)
  let i = intEnd
  let isFloat = false
  if (text[i] === '.') {
    const fracEnd = digitPart(text, i + 1, isDecimal)
    if (intEnd === pos && fracEnd === i + 1) throw new LiteralError(`invalid number at ${pos}`)
    i = fracEnd
    isFloat = true
  }
  if (intEnd === pos && !isFloat) throw new LiteralError(`invalid number at ${pos}`)
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1
    if (text[j] === '+' || text[j] === '-') j++
    const expEnd = digitPart(text, j, isDecimal)
    if (expEnd === j) throw new LiteralError(`invalid exponent at ${i}`)
    i = expEnd
    isFloat = true
  }
  if (text[i] === 'j' || text[i] === 'J') {
    checkEnd(text, i + 1)
    return { value: null, end: i + 1 }
  }
  checkEnd(text, i)
  const cleaned = text.slice(pos, i).replaceAll('_', '')
  if (isFloat) return { value: pyFloat(Number(cleaned)), end: i }
  if (cleaned.length > 1 && cleaned[0] === '0' && /[1-9]/.test(cleaned)) throw new LiteralError(`leading zeros in a decimal integer at ${pos}`)
  if (cleaned.length > MAX_INT_DIGITS) throw new LiteralError(`integer literal over ${MAX_INT_DIGITS} digits at ${pos}`)
  return { value: cleaned.length <= 15 ? Number(cleaned) : intValue(BigInt(cleaned)), end: i }
}

/** As the unpickler models ints: a JS number while exact, a bigint beyond 2^53. */
function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n
}

/** `1abc` or `0x1g` is one bad token in Python, not a number followed by a name. */
function checkEnd(text: string, end: number): void {
  const c = text[end]
  if (c !== undefined && /[\p{L}\p{N}_.]/u.test(c)) throw new LiteralError(`invalid number literal at ${end}`)
}
