// The fast path for what SocketHandler.makePickle actually sends: pickle protocol 1 of the record's dict,
//   EMPTY_DICT [PUT] MARK (key value)* SETITEMS STOP
// where each key is a str (BINUNICODE, or a memo GET of a str) and each value a str, a memo GET of a str, NONE,
// BININT/1/2, BINFLOAT, INT or LONG, or, for `extra`, a dict with str keys, a list or a tuple of such values in
// the batches CPython's pickler writes (each optionally memoized by BINPUT/LONG_BINPUT). It builds the dict
// straight from the bytes, without the strict decoder's stack and marks; for a connection, not even the dict: the
// record's fields and extras as toLogRecord would split it (record.ts recordOf); for a decode thread's line layout,
// not even those: only the fields the layout reads, its long texts left as spans (SpanFields). Anything else (a GET of a
// container, which would be shared; sets, bytes, classes; nesting past 32), including every error, returns null
// and the strict decoder (unpickle.ts) decides: so the fast path can only agree with it, never refuse what it takes.
// Budgets: no value is shared, so the expansion is ≤ 1 value per byte (64 Ki minimum) and the nesting ≤ 32
// (1000 allowed); the containers' heap is counted as the strict decoder counts it and the frame declined past the
// 1 MiB every frame may use. unpickle() takes this path only under the default limits (pickle-budget.ts), so a
// stricter limit still goes through the strict decoder and its checks.
import { pyFloat, PyTuple, type PyValue } from '../py-value.js'
import { DEFAULT_UNPICKLE_LIMITS, HEAP_COST } from './pickle-budget.js'
import { FIELD_COUNT, KEY_ROLES, newFieldValues, NOT_A_FIELD, READ, READ_TEXT, UNREAD, type FieldValues, type FrameFields } from '../record.js'
import { intLineValue, latin1, utf8 } from './pickle-scalars.js'

const EMPTY_DICT = 0x7d
const MARK = 0x28
const SETITEMS = 0x75
const STOP = 0x2e
const BINPUT = 0x71
const LONG_BINPUT = 0x72
const BINGET = 0x68
const LONG_BINGET = 0x6a
const BINUNICODE = 0x58
const NONE = 0x4e
const BININT = 0x4a
const BININT1 = 0x4b
const BININT2 = 0x4d
const BINFLOAT = 0x47
const INT = 0x49
const LONG = 0x4c
const SETITEM = 0x73
const EMPTY_LIST = 0x5d
const APPEND = 0x61
const APPENDS = 0x65
const EMPTY_TUPLE = 0x29
const TUPLE = 0x74
/** Containers nested deeper than this go to the strict decoder (whose limit is far above it). */
const MAX_NESTING = 32
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
const cachedBytes = new Uint8Array(CACHE_SLOTS * MAX_CACHED_BYTES)
const cachedView = new DataView(cachedBytes.buffer)
/** Each slot's byte length; -1 while empty. */
const cachedLengths = new Int32Array(CACHE_SLOTS).fill(-1)
const cachedTexts: string[] = new Array<string>(CACHE_SLOTS).fill('')
/** Each cached text's KEY_ROLES entry, for when it is a key. */
const cachedRoles: (number | undefined)[] = new Array<number | undefined>(CACHE_SLOTS).fill(undefined)
/**
 * The pickler memoizes every str it writes and writes a str object it meets again as a GET of it (`extra` values
 * that are one object, a dict key equal to an earlier interned str). The fast path remembers the short strs of
 * the current frame by memo index, valid while memoStamps[index] is the frame's stamp; a GET of anything else
 * (a container, which would be shared, or a str it did not keep) declines. Bounded: 4,096 texts of ≤ 64 units.
 * A GET is answered only by a PUT that comes before it in the bytes (memoPositions): the container readers read
 * one item ahead and step back when it is not theirs, and a PUT read ahead must not answer a GET that the second
 * pass meets before that PUT (`{… 'b': {}, GET 0, 'y', PUT 0 …}` read 'y' for the GET; found by review).
 */
const MEMO_SLOTS = 4096
const memoTexts: string[] = new Array<string>(MEMO_SLOTS).fill('')
const memoStamps = new Int32Array(MEMO_SLOTS)
/** Where in the buffer the PUT of each remembered text is. */
const memoPositions = new Int32Array(MEMO_SLOTS)
let frameStamp = 0
/** The frame being parsed, as a DataView of its ArrayBuffer, and where the frame starts in it. */
let frameView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
let frameBase = 0
/** Per item of a record's dict, the cache slot its key had in the frame before (-1: none). */
const KEY_GUESSES = 64
const keyGuesses = new Int32Array(KEY_GUESSES).fill(-1)
/** The cache slot text() last answered from or filled; -1 when the text was not cached (too long). */
let textSlot = -1

