// A text format compiled to bytes: the line formatter.ts makes of a record, written straight into the file's
// buffer from the fields a frame holds (FrameFields), with no LogRecord, no strings for the long texts and no
// escaping pass. It takes only the records where the formatter's general cases cannot arise: plain ASCII texts
// (nothing to escape, one byte a character, so widths count bytes), no args to merge, no traceback or stack to
// append. Any other record is declined and goes through formatter.ts; the differential tests hold the two to
// the same bytes. Formats it cannot render at all (JSON lines, precisions, numeric conversions of text, extras
// of the general path) have no layout.
import { createdOf, FIELD, FIELD_COUNT, levelnoOf, msecsOf, READ, READ_TEXT, type FieldName, type FrameFields } from '../record.js'
import { createAsctimeOf, createSecondStamp, type SecondStamp } from './asctime.js'
import { escapeText } from './escape.js'
import type { FormatOptions } from './formatter.js'
import { parseFormat, type Spec } from './percent-operator.js'

/** render()'s answer for a record it does not take (or a line that would not fit `out`). */
export const DECLINED = -1

const LITERAL = 0
const TEXT = 1
const CLIENT = 2
const ASCTIME = 3
const INT = 4

/** The text fields, and what recordOf makes of an absent or None value (undefined: the layout declines). */
const TEXT_DEFAULTS: ReadonlyMap<string, { absent: string | undefined; none: string | undefined }> = new Map([
  ['name', { absent: 'root', none: 'root' }],
  ['msg', { absent: '', none: 'None' }],
  ['levelname', { absent: undefined, none: undefined }],
  ['pathname', { absent: '', none: '' }],
  ['filename', { absent: '', none: '' }],
  ['module', { absent: '', none: '' }],
  ['funcName', { absent: '', none: '' }],
  ['threadName', { absent: 'None', none: 'None' }],
  ['processName', { absent: 'None', none: 'None' }],
  ['taskName', { absent: 'None', none: 'None' }],
])
const INT_FIELDS = new Set(['levelno', 'lineno', 'thread', 'process'])

interface Step {
  kind: number
  /** LITERAL: its bytes. */
  bytes: Uint8Array
  /** TEXT, INT: the FIELD position. */
  role: number
  /** -1: none. */
  width: number
  left: boolean
  absent: string | undefined
  none: string | undefined
}

export interface LineLayout {
  /** By FIELD position, what the layout reads (UNREAD, READ, READ_TEXT: a text the decoder may leave as a span). */
  readonly uses: Uint8Array
  /**
   * Writes the record's line (without its '\n') into out[at…) and returns where it ends; DECLINED when the record
   * needs the formatter, or `out` is too short (the caller then formats it the general way).
   */
  render(fields: FrameFields, client: string, received: number, out: Uint8Array, at: number): number
}

/** The layout of `options`' lines, or null when only formatter.ts can render them. */
export function compileLineLayout(options: FormatOptions): LineLayout | null {
  if (options.style !== 'text') return null
  const parts = parseFormat(options.format || '%(message)s')
  const steps: Step[] = []
  const uses = new Uint8Array(FIELD_COUNT)
  // What render() reads of every record: the general cases it declines, and the level the counters need.
  for (const field of ['args', 'exc_text', 'stack_info', 'levelname', 'levelno'] as const) uses[FIELD[field]] = READ
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (typeof part === 'string') {
      if (part === '') continue
      // What the formatter writes for the literal: escaped like a message's text (a TAB stays), raw otherwise.
      // A literal that is not well-formed by itself (half a surrogate pair, the other half past a field) is
      // escaped or not by the whole line's content: only the formatter can tell.
      if (!part.isWellFormed()) return null
      const text = options.escape ? escapeText(part) : part
      if (text.includes('\n') || (i === 0 && options.escape && text.startsWith('\t'))) return null
      steps.push(step(LITERAL, { bytes: new TextEncoder().encode(text) }))
      continue
    }
    const field = fieldStep(part)
    if (field === null) return null
    if (field.kind === TEXT) uses[field.role] = READ_TEXT
    else if (field.kind === INT) uses[field.role] = READ
    else if (field.kind === ASCTIME) uses[FIELD.created] = uses[FIELD.msecs] = READ
    steps.push(field)
  }
  const time = { datefmt: options.datefmt, utc: options.utc }
  return new CompiledLayout(steps, uses, createAsctimeOf(time), createSecondStamp(time), options.escape)
}

