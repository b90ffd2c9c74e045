// The values a decoded pickle can hold, as inert JS data, and their Python str()/repr() renderings.
// Nothing here is ever resolved or called: a class reference is only a (module, name) pair.

export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

export class PySet {
  constructor(readonly items: readonly PyValue[], readonly frozen: boolean) {}
}

/** A GLOBAL/STACK_GLOBAL reference, e.g. `datetime.datetime`; never imported. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`
  }
}

/**
 * An instance of a class we do not reconstruct (REDUCE/BUILD/OBJ/INST/NEWOBJ). `text` is a faithful
 * str() for the small allow-list the decoder understands (datetime, Decimal…), otherwise undefined and
 * the object renders as `<module.Class>`. With no class, `text` is both str() and repr(): a value
 * py-literal read from a repr it does not model (`datetime.date(2024, 1, 2)`, `<object at 0x…>`).
 */
export class PyObject {
  constructor(
    readonly cls: PyGlobal | null,
    readonly args: PyValue,
    public state: PyValue = null,
    readonly text?: string,
  ) {}
}

/**
 * A Python float whose value is integral (1.0, -0.0, 1e16). A plain JS number stands for a Python int when
 * it is an integer and for a float otherwise (non-integral, NaN, ±Infinity): ints (levelno, lineno, most
 * args) are the common case and stay unboxed, and only the rare integral float pays for this wrapper.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A decoded Python float: a JS number when that cannot be mistaken for an int, else a PyFloat. */
export function pyFloat(x: number): number | PyFloat {
  return Number.isInteger(x) ? new PyFloat(x) : x
}

/** Is the value a Python int under the model above (bool is an int subclass, as in Python)? */
export function isPyInt(v: PyValue): boolean {
  return typeof v === 'bigint' || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v))
}

export type PyDict = Map<PyValue, PyValue>

export type PyValue =
  | null
  | boolean
  | number
  | PyFloat
  | bigint
  | string
  | PyBytes
  | PyValue[]
  | PyTuple
  | PySet
  | PyDict
  | PyGlobal
  | PyObject

/** Rendering stops after this many characters; the decoder already bounds the tree's size. */
export const MAX_RENDERED_CHARS = 64 * 1024

class Budget {
  out = ''
  full = false
  push(s: string): void {
    if (this.full) return
    if (this.out.length + s.length > MAX_RENDERED_CHARS) {
      this.out += s.slice(0, MAX_RENDERED_CHARS - this.out.length) + '…'
      this.full = true
    } else this.out += s
  }
}

/** Python's str(value). */
export function pyStr(value: PyValue): string {
  if (typeof value === 'string') return value.length > MAX_RENDERED_CHARS ? value.slice(0, MAX_RENDERED_CHARS) + '…' : value
  if (value instanceof PyObject && value.text !== undefined) return value.text
  if (value instanceof PyFloat) return floatRepr(value.value)
  return pyRepr(value)
}

/** Python's repr(value), bounded to MAX_RENDERED_CHARS. */
export function pyRepr(value: PyValue): string {
  const budget = new Budget()
  writeRepr(value, budget, new Set())
  return budget.out
}

function writeRepr(value: PyValue, out: Budget, active: Set<object>): void {
  if (out.full) return
  if (value === null) return out.push('None')
  switch (typeof value) {
    case 'boolean':
      return out.push(value ? 'True' : 'False')
    case 'number':
      return out.push(Number.isInteger(value) ? intRepr(value) : floatRepr(value))
    case 'bigint':
      return out.push(value.toString())
    case 'string':
      return out.push(strRepr(value))
    default:
  }
  if (value instanceof PyFloat) return out.push(floatRepr(value.value))
  if (value instanceof PyBytes) return out.push(bytesRepr(value.bytes))
  if (value instanceof PyGlobal) return out.push(`<class '${value.qualifiedName}'>`)
  if (value instanceof PyObject) return out.push(objectRepr(value))
  if (active.has(value)) return out.push(Array.isArray(value) ? '[...]' : value instanceof Map ? '{...}' : '(...)')
  active.add(value)
  if (Array.isArray(value)) writeItems('[', value, ']', out, active)
  else if (value instanceof PyTuple) writeItems('(', value.items, value.items.length === 1 ? ',)' : ')', out, active)
  else if (value instanceof PySet) {
    if (value.items.length === 0) out.push(value.frozen ? 'frozenset()' : 'set()')
    else if (value.frozen) {
      out.push('frozenset(')
      writeItems('{', value.items, '})', out, active)
    } else writeItems('{', value.items, '}', out, active)
  } else {
    out.push('{')
    let first = true
    for (const [k, v] of value) {
      if (out.full) break
      if (!first) out.push(', ')
      first = false
      writeRepr(k, out, active)
      out.push(': ')
      writeRepr(v, out, active)
    }
    out.push('}')
  }
  active.delete(value)
}