/** Not the fast path's shape (or not valid): the strict decoder decides. */
const NOT_FAST = null
/** What readValue gives back when the bytes are not of its grammar (null is Python's None). */
const DECLINE = Symbol('decline')
/** `=== DECLINE` made V8 call its generic StrictEqual on every value (a PyValue may be a string); the type test
 *  is inlined. Nothing but DECLINE is a symbol here. */
function declined(v: unknown): v is typeof DECLINE {
  return typeof v === 'symbol'
}
/** The parse's cursor: readValue and the container readers move it past what they read. */
let at = 0
/** What the strict decoder would charge its heap budget for the containers read so far. */
let heap = 0

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
  /** Allocated by the first extra: most records have none. */
  extra: Map<string, PyValue> | null = null
  put(key: string, role: number | undefined, value: PyValue): void {
    if (role === undefined) (this.extra ??= new Map()).set(key, value)
    else if (role !== NOT_A_FIELD) this.fields[role] = value
  }
}

/**
 * The fields of a frame for a line layout (FrameFields), by what the layout `uses` of each (record.ts): the texts
 * longer than the cache's that it writes (READ_TEXT) are left as spans of the frame, neither decoded nor checked
 * (the layout copies them when they are plain ASCII and declines otherwise); the fields it does not read (UNREAD)
 * and the extras' own texts and floats are only checked (an ASCII text is valid UTF-8; anything else is decoded);
 * the rest is decoded as fastRecordFields does. The frame is taken exactly when fastRecordFields takes it.
 * One object for every frame of a thread: `read` refills it.
 */
export class SpanFields implements DictSink, FrameFields {
  readonly values: FieldValues = newFieldValues()
  bytes: Uint8Array = new Uint8Array(0)
  view: DataView<ArrayBufferLike> = frameView
  viewBase = 0
  readonly starts = new Int32Array(FIELD_COUNT).fill(-1)
  readonly ends = new Int32Array(FIELD_COUNT)

  /** The fields the layout reads: the only ones kept, and so the only ones cleared before each frame. */
  private readonly used: Int32Array

  constructor(readonly uses: Uint8Array) {
    this.used = Int32Array.from(uses.keys()).filter((role) => uses[role] !== UNREAD)
  }

  /** A span was replaced by a later value of the same key: its bytes were never checked. */
  private spanReplaced = false

  /** Whether b[start, end) is a makePickle frame (as fastRecordFields), its fields now in this object. False also
   *  for a dict that repeats a key whose first value was left as a span (unchecked: the strict decoder decides). */
  read(b: Buffer, start: number, end: number): boolean {
    const { used, values, starts } = this
    for (let i = 0; i < used.length; i++) {
      values[used[i]!] = undefined
      starts[used[i]!] = -1
    }
    this.bytes = b
    this.spanReplaced = false
    if (!parse(b, start, end, this) || this.spanReplaced) return false
    this.view = frameView
    this.viewBase = frameBase
    return true
  }

  /** What the layout reads of the value of a key whose role is `role` (an extra's, or a non-field's: nothing). */
  useOf(role: number | undefined): number {
    return role === undefined || role < 0 ? UNREAD : this.uses[role]!
  }

  put(_key: string, role: number | undefined, value: PyValue): void {
    if (this.useOf(role) === UNREAD) return
    if (this.starts[role!]! >= 0) this.spanReplaced = true
    this.values[role!] = value
    this.starts[role!] = -1
  }

  span(role: number, start: number, end: number): void {
    if (this.starts[role]! >= 0) this.spanReplaced = true
    this.values[role] = undefined
    this.starts[role] = start
    this.ends[role] = end
  }
}

/** The record dict of a makePickle frame, exactly as unpickle() would build it; null when the frame is anything
 *  else (then the strict decoder must run). */
export function fastRecordDict(b: Buffer): Map<PyValue, PyValue> | null {
  const sink = new MapSink()
  return parse(b, 0, b.length, sink) ? sink.dict : NOT_FAST
}

/** The same frames as fastRecordDict, as toLogRecord would split that dict into fields and extras (recordOf). */
export function fastRecordFields(b: Buffer, start = 0, end = b.length): RecordFields | null {
  const sink = new RecordFields()
  return parse(b, start, end, sink) ? sink : NOT_FAST
}

