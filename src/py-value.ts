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
 * the object renders as `<module.Class>`.
 */
export class PyObject {
  constructor(
    readonly cls: PyGlobal | null,
    readonly args: PyValue,
    public state: PyValue = null,
    readonly text?: string,
  ) {}
}

export type PyDict = Map<PyValue, PyValue>

export type PyValue =
  | null
  | boolean
  | number
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
      // Python's int and float both decode to a JS number. Integral values print as ints: ints (levelno,
      // lineno, counts in extras) are far more common than integral floats, which therefore lose their ".0".
      return out.push(Number.isInteger(value) ? String(value) : floatRepr(value))
    case 'bigint':
      return out.push(value.toString())
    case 'string':
      return out.push(strRepr(value))
    default:
  }
  if (value instanceof PyBytes) return out.push(bytesRepr(value.bytes))
  if (value instanceof PyGlobal) return out.push(`<class '${value.qualifiedName}'>`)
  if (value instanceof PyObject) {
    if (value.text !== undefined) return out.push(value.text)
    return out.push(value.cls ? `<${value.cls.qualifiedName}>` : '<object>')
  }
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

function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
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
