// A safe reader of Python literal reprs (what `str(args)` of a LogRecord holds: HTTPHandler sends that) into
// the inert values of py-value. It reads what ast.literal_eval reads — str and bytes in every form, int,
// float, complex, None/True/False, tuple, list, dict, set — plus `inf`/`nan`, which repr writes but no literal
// spells, and keeps anything else that repr writes (`datetime.date(2024, 1, 2)`, `<object at 0x…>`,
// `Decimal('1.5')`) as opaque text whose str() and repr() are that text. Nothing is evaluated or looked up.
// One pass, linear in the text; nesting and length are bounded.
import { PyBytes, PyFloat, PyObject, PySet, PyTuple, type PyDict, type PyValue } from '../py-value.js'
import { knownRepr } from './known-reprs.js'
import { LiteralError } from './literal-error.js'
import { scanNumber } from './numbers.js'
import { scanString, stringStart } from './strings.js'

export { LiteralError } from './literal-error.js'

export interface LiteralLimits {
  /** Containers inside containers: CPython's parser stops at 200 nested brackets. */
  maxDepth?: number
  /** Text longer than this is refused before it is read. */
  maxChars?: number
}

export const DEFAULT_MAX_DEPTH = 200
export const DEFAULT_MAX_CHARS = 16 * 1024 * 1024

/** A value kept as the text repr wrote: its str() and repr() are that text (py-value's PyObject with no class). */
export function opaque(text: string): PyObject {
  return new PyObject(null, null, null, text)
}

/** Parses one literal (surrounding whitespace allowed); throws LiteralError where the text is not one we read. */
export function parsePyLiteral(text: string, limits: LiteralLimits = {}): PyValue {
  const maxChars = limits.maxChars ?? DEFAULT_MAX_CHARS
  if (text.length > maxChars) throw new LiteralError(`literal of ${text.length} characters is over ${maxChars}`)
  const reader = new Reader(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH)
  const value = reader.value(0)
  reader.skipSpace()
  if (reader.pos < text.length) throw new LiteralError(`unexpected ${JSON.stringify(text[reader.pos])} at ${reader.pos}`)
  return value
}

const KEYWORDS = new Map<string, PyValue>([['None', null], ['True', true], ['False', false]])
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' }
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f'
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[\p{L}_]/u.test(c)
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_.]/u.test(c)

class Reader {
  pos = 0
  constructor(private readonly text: string, private readonly maxDepth: number) {}

  skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++
  }

  value(depth: number): PyValue {
    if (depth > this.maxDepth) throw new LiteralError(`nested deeper than ${this.maxDepth}`)
    this.skipSpace()
    const { text } = this
    const start = this.pos
    const c = text[start]
    if (c === undefined) throw new LiteralError('unexpected end of text')
    if (c === '+' || c === '-') return this.signed(start)
    if ((c >= '0' && c <= '9') || (c === '.' && text[start + 1] !== undefined && text[start + 1]! >= '0' && text[start + 1]! <= '9')) return this.number(start)
    if (c === '(') return this.complexInParens(start) ?? this.container(depth, '(', ')')
    if (c === '[') return this.container(depth, '[', ']')
    if (c === '{') return this.container(depth, '{', '}')
    if (c === '<') return opaque(this.balanced(start))
    if (text.startsWith('...', start)) {
      // repr(Ellipsis) is 'Ellipsis' (read as a name); in a repr `...` is a container that holds itself
      // ([1, [...]]), and getMessage() prints it so.
      this.pos += 3
      return opaque('...')
    }
    if (stringStart(text, start) >= 0) return this.strings(start)
    if (isNameStart(c)) return this.name(start)
    throw new LiteralError(`unexpected ${JSON.stringify(c)} at ${start}`)
  }

  /** `-1`, `+2.5`, `-inf`, `-1j`: one sign on a number, as literal_eval allows (not `--1`). */
  private signed(start: number): PyValue {
    const { text } = this
    let i = start + 1
    while (isSpace(text[i])) i++
    this.pos = i
    if (text.startsWith('inf', i) || text.startsWith('nan', i)) {
      const v = this.name(i)
      if (typeof v === 'number' && text[start] === '-') return -v
      if (typeof v === 'number') return v
      if (v instanceof PyObject && v.text?.endsWith('j')) return opaque(text.slice(start, this.pos))
      throw new LiteralError(`a sign before a name at ${start}`)
    }
    const c = text[i]
    if (c === undefined || !((c >= '0' && c <= '9') || c === '.')) throw new LiteralError(`a sign without a number at ${start}`)
    const v = this.number(i)
    if (v instanceof PyObject) return opaque(text.slice(start, this.pos)) // -1j
    if (text[start] === '+') return v
    if (typeof v === 'number') return -v
    if (typeof v === 'bigint') return -v
    if (v instanceof PyFloat) return new PyFloat(-v.value)
    throw new LiteralError(`a sign before a non-number at ${start}`)
  }

  private number(start: number): PyValue {
    const { value, end } = scanNumber(this.text, start)
    this.pos = end
    return value === null ? opaque(this.text.slice(start, end)) : value
  }

  /** Adjacent literals concatenate ('a' 'b' is 'ab'); str and bytes do not mix. */
  private strings(start: number): PyValue {
    let out: PyValue | undefined
    for (;;) {
      const quoteAt = stringStart(this.text, this.pos)
      if (quoteAt < 0) break
      const { value, end } = scanString(this.text, this.pos, quoteAt)
      if (out === undefined) out = value
      else if (typeof out === 'string' && typeof value === 'string') out += value
      else if (out instanceof PyBytes && value instanceof PyBytes) out = concatBytes(out, value)
      else throw new LiteralError(`cannot mix bytes and str literals at ${start}`)
      this.pos = end
      this.skipSpace()
    }
    return out as PyValue
  }

  /** None/True/False, inf/nan, and otherwise an opaque name, with its call's parentheses when it has them. */
  private name(start: number): PyValue {
    const { text } = this
    let i = start
    while (isNameChar(text[i])) i++
    const word = text.slice(start, i)
    this.pos = i
    const keyword = KEYWORDS.get(word)
    if (keyword !== undefined) return keyword
    if (word === 'inf') return Infinity
    if (word === 'nan') return NaN
    if (text[i] !== '(') return opaque(word)
    const call = word + this.balanced(i)
    return knownRepr(call) ?? opaque(call)
  }

  /**
   * `(a, b)`, `[a]`, `{k: v}`, `{a, b}`: a trailing comma is allowed; `(x)` is just x. Dict and set keys
   * must be hashable, as CPython requires.
   */
  private container(depth: number, open: string, close: string): PyValue {
    const { text } = this
    this.pos++
    const items: PyValue[] = []
    const values: PyValue[] = []
    let isDict = false
    let sawComma = false
    for (;;) {
      this.skipSpace()
      if (text[this.pos] === close) break
      items.push(this.value(depth + 1))
      this.skipSpace()
      if (open === '{' && text[this.pos] === ':') {
        if (items.length === 1) isDict = true
        if (!isDict) throw new LiteralError(`':' in a set at ${this.pos}`)
        this.pos++
        values.push(this.value(depth + 1))
        this.skipSpace()
      } else if (isDict) throw new LiteralError(`expected ':' at ${this.pos}`)
      if (text[this.pos] === ',') {
        this.pos++
        sawComma = true
        continue
      }
      if (text[this.pos] !== close) throw new LiteralError(`expected ',' or '${close}' at ${this.pos}`)
      break
    }
    this.pos++
    if (open === '[') return items
    if (open === '(') return items.length === 1 && !sawComma ? (items[0] as PyValue) : new PyTuple(items)
    if (items.length === 0) return new Map() as PyDict
    for (const key of items) if (Array.isArray(key) || key instanceof Map || (key instanceof PySet && !key.frozen)) throw new LiteralError(`unhashable ${Array.isArray(key) ? 'list' : key instanceof Map ? 'dict' : 'set'} as a key`)
    if (!isDict) return new PySet(dedupe(items), false)
    const dict: PyDict = new Map()
    items.forEach((k, n) => dict.set(k, values[n] as PyValue))
    return dict
  }

  /** `(1+2j)`, `(-0-1j)`, `(nan+infj)`: repr's complex, kept as text. Returns undefined for anything else. */
  private complexInParens(start: number): PyValue | undefined {
    const { text } = this
    const realEnd = complexPart(text, start + 1, false)
    if (realEnd < 0 || (text[realEnd] !== '+' && text[realEnd] !== '-')) return undefined
    const imagEnd = complexPart(text, realEnd, true)
    if (imagEnd < 0 || text[imagEnd] !== ')') return undefined
    this.pos = imagEnd + 1
    return opaque(text.slice(start, this.pos))
  }

  /** From an opening bracket to its partner, counting nested brackets and skipping quoted strings. */
  private balanced(start: number): string {
    const { text } = this
    const stack: string[] = []
    let i = start
    while (i < text.length) {
      const c = text[i]!
      if (c === "'" || c === '"') {
        i = skipQuoted(text, i)
        continue
      }
      const closer = CLOSERS[c]
      if (closer !== undefined) stack.push(closer)
      else if (c === stack.at(-1)) stack.pop()
      i++
      if (stack.length === 0) {
        this.pos = i
        return text.slice(start, i)
      }
    }
    throw new LiteralError(`unbalanced ${JSON.stringify(text[start])} at ${start}`)
  }
}

/** Past a quoted run starting at `i` (backslash escapes skipped, as in `Foo('it\\'s')`). */
function skipQuoted(text: string, i: number): number {
  const q = text[i]
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++
    else if (text[j] === q) return j + 1
  }
  throw new LiteralError(`unterminated quote at ${i}`)
}

/** One part of a complex repr from `i`: an optional sign, then digits or inf/nan, `j` when `imaginary`; the end or -1. */
function complexPart(text: string, i: number, imaginary: boolean): number {
  let j = i
  if (text[j] === '+' || text[j] === '-') j++
  if (text.startsWith('inf', j) || text.startsWith('nan', j)) j += 3
  else {
    const digits = j
    for (;;) {
      const c = text[j]
      const exponentSign = (c === '+' || c === '-') && (text[j - 1] === 'e' || text[j - 1] === 'E')
      if (c === undefined || !((c >= '0' && c <= '9') || c === '.' || c === 'e' || c === 'E' || exponentSign)) break
      j++
    }
    if (j === digits) return -1
  }
  if (imaginary) return text[j] === 'j' ? j + 1 : -1
  return j
}

function concatBytes(a: PyBytes, b: PyBytes): PyBytes {
  const out = new Uint8Array(a.bytes.length + b.bytes.length)
  out.set(a.bytes)
  out.set(b.bytes, a.bytes.length)
  return new PyBytes(out)
}

/** A set literal's repeated primitives count once ({1, 1} is {1}); objects are never equal here. */
function dedupe(items: readonly PyValue[]): PyValue[] {
  const seen = new Set<PyValue>()
  return items.filter((v) => (typeof v === 'object' && v !== null) || (seen.has(v) ? false : (seen.add(v), true)))
}