/** The frame b[start, stop). Positions below are indices into b. */
function parse(b: Buffer, start: number, stop: number, sink: DictSink): boolean {
  const spans = sink instanceof SpanFields ? sink : null
  // The shortest frame of the shape is `}(u.`; the last byte must be STOP and the one before SETITEMS.
  if (start < 0 || stop > b.length || stop - start < 4 || b[start] !== EMPTY_DICT || b[stop - 1] !== STOP || b[stop - 2] !== SETITEMS) return false
  newFrame()
  viewFrame(b)
  // The record's own items are nearly all a str key and a str, None, small int or float value: those are read
  // here with a local cursor, the rest through readValue and its shared one (`at`). Keeping the cursor local in
  // this loop measured a fifth off the decoding of the bench's mix (1.63 → 1.31 µs a frame).
  let p = memoPut(b, start + 1, stop - 2, null)
  if (p < 0 || b[p] !== MARK) return false
  p++
  const end = stop - 2
  heap = HEAP_COST.map
  for (let item = 0; p < end; item++) {
    let key: string | null
    if (b[p] === BINUNICODE) {
      const textEnd = binUnicodeEnd(b, p, end)
      if (textEnd < 0) return false
      // The record's keys come in the same order frame after frame: the slot the item's key had last time is
      // compared first, without hashing the bytes.
      const guess = item < KEY_GUESSES ? (keyGuesses[item] as number) : -1
      const n = textEnd - p - 5
      if (guess >= 0 && cachedLengths[guess] === n && sameBytes(guess * MAX_CACHED_BYTES, b, p + 5, n)) {
        key = cachedTexts[guess] as string
        textSlot = guess
      } else {
        if ((key = text(b, p + 5, textEnd)) === null) return false
        if (item < KEY_GUESSES) keyGuesses[item] = textSlot
      }
      if ((p = memoPut(b, textEnd, end, key)) < 0) return false
    } else {
      at = p
      textSlot = -1 // a GET of a key answers from the memo, not the cache
      const read = readKey(b, end)
      if (declined(read)) return false
      key = read
      p = at
    }
    const role = textSlot >= 0 ? cachedRoles[textSlot] : KEY_ROLES.get(key)
    // What a line layout reads of this value (READ without one: decode it as always).
    const use = spans === null ? READ : spans.useOf(role)
    const op = b[p]
    let value: PyValue | typeof DECLINE
    if (op === NONE) {
      value = null
      p += 1
    } else if (op === BINUNICODE) {
      const textEnd = binUnicodeEnd(b, p, end)
      if (textEnd < 0) return false
      const spanned = use === READ_TEXT && textEnd - p - 5 > MAX_CACHED_BYTES
      if (spanned || (use === UNREAD && asciiOnly(p + 5, textEnd))) {
        // Left undecoded: for the layout to copy, or because nothing reads it. Memoized as nothing: a GET of it
        // declines the frame.
        if (spanned) spans!.span(role!, p + 5, textEnd)
        if ((p = memoPut(b, textEnd, end, null)) < 0) return false
        if (b[p] === BINPUT || b[p] === LONG_BINPUT) p = memoPut(b, p, end, null)
        if (p < 0) return false
        continue
      }
      if ((value = text(b, p + 5, textEnd)) === null || (p = memoPut(b, textEnd, end, value)) < 0) return false
    } else if (op === BININT1 && p + 2 <= end) {
      value = b[p + 1] as number
      p += 2
    } else if (op === BININT2 && p + 3 <= end) {
      value = (b[p + 1] as number) | ((b[p + 2] as number) << 8)
      p += 3
    } else if (op === BINFLOAT && p + 9 <= end) {
      // A float nothing reads is not made (relativeCreated, an extra's).
      value = use === UNREAD ? null : pyFloat(frameView.getFloat64(frameBase + p + 1, false))
      p += 9
    } else {
      // Everything else, and these when cut short (readValue declines them), at readValue's cursor.
      at = p
      value = readValue(b, end, 0)
      if (declined(value)) return false
      p = at
    }
    // The pickler memoizes no scalar, but a PUT after one is valid pickle (the strict decoder takes it); after a
    // str or container, readValue or the text's own memoPut has taken its PUT already and this is a second one.
    if (b[p] === BINPUT || b[p] === LONG_BINPUT) {
      p = memoPut(b, p, end, value)
      if (p < 0) return false
    }
    sink.put(key, role, value)
  }
  return p === end
}