function writeItems(open: string, items: readonly PyValue[], close: string, out: Budget, active: Set<object>): void {
  out.push(open)
  for (let i = 0; i < items.length && !out.full; i++) {
    if (i > 0) out.push(', ')
    writeRepr(items[i] as PyValue, out, active)
  }
  out.push(close)
}

/** Python's repr(float) / str(float): shortest round-trip digits, exponent when exp < -4 or exp >= 16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mant = '', expText = '0'] = x.toExponential().split('e')
  const exp = Number(expText)
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp)
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
  }
  const s = String(x)
  return s.includes('.') ? s : s + '.0'
}

/** JS prints integers from 1e21 on in exponent form; a Python int never is. */
function intRepr(n: number): string {
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString()
}

/** Not str.isprintable(): categories Cc Cf Cs Co Cn Zl Zp, and Zs but the ASCII space (listed: Zs is stable). */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u
const REPR_SPECIAL = /['"\\]/

/** Python's repr(str); Unicode categories are Node's ICU version's, which may be newer than Python's. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  if (!REPR_SPECIAL.test(s) && !NOT_PRINTABLE.test(s)) return quote + s + quote
  let out = quote
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c >= 0x20 && c < 0x7f) out += ch
    else if (c < 0x20 || NOT_PRINTABLE.test(ch)) out += c < 0x100 ? hex('x', c, 2) : c < 0x10000 ? hex('u', c, 4) : hex('U', c, 8)
    else out += ch
  }
  return out + quote
}

function hex(kind: string, c: number, digits: number): string {
  return '\\' + kind + c.toString(16).padStart(digits, '0')
}

function bytesRepr(b: Uint8Array): string {
  let hasSingle = false
  let hasDouble = false
  for (const c of b) {
    if (c === 0x27) hasSingle = true
    else if (c === 0x22) hasDouble = true
  }
  const quote = hasSingle && !hasDouble ? '"' : "'"
  let out = 'b' + quote
  for (const c of b) {
    const ch = String.fromCharCode(c)
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x0d) out += '\\r'
    else if (c === 0x09) out += '\\t'
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** repr() of an object: Python's own spelling for the values the decoder renders exactly, else a placeholder. */
function objectRepr(o: PyObject): string {
  const name = o.cls?.qualifiedName
  // No class but a text: a value py-literal kept as the repr it read (`datetime.date(2024, 1, 2)`).
  if (name === undefined) return o.text ?? '<object>'
  if (o.text === undefined) return `<${name}>`
  if (name === 'decimal.Decimal') return `Decimal('${o.text}')`
  const a = o.args instanceof PyTuple ? o.args.items : []
  if (name === 'datetime.timedelta') return timedeltaRepr(a)
  return temporalRepr(name, o.text, a) ?? o.text
}

/** From the exact str() text the decoder made, plus what str() leaves out: fold and the zone's name. */
function temporalRepr(name: string, text: string, a: readonly PyValue[]): string | undefined {
  const fields: number[] = []
  let time = text
  if (name !== 'datetime.time') {
    fields.push(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))
    if (name === 'datetime.date') return `datetime.date(${fields.join(', ')})`
    time = text.slice(11)
  }
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{6}))?/.exec(time)
  if (m === null) return undefined
  const [s, us] = [Number(m[3]), Number(m[4] ?? 0)]
  fields.push(Number(m[1]), Number(m[2]))
  // datetime_repr / time_repr: seconds only when seconds or microseconds are set, microseconds when set.
  if (s || us) fields.push(s)
  if (us) fields.push(us)
  let out = `${name}(${fields.join(', ')}`
  if (a[1] != null) out += `, tzinfo=${timezoneRepr(a[1])}`
  const state = a[0]
  // The fold bit is bit 7 of the hour byte (time) or of the month byte (datetime); Python 2 had no fold.
  if (state instanceof PyBytes && ((state.bytes[name === 'datetime.time' ? 0 : 2] as number) & 0x80) !== 0) out += ', fold=1'
  return out + ')'
}

/** timezone_repr: the UTC singleton (zero offset, no name) by name, else timezone(offset[, name]). */
function timezoneRepr(tz: PyValue): string {
  if (!(tz instanceof PyObject) || !(tz.args instanceof PyTuple)) return pyRepr(tz)
  const [offset, name] = tz.args.items
  const off = offset instanceof PyObject && offset.args instanceof PyTuple ? offset.args.items : []
  if (name === undefined && off.every((x) => x === 0)) return 'datetime.timezone.utc'
  return `datetime.timezone(${timedeltaRepr(off)}${typeof name === 'string' ? ', ' + strRepr(name) : ''})`
}

function timedeltaRepr(a: readonly PyValue[]): string {
  const parts: string[] = []
  if (a[0]) parts.push(`days=${String(a[0])}`)
  if (a[1]) parts.push(`seconds=${String(a[1])}`)
  if (a[2]) parts.push(`microseconds=${String(a[2])}`)
  return `datetime.timedelta(${parts.length > 0 ? parts.join(', ') : '0'})`
}
