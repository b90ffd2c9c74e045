// The fast path for what SocketHandler.makePickle actually sends: pickle protocol 1 of a flat dict of scalars,
//   EMPTY_DICT [BINPUT] MARK (key value)* SETITEMS STOP
// where each key is a BINUNICODE str and each value a BINUNICODE str, NONE, BININT/1/2, BINFLOAT, INT or LONG
// (each str optionally memoized by BINPUT/LONG_BINPUT). It builds the dict straight from the bytes, without
// the strict decoder's stack, marks and memo; for a connection, not even the dict: the record's fields and
// extras as toLogRecord would split it (record.ts recordOf). Anything else, including every error, returns null and the
// strict decoder (unpickle.ts) decides: so the fast path can only agree with it, never refuse what it takes.
// Budgets: this grammar holds one dict of at most (bytes / 2) scalars, no sharing and no nesting, which is far
// inside every default budget (one Map, 1 MiB minimum heap; expansion ≤ 1 value per byte, 64 Ki minimum);
// unpickle() takes this path only under the default limits (pickle-budget.ts), so a stricter limit still
// goes through the strict decoder and its checks.
import { pyFloat, type PyValue } from '../py-value.js'
import { KEY_ROLES, newFieldValues, NOT_A_FIELD, type FieldValues } from '../record.js'
import { intLineValue, latin1, utf8 } from './pickle-scalars.js'

const EMPTY_DICT = 0x7d
const MARK = 0x28
const SETITEMS = 0x75
const STOP = 0x2e
const BINPUT = 0x71
const LONG_BINPUT = 0x72
const BINUNICODE = 0x58
const NONE = 0x4e
const BININT = 0x4a
const BININT1 = 0x4b
const BININT2 = 0x4d
const BINFLOAT = 0x47
const INT = 0x49
const LONG = 0x4c
/** INT/LONG lines this short and plain (digits, an optional `-`, LONG's `L`) are all makePickle writes. */
const MAX_INT_LINE = 24

/** Texts up to this many bytes go through the cache below: keys, logger and level names, paths, thread names. */
const MAX_CACHED_BYTES = 64
/** A power of two. 4096 × ≤ 64 bytes: under a megabyte however hostile the input. */
const CACHE_SLOTS = 4096
/**
 * Most of a record's texts repeat record after record (its keys, logger name, path, function, thread): decoding
 * each costs a native call and a new string, which measured more than the rest of the decoding. A direct-mapped
 * cache by a hash of the bytes, checked byte for byte, gives back the same text the decoder made the first time.
 */
const cachedBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CACHE_SLOTS)
const cachedTexts: string[] = new Array<string>(CACHE_SLOTS).fill('')
/** Each cached text's KEY_ROLES entry, for when it is a key. */
const cachedRoles: (number | undefined)[] = new Array<number | undefined>(CACHE_SLOTS).fill(undefined)
/** The cache slot text() last answered from or filled; -1 when the text was not cached (too long). */
let textSlot = -1

/** Not the fast path's shape (or not valid): the strict decoder decides. */
const NOT_FAST = null

/** Where the parse puts each key and value. */
interface DictSink {
  /** `role`: the key's KEY_ROLES entry. */
  put(key: string, role: number | undefined, value: PyValue): void
}

class MapSink implements DictSink {
  readonly dict = new Map<PyValue, PyValue>()
  put(key: string, _role: number | undefined, value: PyValue): void {
    this.dict.set(key, value)
  }
}

/** The record's fields and extras straight from the bytes: what toLogRecord makes of the dict, without it. */
export class RecordFields implements DictSink {
  readonly fields: FieldValues = newFieldValues()
  readonly extra = new Map<string, PyValue>()
  put(key: string, role: number | undefined, value: PyValue): void {
    if (role === undefined) this.extra.set(key, value)
    else if (role !== NOT_A_FIELD) this.fields[role] = value
  }
}

/** The record dict of a makePickle frame, exactly as unpickle() would build it; null when the frame is anything
 *  else (then the strict decoder must run). */
export function fastRecordDict(b: Buffer): Map<PyValue, PyValue> | null {
  const sink = new MapSink()
  return parse(b, sink) ? sink.dict : NOT_FAST
}

/** The same frames as fastRecordDict, as toLogRecord would split that dict into fields and extras (recordOf). */
export function fastRecordFields(b: Buffer): RecordFields | null {
  const sink = new RecordFields()
  return parse(b, sink) ? sink : NOT_FAST
}