/** Whether the frame's bytes [start, end) are all ASCII (so valid UTF-8): four at a time, the last word overlapping. */
function asciiOnly(start: number, end: number): boolean {
  const n = end - start
  const from = frameBase + start
  if (n < 4) {
    for (let i = 0; i < n; i++) if (frameView.getUint8(from + i) >= 0x80) return false
    return true
  }
  let any = 0
  const last = n - 4
  for (let i = 0; i < last; i += 4) any |= frameView.getInt32(from + i, true)
  return ((any | frameView.getInt32(from + last, true)) & 0x80808080) === 0
}

/** Where the text of the BINUNICODE at `p` ends, or -1 when the frame is cut short of it. */
function binUnicodeEnd(b: Buffer, p: number, end: number): number {
  if (p + 5 > end) return -1
  const length = u32(b, p + 1)
  return length > end - p - 5 ? -1 : p + 5 + length
}

/**
 * The value at `at`, which it moves past the value and its optional memo PUT; DECLINE when it is not of the
 * grammar. Scalars as makePickle writes them, and the containers an `extra` holds: dicts with str keys, lists
 * and tuples, filled in the batches CPython's pickler writes (MARK … SETITEMS/APPENDS, or one item and
 * SETITEM/APPEND). The strict decoder's stack machine gives these bytes the same meaning: a batch or a single
 * SETITEM/APPEND fills the container just below its items, which here is the one just read.
 */
function readValue(b: Buffer, end: number, depth: number): PyValue | typeof DECLINE {
  if (at >= end) return DECLINE
  const op = b[at] as number
  let pos = at + 1
  let value: PyValue | typeof DECLINE
  switch (op) {
    case BINUNICODE: {
      const textEnd = binUnicodeEnd(b, at, end)
      if (textEnd < 0) return DECLINE
      const decoded = text(b, at + 5, textEnd)
      if (decoded === null) return DECLINE
      value = decoded
      pos = textEnd
      break
    }
    case BINGET:
      if (pos + 1 > end) return DECLINE
      value = memoText(b[pos] as number, at)
      pos += 1
      break
    case LONG_BINGET:
      if (pos + 4 > end) return DECLINE
      value = memoText(u32(b, pos), at)
      pos += 4
      break
    case NONE:
      value = null
      break
    case BININT1:
      if (pos + 1 > end) return DECLINE
      value = b[pos] as number
      pos += 1
      break
    case BININT2:
      if (pos + 2 > end) return DECLINE
      value = (b[pos] as number) | ((b[pos + 1] as number) << 8)
      pos += 2
      break
    case BININT:
      if (pos + 4 > end) return DECLINE
      value = u32(b, pos) | 0
      pos += 4
      break
    case BINFLOAT:
      if (pos + 8 > end) return DECLINE
      value = pyFloat(frameView.getFloat64(frameBase + pos, false))
      pos += 8
      break
    case INT:
    case LONG: {
      const nl = newlineWithin(b, pos, Math.min(end, pos + MAX_INT_LINE + 1))
      if (nl < 0 || !plainInt(b, pos, nl, op === LONG)) return DECLINE
      value = plainIntValue(b, pos, nl, op === LONG)
      pos = nl + 1
      break
    }
    case EMPTY_DICT:
      return depth < MAX_NESTING && charge(HEAP_COST.map) && pastPut(b, pos, end, null) ? dictItems(b, end, depth + 1) : DECLINE
    case EMPTY_LIST:
      return depth < MAX_NESTING && charge(HEAP_COST.array) && pastPut(b, pos, end, null) ? listItems(b, end, depth + 1) : DECLINE
    case EMPTY_TUPLE:
      return charge(HEAP_COST.object) && pastPut(b, pos, end, null) ? new PyTuple([]) : DECLINE
    case MARK:
      at = pos
      return depth < MAX_NESTING ? tupleItems(b, end, depth + 1) : DECLINE
    default:
      return DECLINE
  }
  if (declined(value)) return DECLINE
  return pastPut(b, pos, end, value) ? value : DECLINE
}

/** Moves `at` past an optional memo PUT at `pos` of `value`; false when that is cut short. */
function pastPut(b: Buffer, pos: number, end: number, value: PyValue): boolean {
  at = memoPut(b, pos, end, value)
  return at >= 0
}

/** Charges a container as the strict decoder's budget does (pickle-budget.ts). The strict decoder never refuses
 *  a frame under its minimum heap; past that, it decides. */
