// The allow-list of callables a pickle may "call" (REDUCE, OBJ, INST): nothing is resolved or run; a few
// well-known constructors (bytes, set, OrderedDict, Decimal, the datetime family) get a faithful inert value,
// every other class a placeholder `<module.Class>` that keeps its arguments.
import { PyBytes, PyFloat, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from '../py-value.js'
import { HEAP_COST } from './pickle-budget.js'
import { fail, latin1Bytes } from './pickle-scalars.js'
import { temporalText } from './pickle-temporal.js'

/** What the decoder lends a call: its heap budget and its (memoized) hashability check. */
export interface Builder {
  alloc<T extends object>(v: T, cost?: number): T
  checkHashable(v: PyValue): void
}

/** What str(Decimal) prints. The fraction's dot is inside its group, so the pattern cannot backtrack. */
const DECIMAL_TEXT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:E[+-]?\d+)?|Inf(?:inity)?|s?NaN\d*)$/i

/**
 * A memo reference can hand the same large argument to any number of calls for a few bytes each, so a
 * call that copies or scans its argument is charged for it like a container of that size.
 */
export function construct(fn: PyValue, args: PyValue, builder: Builder): PyValue {
  if (fn instanceof PyObject) return builder.alloc(new PyObject(null, args)) // e.g. a bound method from getattr
  if (!(fn instanceof PyGlobal)) fail('call of a non-callable')
  const a = args instanceof PyTuple ? args.items : []
  const first = a[0]
  builder.alloc(a)
  switch (fn.qualifiedName) {
    case '_codecs.encode': // how protocol < 3 pickles bytes: encode(str(b, 'latin1'), 'latin1')
      {
        const bytes = latin1Argument(a, builder)
        if (bytes !== null) return new PyBytes(bytes)
      }
      break
    case 'builtins.bytes':
    case 'builtins.bytearray':
      if (a.length === 0) return new PyBytes(new Uint8Array(0))
      if (a.length === 1 && first instanceof PyBytes) return first
      {
        const bytes = latin1Argument(a, builder)
        if (bytes !== null) return new PyBytes(bytes)
      }
      break
    case 'builtins.set':
    case 'builtins.frozenset':
      if (a.length === 0 || (a.length === 1 && Array.isArray(first))) {
        builder.alloc(a, HEAP_COST.array + 8 * (Array.isArray(first) ? first.length : 0))
        const items = Array.isArray(first) ? first.slice() : []
        for (const x of items) builder.checkHashable(x)
        return new PySet(items, fn.name === 'frozenset')
      }
      break
    case 'collections.OrderedDict':
      if (a.length === 0) return new Map()
      if (a.length === 1 && Array.isArray(first)) { // Python 2.7: OrderedDict([[k, v], …])
        const d = builder.alloc(new Map<PyValue, PyValue>(), HEAP_COST.map + HEAP_COST.mapEntry * first.length)
        for (const pair of first) {
          const kv = Array.isArray(pair) ? pair : pair instanceof PyTuple ? pair.items : []
          if (kv.length !== 2) fail('OrderedDict item is not a pair')
          builder.checkHashable(kv[0] as PyValue)
          d.set(distinctNaN(kv[0] as PyValue), kv[1] as PyValue)
        }
        return d
      }
      break
    case 'copyreg._reconstructor': // (cls, object, None) + BUILD: an instance of a user class
      if (first instanceof PyGlobal) return new PyObject(first, args)
      break
    case 'decimal.Decimal':
      if (a.length === 1 && typeof first === 'string') {
        builder.alloc(a, first.length) // the pattern reads the whole text
        if (DECIMAL_TEXT.test(first)) return new PyObject(fn, args, null, first)
      }
      break
    case 'datetime.datetime':
    case 'datetime.date':
    case 'datetime.time':
    case 'datetime.timedelta':
      return new PyObject(fn, args, null, temporalText(fn.name, a))
    default:
  }
  return new PyObject(fn, args)
}

/** `(text, 'latin1')` arguments, as protocol < 3 pickles bytes: the text's latin-1 bytes, else null. */
function latin1Argument(a: readonly PyValue[], builder: Builder): Uint8Array | null {
  const [text, encoding] = a
  if (a.length !== 2 || typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) return null
  builder.alloc(a, HEAP_COST.bytes + text.length)
  return latin1Bytes(text)
}

/**
 * A NaN key: every float NaN is a key of its own in Python (NaN != NaN, and picklers never share floats),
 * while a Map holds one NaN key (found by the fuzzer: `{nan: 1, nan: 2}` lost its first item). Each NaN key
 * becomes its own PyFloat object, which prints the same.
 */
export function distinctNaN(k: PyValue): PyValue {
  return typeof k === 'number' && Number.isNaN(k) ? new PyFloat(k) : k
}