function step(kind: number, rest: Partial<Step>): Step {
  return { kind, bytes: new Uint8Array(0), role: -1, width: -1, left: false, absent: undefined, none: undefined, ...rest }
}

/** A spec the layout renders: `%(field)s` of a text (or `%(field)d`/`s` of an int) with at most a width and `-`. */
function fieldStep(spec: Spec): Step | null {
  if (spec.key === null || spec.prec !== -1 || spec.width < -1 || spec.plus || spec.space || spec.alt || spec.zero) return null
  const layout = { width: spec.width, left: spec.minus }
  const key = spec.key === 'message' ? 'msg' : spec.key
  if (spec.conv === 's') {
    if (key === 'asctime') return step(ASCTIME, layout)
    if (key === 'client') return step(CLIENT, layout)
    const defaults = TEXT_DEFAULTS.get(key)
    if (defaults !== undefined) return step(TEXT, { ...layout, ...defaults, role: FIELD[key as FieldName] })
  }
  if ((spec.conv === 's' || spec.conv === 'd') && INT_FIELDS.has(key)) return step(INT, { ...layout, role: FIELD[key as FieldName] })
  return null
}

const SPACE = 0x20

class CompiledLayout implements LineLayout {
  private readonly kinds: Uint8Array
  private readonly steps: readonly Step[]

  /** The second's text as bytes (null: not plain), for the text the stamp gave last. */
  private stampText = ''
  private stampBytes: Uint8Array | null = new Uint8Array(0)

  constructor(steps: Step[], readonly uses: Uint8Array, private readonly asctime: (created: number, msecs: number) => string, private readonly stamp: SecondStamp, private readonly escape: boolean) {
    this.steps = steps
    this.kinds = Uint8Array.from(steps, (s) => s.kind)
  }

  render(fields: FrameFields, client: string, received: number, out: Uint8Array, at: number): number {
    const lineStart = at
    const v = fields.values
    // The formatter's general cases: msg % args, a traceback or stack appended, a levelname to make up.
    const args = v[FIELD.args]
    if (args !== undefined && args !== null) return DECLINED
    if (hasText(v[FIELD.exc_text]) || hasText(v[FIELD.stack_info])) return DECLINED
    const levelname = v[FIELD.levelname]
    if (typeof levelname !== 'string') return DECLINED
    const { kinds, steps } = this
    for (let i = 0; i < kinds.length; i++) {
      const s = steps[i]!
      switch (kinds[i]) {
        case LITERAL: {
          const bytes = s.bytes
          if (at + bytes.length > out.length) return DECLINED
          // Mostly a space or two: a native set() per literal cost more than the loop.
          if (bytes.length > 16) out.set(bytes, at)
          else for (let k = 0; k < bytes.length; k++) out[at + k] = bytes[k]!
          at += bytes.length
          break
        }
        case TEXT: {
          const start = fields.starts[s.role]!
          if (start >= 0) {
            at = this.writeSpan(fields, start, fields.ends[s.role]!, s, out, at)
          } else {
            const value = v[s.role]
            const text = typeof value === 'string' ? value : value === undefined ? s.absent : value === null ? s.none : undefined
            if (text === undefined) return DECLINED
            at = writeText(text, s, out, at)
          }
          break
        }
        case CLIENT:
          at = writeText(client, s, out, at)
          break
        case ASCTIME:
          at = this.writeAsctime(v, received, s, out, at)
          break
        default: {
          const n = s.role === FIELD.levelno ? levelnoOf(v, levelname) : v[s.role]
          if (typeof n !== 'number' || !Number.isSafeInteger(n)) return DECLINED
          at = writeText(String(n), s, out, at)
        }
      }
      if (at < 0) return DECLINED
    }
    // Escaped, a line never starts with a TAB (the formatter writes it as \t): a TAB literal after fields that
    // came out empty would.
    if (this.escape && at > lineStart && out[lineStart] === 0x09) return DECLINED
    return at
  }