function parse(b: Buffer, sink: DictSink): boolean {
  const n = b.length
  // The shortest frame of the shape is `}(u.`; the last byte must be STOP and the one before SETITEMS.
  if (n < 4 || b[0] !== EMPTY_DICT || b[n - 1] !== STOP || b[n - 2] !== SETITEMS) return false
  let pos = skipPut(b, 1, n)
  if (pos < 0 || b[pos] !== MARK) return false
  pos++
  const end = n - 2
  while (pos < end) {
    // The key: a str (only BINUNICODE here).
    if (b[pos] !== BINUNICODE || pos + 5 > end) return false
    const keyLength = u32(b, pos + 1)
    const keyAt = pos + 5
    if (keyLength > end - keyAt) return false
    const key = text(b, keyAt, keyAt + keyLength)
    if (key === null) return false
    const role = textSlot >= 0 ? cachedRoles[textSlot] : KEY_ROLES.get(key)
    pos = skipPut(b, keyAt + keyLength, end)
    if (pos < 0 || pos >= end) return false
    // The value.
    let value: PyValue
    const op = b[pos] as number
    pos++
    switch (op) {
      case BINUNICODE: {
        if (pos + 4 > end) return false
        const length = u32(b, pos)
        pos += 4
        if (length > end - pos) return false
        const decoded = text(b, pos, pos + length)
        if (decoded === null) return false
        value = decoded
        pos = skipPut(b, pos + length, end)
        if (pos < 0) return false
        break
      }
      case NONE:
        value = null
        break
      case BININT1:
        if (pos + 1 > end) return false
        value = b[pos] as number
        pos += 1
        break
      case BININT2:
        if (pos + 2 > end) return false
        value = (b[pos] as number) | ((b[pos + 1] as number) << 8)
        pos += 2
        break
      case BININT:
        if (pos + 4 > end) return false
        value = u32(b, pos) | 0
        pos += 4
        break
      case BINFLOAT:
        if (pos + 8 > end) return false
        value = pyFloat(b.readDoubleBE(pos))
        pos += 8
        break
      case INT:
      case LONG: {
        const nl = b.indexOf(0x0a, pos)
        if (nl < 0 || nl >= end || nl - pos > MAX_INT_LINE || !plainInt(b, pos, nl, op === LONG)) return false
        value = smallInt(b, pos, nl, op === LONG) ?? intLineValue(latin1(b, pos, nl))
        pos = nl + 1
        break
      }
      default:
        return false
    }
    sink.put(key, role, value)
  }
  return pos === end
}

function u32(b: Buffer, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0
}

/** The strict decoder's text for these bytes (utf8 with surrogatepass), from the cache when they repeat. */
function text(b: Buffer, start: number, end: number): string | null {
  const n = end - start
  textSlot = -1
  if (n > MAX_CACHED_BYTES) return utf8(b, start, end, true)
  // A constant-cost hash (the length, both ends, the middle): a collision only costs a miss, as the bytes are
  // compared in full below.
  let h = Math.imul(n, 0x9e3779b1)
  if (n > 0) {
    h = Math.imul(h ^ (b[start] as number) ^ ((b[end - 1] as number) << 8) ^ ((b[start + (n >> 1)] as number) << 16), 0x01000193)
    h = Math.imul(h ^ (b[start + (n >> 2)] as number) ^ ((b[end - 2] as number) << 8) ^ ((b[end - 3] as number) << 16) ^ ((b[start + 1] as number) << 24), 0x01000193)
  }
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1)
  const known = cachedBytes[slot]
  if (known !== undefined && known.length === n) {
    let same = true
    for (let i = 0; i < n; i++) {
      if (known[i] !== b[start + i]) {
        same = false
        break
      }
    }
    if (same) {
      textSlot = slot
      return cachedTexts[slot] as string
    }
  }
  const decoded = utf8(b, start, end, true)
  if (decoded === null) return null
  cachedBytes[slot] = Uint8Array.prototype.slice.call(b, start, end)
  cachedTexts[slot] = decoded
  cachedRoles[slot] = KEY_ROLES.get(decoded)
  textSlot = slot
  return decoded
}

/** Past an optional BINPUT/LONG_BINPUT at `pos` (memoizing is all they do, and nothing here reads the memo);
 *  -1 when it is cut short. */
function skipPut(b: Buffer, pos: number, end: number): number {
  const op = b[pos]
  if (op === BINPUT) return pos + 2 <= end ? pos + 2 : -1
  if (op === LONG_BINPUT) return pos + 5 <= end ? pos + 5 : -1
  return pos
}

/**
 * A plain int line's value when it has at most 15 digits (always exact in a double, as intText's own shortcut
 * says), computed from the bytes; null for longer ones and for `01`/`00` (booleans at protocols 0/1), which
 * intLineValue decides. A thread id arrives this way in every record.
 */
function smallInt(b: Buffer, start: number, end: number, long: boolean): number | null {
  if (long) end--
  const negative = b[start] === 0x2d
  if (negative) start++
  const digits = end - start
  if (digits > 15 || (digits === 2 && b[start] === 0x30 && (b[start + 1] === 0x30 || b[start + 1] === 0x31))) return null
  let v = 0
  for (let i = start; i < end; i++) v = v * 10 + ((b[i] as number) - 0x30)
  return negative ? -v + 0 : v // + 0: -0 is 0, as intText makes it
}

/** `-?[0-9]+` with LONG's trailing `L`: what the strict reader turns into an int without its lenient rules. */
function plainInt(b: Buffer, start: number, end: number, long: boolean): boolean {
  if (long) {
    if (end - start < 2 || b[end - 1] !== 0x4c) return false
    end--
  }
  if (start < end && b[start] === 0x2d) start++
  if (start >= end) return false
  for (let i = start; i < end; i++) if ((b[i] as number) < 0x30 || (b[i] as number) > 0x39) return false
  return true
}
