// Text-style escaping (file.escape): a client's text must never make a line of the central file that
// reads as the start of another record, nor send raw terminal controls to whoever `tail`s the file.
// The rule: a record's first line never starts with a TAB and every continuation line does; control
// characters but TAB, U+2028/U+2029 (str.splitlines() breaks on them) and lone surrogates are written as
// Python's backslash escapes. Every function tests first and allocates only when there is work to do.

declare global {
  interface String {
    /** ES2024, in Node 20; lib es2023 does not declare it yet. */
    isWellFormed(): boolean
  }
}

/** What a single-line field (name, levelname, client…) must not hold raw: C0 but TAB (LF included), DEL, C1. */
const LINE_UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/
/** The same for the multi-line texts (message, exc_text, stack_info), which keep their LFs. */
const TEXT_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/
// Lone surrogates: a high one not followed by a low one, a low one not preceded by a high one (literals, so the
// regex-safety test checks them).
const LINE_CHARS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const TEXT_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Whether a rendered line holds anything a field escape would change (an LF included). */
export function needsEscape(s: string): boolean {
  return LINE_UNSAFE.test(s) || !s.isWellFormed()
}

/** A single-line field: LF becomes `\n` too. */
export function escapeLine(s: string): string {
  return LINE_UNSAFE.test(s) || !s.isWellFormed() ? s.replace(LINE_CHARS, escapeChar) : s
}

/** A multi-line text: LFs stay (markContinuations() marks the lines they start). */
export function escapeText(s: string): string {
  return TEXT_UNSAFE.test(s) || !s.isWellFormed() ? s.replace(TEXT_CHARS, escapeChar) : s
}

/** Only lone surrogates, as Python's backslashreplace spells them (`\udcff`): for JSON, which escapes the rest. */
export function escapeSurrogates(s: string): string {
  return s.isWellFormed() ? s : s.replace(SURROGATES, escapeChar)
}

/** After escaping, the only LFs left separate lines of one record: each continuation starts with a TAB. */
export function markContinuations(entry: string): string {
  const s = entry.charCodeAt(0) === 9 ? '\\t' + entry.slice(1) : entry
  return s.includes('\n') ? s.replaceAll('\n', '\n\t') : s
}

function escapeChar(ch: string): string {
  const c = ch.charCodeAt(0)
  if (c === 0x0a) return '\\n'
  if (c === 0x0d) return '\\r'
  return c < 0x100 ? '\\x' + c.toString(16).padStart(2, '0') : '\\u' + c.toString(16).padStart(4, '0')
}