function charge(cost: number): boolean {
  heap += cost
  return heap <= DEFAULT_UNPICKLE_LIMITS.minHeapBytes
}

/** A dict key: a str, written out or a memo GET of one. */
function readKey(b: Buffer, end: number): string | typeof DECLINE {
  const op = b[at]
  if (op !== BINUNICODE && op !== BINGET && op !== LONG_BINGET) return DECLINE
  const key = readValue(b, end, MAX_NESTING)
  return typeof key === 'string' ? key : DECLINE
}

/** The items of the dict whose EMPTY_DICT (and PUT) was just read. */
function dictItems(b: Buffer, end: number, depth: number): Map<PyValue, PyValue> | typeof DECLINE {
  const dict = new Map<PyValue, PyValue>()
  while (at < end) {
    if (b[at] === MARK) {
      at++
      while (at < end && b[at] !== SETITEMS) {
        const key = readKey(b, end)
        if (declined(key)) return DECLINE
        const value = readValue(b, end, depth)
        if (declined(value)) return DECLINE
        dict.set(key, value)
      }
      if (at >= end) return DECLINE
      at++
    } else {
      // One item and SETITEM, or what follows the dict: read an item, and go back if no SETITEM comes.
      const back = at
      const heapBack = heap
      const key = readKey(b, end)
      const value = declined(key) ? DECLINE : readValue(b, end, depth)
      if (declined(key) || declined(value) || at >= end || b[at] !== SETITEM) {
        at = back
        heap = heapBack
        return dict
      }
      at++
      dict.set(key, value)
    }
  }
  return dict
}

/** The items of the list whose EMPTY_LIST (and PUT) was just read. */
function listItems(b: Buffer, end: number, depth: number): PyValue[] | typeof DECLINE {
  const list: PyValue[] = []
  while (at < end) {
    if (b[at] === MARK) {
      at++
      while (at < end && b[at] !== APPENDS) {
        const value = readValue(b, end, depth)
        if (declined(value)) return DECLINE
        list.push(value)
      }
      if (at >= end) return DECLINE
      at++
    } else {
      const back = at
      const heapBack = heap
      const value = readValue(b, end, depth)
      if (declined(value) || at >= end || b[at] !== APPEND) {
        at = back
        heap = heapBack
        return list
      }
      at++
      list.push(value)
    }
  }
  return list
}

/** The items of the tuple whose MARK was just read, up to TUPLE (and its PUT). */
function tupleItems(b: Buffer, end: number, depth: number): PyTuple | typeof DECLINE {
  const items: PyValue[] = []
  while (at < end && b[at] !== TUPLE) {
    const value = readValue(b, end, depth)
    if (declined(value)) return DECLINE
    items.push(value)
  }
  if (at >= end || !charge(HEAP_COST.object)) return DECLINE
  const tuple = new PyTuple(items)
  return pastPut(b, at + 1, end, tuple) ? tuple : DECLINE
}

/** The first LF in b[from, to), or -1: a JS loop, as the lines are short (Buffer.indexOf is a native call). */
function newlineWithin(b: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === 0x0a) return i
  return -1
}

function u32(b: Buffer, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0
}

/** The strict decoder's text for these bytes (utf8 with surrogatepass), from the cache when they repeat. */
function text(b: Buffer, start: number, end: number): string | null {
  const n = end - start
  textSlot = -1
  if (n > MAX_CACHED_BYTES) return utf8(b, start, end, true)
  // Every byte counts: texts that differ in one character are common (module1.py, module2.py, Thread-7),
  // and a hash that skips it makes them evict each other. A collision only costs a miss: the bytes are
  // compared in full below. Four bytes at a time (the last word overlaps the one before when n is not a
  // multiple of 4): a third of the steps of a byte loop, for hashing and comparing alike.
  const from = frameBase + start
  let h = Math.imul(n, 0x9e3779b1)
  if (n >= 4) {
    const last = n - 4
    for (let i = 0; i < last; i += 4) h = Math.imul(h ^ frameView.getInt32(from + i, true), 0x01000193)
    h = Math.imul(h ^ frameView.getInt32(from + last, true), 0x01000193)
  } else {
    for (let i = start; i < end; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193)
  }
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1)
  if (cachedLengths[slot] === n && sameBytes(slot * MAX_CACHED_BYTES, b, start, n)) {
    textSlot = slot
    return cachedTexts[slot] as string
  }
  const decoded = utf8(b, start, end, true)
  if (decoded === null) return null
  cachedBytes.set(b.subarray(start, end), slot * MAX_CACHED_BYTES)
  cachedLengths[slot] = n
  cachedTexts[slot] = decoded
  cachedRoles[slot] = KEY_ROLES.get(decoded)
  textSlot = slot
  return decoded
}

