// Python string and bytes literals as the tokenizer reads them (Lib/tokenize, Objects/unicodeobject.c's
// _PyUnicode_DecodeUnicodeEscape): prefixes r/u/b/rb/br in any case, one or three quotes, every escape form.
// Scanning only: one pass, no regular expression, nothing evaluated.
import { PyBytes } from '../py-value.js'
import { LiteralError } from './literal-error.js'

export interface ScannedString {
  value: string | PyBytes
  end: number
}

/** The prefix letters CPython 3 accepts before a quote (`f` makes an f-string: code, never a literal). */
const PREFIXES = new Set(['', 'r', 'u', 'b', 'br', 'rb'])

/** Where a string literal starting at `pos` has its opening quote, or -1 when none starts there. */
export function stringStart(text: string, pos: number): number {
  let i = pos
  while (i < text.length && i - pos < 2 && /[rRuUbB]/.test(text[i]!)) i++
  const q = text[i]
  if (q !== "'" && q !== '"') return -1
  return PREFIXES.has(text.slice(pos, i).toLowerCase()) ? i : -1
}

/** Reads one literal whose prefix starts at `pos` and whose quote is at `quoteAt` (from stringStart). */
export function scanString(text: string, pos: number, quoteAt: number): ScannedString {
  const prefix = text.slice(pos, quoteAt).toLowerCase()
  const raw = prefix.includes('r')
  const bytes = prefix.includes('b')
  const q = text[quoteAt]!
  const triple = text.startsWith(q.repeat(3), quoteAt)
  const close = triple ? q.repeat(3) : q
  const units: number[] = [] // code points (str) or byte values (bytes)
  let i = quoteAt + close.length
  for (;;) {
    if (i >= text.length) throw new LiteralError(`unterminated string literal at ${pos}`)
    if (text.startsWith(close, i)) break
    const c = text.codePointAt(i)!
    if (c === 0x0a && !triple) throw new LiteralError(`newline in a single-quoted string at ${i}`)
    if (bytes && c >= 0x80) throw new LiteralError(`bytes can only contain ASCII literal characters (at ${i})`)
    if (c !== 0x5c) {
      units.push(c)
      i += c > 0xffff ? 2 : 1
      continue
    }
    // A backslash: in a raw literal it stays, with the next character (which it keeps from closing the string).
    if (i + 1 >= text.length) throw new LiteralError(`unterminated string literal at ${pos}`)
    if (raw) {
      units.push(0x5c)
      const n = text.codePointAt(i + 1)!
      if (bytes && n >= 0x80) throw new LiteralError(`bytes can only contain ASCII literal characters (at ${i + 1})`)
      units.push(n)
      i += n > 0xffff ? 3 : 2
      continue
    }
    i = escape(text, i + 1, bytes, units)
  }
  const end = i + close.length
  if (bytes) return { value: new PyBytes(Uint8Array.from(units)), end }
  return { value: fromCodePoints(units), end }
}

const SIMPLE: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b }

/** One escape after its backslash at `i - 1`; pushes what it stands for and returns where scanning goes on. */
function escape(text: string, i: number, bytes: boolean, units: number[]): number {
  const e = text[i]!
  if (e === '\n') return i + 1 // a backslash-newline continues the line
  if (e === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1
  const simple = SIMPLE[e]
  if (simple !== undefined) {
    units.push(simple)
    return i + 1
  }
  if (e >= '0' && e <= '7') {
    let n = 0
    let j = i
    while (j < i + 3 && text[j] !== undefined && text[j]! >= '0' && text[j]! <= '7') n = n * 8 + (text.charCodeAt(j++) - 48)
    units.push(bytes ? n & 0xff : n) // b'\777' is b'\xff' (CPython masks); '\777' is U+01FF
    return j
  }
  const hexDigits = e === 'x' ? 2 : !bytes && e === 'u' ? 4 : !bytes && e === 'U' ? 8 : 0
  if (hexDigits > 0) {
    const hex = text.slice(i + 1, i + 1 + hexDigits)
    if (hex.length < hexDigits || !/^[0-9a-fA-F]+$/.test(hex)) throw new LiteralError(`truncated \\${e} escape at ${i - 1}`)
    const n = parseInt(hex, 16)
    if (n > 0x10ffff) throw new LiteralError(`illegal Unicode character \\U${hex} at ${i - 1}`)
    units.push(n)
    return i + 1 + hexDigits
  }
  if (!bytes && e === 'N') {
    // \N{NAME} needs the Unicode name table, which Node lacks: refuse rather than guess (repr never writes it).
    throw new LiteralError(`\\N{…} escapes are not supported (at ${i - 1})`)
  }
  // An unknown escape keeps its backslash (CPython warns, then does the same).
  units.push(0x5c)
  const c = text.codePointAt(i)!
  if (bytes && c >= 0x80) throw new LiteralError(`bytes can only contain ASCII literal characters (at ${i})`)
  units.push(c)
  return i + (c > 0xffff ? 2 : 1)
}

/** In chunks: one String.fromCodePoint(...all) of a 1 MB string would overflow the call's argument limit. */
function fromCodePoints(units: readonly number[]): string {
  let out = ''
  const CHUNK = 8192
  for (let i = 0; i < units.length; i += CHUNK) out += String.fromCodePoint(...units.slice(i, i + CHUNK))
  return out
}