  /** `%(asctime)s`: without a width, the second's bytes (encoded once a second) and the msecs' digits; else, and
   *  for the odd times, asctime's own text. */
  private writeAsctime(v: FrameFields['values'], received: number, s: Step, out: Uint8Array, at: number): number {
    const created = createdOf(v, received)
    const msecs = msecsOf(v, created)
    const text = this.stamp.text(created)
    const ms = Math.trunc(msecs)
    if (text === null || s.width >= 0 || !(ms >= 0 && ms < 1000)) return writeText(this.asctime(created, msecs), s, out, at)
    if (text !== this.stampText) {
      this.stampText = text
      this.stampBytes = [...text].every((c) => plain(c.charCodeAt(0))) ? new TextEncoder().encode(text) : null
    }
    const bytes = this.stampBytes
    if (bytes === null) return DECLINED
    const { withMsecs } = this.stamp
    if (at + bytes.length + 4 > out.length) return DECLINED
    for (let k = 0; k < bytes.length; k++) out[at + k] = bytes[k]!
    at += bytes.length
    if (!withMsecs) return at
    // ',%03d' % msecs
    out[at] = 0x2c
    out[at + 1] = 0x30 + Math.trunc(ms / 100)
    out[at + 2] = 0x30 + (Math.trunc(ms / 10) % 10)
    out[at + 3] = 0x30 + (ms % 10)
    return at + 4
  }

  /**
   * The frame's bytes [start, end) padded to the step's width; DECLINED when a byte is not plain or `out` is too
   * short. Four bytes at a time: a message is most of a line, and a byte loop over it was a third of the render.
   */
  private writeSpan(fields: FrameFields, start: number, end: number, s: Step, out: Uint8Array, at: number): number {
    const n = end - start
    const pad = s.width > n ? s.width - n : 0
    if (at + n + pad > out.length) return DECLINED
    if (!s.left) at = spaces(out, at, pad)
    const { view, viewBase } = fields
    const target = this.viewOf(out)
    let i = start
    for (const last = end - 4; i <= last; i += 4, at += 4) {
      const w = view.getInt32(viewBase + i, true)
      // A byte below 0x20 (w - 0x20 borrows into its top bit where the byte had none), or above 0x7e (+1 reaches
      // 0x80, or it had the top bit): exact for every byte, as the classic hasless/hasmore word tests are.
      if ((((w - 0x20202020) & ~w) | (w + 0x01010101) | w) & 0x80808080) return DECLINED
      target.setInt32(at, w, true)
    }
    for (; i < end; i++) {
      const c = fields.bytes[i]!
      if (!plain(c)) return DECLINED
      out[at++] = c
    }
    return s.left ? spaces(out, at, pad) : at
  }

  private outView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
  private viewed: Uint8Array | null = null

  /** A DataView of `out` (the same one while the batch writes into the same buffer). */
  private viewOf(out: Uint8Array): DataView<ArrayBufferLike> {
    if (out !== this.viewed) {
      this.viewed = out
      this.outView = new DataView(out.buffer, out.byteOffset, out.byteLength)
    }
    return this.outView
  }
}

/** exc_text and stack_info count when they are text (recordOf: `str(v) || null`). */
function hasText(v: unknown): boolean {
  return v !== undefined && v !== null && v !== ''
}

/** A plain ASCII byte: printable, no control, nothing the escape or the width would treat otherwise. */
function plain(c: number): boolean {
  return c >= 0x20 && c <= 0x7e
}

/** A text padded to the step's width (as CompiledLayout.writeSpan does bytes); DECLINED for any character that is
 *  not plain ASCII or when `out` is too short. */
function writeText(text: string, s: Step, out: Uint8Array, at: number): number {
  const n = text.length
  const pad = s.width > n ? s.width - n : 0
  if (at + n + pad > out.length) return DECLINED
  if (!s.left) at = spaces(out, at, pad)
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (!plain(c)) return DECLINED
    out[at++] = c
  }
  return s.left ? spaces(out, at, pad) : at
}

function spaces(out: Uint8Array, at: number, n: number): number {
  for (let i = 0; i < n; i++) out[at++] = SPACE
  return at
}