/** Whether the cache's bytes at `cached` are the frame's n bytes at `start`. */
function sameBytes(cached: number, b: Buffer, start: number, n: number): boolean {
  if (n < 4) {
    for (let i = 0; i < n; i++) if (cachedBytes[cached + i] !== b[start + i]) return false
    return true
  }
  const from = frameBase + start
  const last = n - 4
  for (let i = 0; i < last; i += 4) if (cachedView.getInt32(cached + i, true) !== frameView.getInt32(from + i, true)) return false
  return cachedView.getInt32(cached + last, true) === frameView.getInt32(from + last, true)
}

/** The Buffer frameView and frameBase were last set for: frames of one read share it, so `buffer` (a native
 *  call) is asked once per read, not per frame. Sound because a Buffer's `buffer` and `byteOffset` never change,
 *  and only viewFrame sets frameView and frameBase. */
let viewedBuffer: Buffer | null = null

/** Points frameView at the frame's memory (a new DataView only when the frame is in another ArrayBuffer). */
function viewFrame(b: Buffer): void {
  if (b === viewedBuffer) return
  viewedBuffer = b
  if (b.buffer !== frameView.buffer) frameView = new DataView(b.buffer)
  frameBase = b.byteOffset
}

/** Past an optional BINPUT/LONG_BINPUT at `pos` memoizing `value` (the value just read); -1 when it is cut short. */
function memoPut(b: Buffer, pos: number, end: number, value: PyValue): number {
  const op = b[pos]
  let index: number
  let next: number
  if (op === BINPUT) {
    if (pos + 2 > end) return -1
    index = b[pos + 1] as number
    next = pos + 2
  } else if (op === LONG_BINPUT) {
    if (pos + 5 > end) return -1
    index = u32(b, pos + 1)
    next = pos + 5
  } else {
    return pos
  }
  if (index < MEMO_SLOTS) {
    if (typeof value === 'string' && value.length <= MAX_CACHED_BYTES) {
      memoTexts[index] = value
      memoStamps[index] = frameStamp
      memoPositions[index] = pos
    } else {
      memoStamps[index] = 0
    }
  }
  return next
}

/** The str this frame memoized at `index` by a PUT before `getAt` (the GET's position), or DECLINE for anything
 *  else (a container, a long str, nothing, a PUT only read ahead). */
function memoText(index: number, getAt: number): string | typeof DECLINE {
  return index < MEMO_SLOTS && memoStamps[index] === frameStamp && (memoPositions[index] as number) < getAt ? (memoTexts[index] as string) : DECLINE
}

/** Forgets the previous frame's memo (by a new stamp, not by clearing it). */
function newFrame(): void {
  if (++frameStamp === 0x3fffffff) {
    memoStamps.fill(0)
    frameStamp = 1
  }
}

/**
 * A plain int line's value (plainInt said it is one): up to 15 digits (always exact in a double, as intText's own
 * shortcut says) computed from the bytes, longer ones by intLineValue. An INT line of two characters worth 0 or 1
 * is a bool (`01`/`00` are how protocols 0 and 1 write True and False; `-0` is False too). DECLINE for any other
 * leading zero (`012` is C's octal 10 in an INT line and an error in a LONG one): the strict decoder decides.
 * A thread id arrives this way in every record.
 */
function plainIntValue(b: Buffer, start: number, end: number, long: boolean): number | bigint | boolean | typeof DECLINE {
  const lineEnd = end
  if (long) end--
  const negative = b[start] === 0x2d
  const from = negative ? start + 1 : start
  const digits = end - from
  if (!long && lineEnd - start === 2) {
    const last = b[start + 1]
    if (b[start] === 0x30 && (last === 0x30 || last === 0x31)) return last === 0x31
    if (negative && last === 0x30) return false
  }
  if (b[from] === 0x30 && digits > 1) return DECLINE
  if (digits > 15) return intLineValue(latin1(b, start, lineEnd), long)
  let v = 0
  for (let i = from; i < end; i++) v = v * 10 + ((b[i] as number) - 0x30)
  return negative ? -v + 0 : v // + 0: LONG's -0 is 0, as intText makes it
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
