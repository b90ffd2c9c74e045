// A strict, inert pickle decoder (protocols 0–5) for SocketHandler payloads: nothing is imported, resolved
// or called; every declared length is checked against the payload before use; budgets bound time and memory.
// Opcode semantics mirror CPython's Lib/pickle.py `_Unpickler` (3.11), including its mark "fence".
import { PyBytes, pyFloat, PyGlobal, PyObject, PySet, PyTuple, type PyValue } from '../py-value.js'
import { MAX_INT_BYTES, MAX_INT_DIGITS, escapeDecode, fail, floatText, intLineValue, latin1, longLE, over, py2Str, rawUnicodeEscape, utf8 } from './pickle-scalars.js'
import { Budget, DEFAULT_UNPICKLE_LIMITS, HEAP_COST, Meter, type UnpickleLimits } from './pickle-budget.js'
import { construct, distinctNaN, type Builder } from './pickle-classes.js'
import { fastRecordDict } from './pickle-fast.js'

export { DEFAULT_UNPICKLE_LIMITS, type UnpickleLimits }

const MAX_PROTOCOL = 5
const INT_CLASS = new PyGlobal('builtins', 'int')
/** Python 2 spellings that Python 3 still writes at protocol < 3: the common part of _compat_pickle's mapping. */
const PY2_MODULES = new Map([['__builtin__', 'builtins'], ['copy_reg', 'copyreg'], ['exceptions', 'builtins']])
const PY2_NAMES = new Map([['long', 'int'], ['unicode', 'str'], ['basestring', 'str'], ['unichr', 'chr'], ['xrange', 'range'], ['StandardError', 'Exception']])

/** Decodes a frame's payload: makePickle's usual shape by the fast path (pickle-fast.ts) under the default
 *  limits, everything else (and anything the fast path is unsure of) by the strict decoder. */
export function unpickle(payload: Uint8Array, limits?: Partial<UnpickleLimits>): PyValue {
  if (limits === undefined) {
    const fast = fastRecordDict(payload instanceof Buffer ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength))
    if (fast !== null) return fast
  }
  return unpickleStrict(payload, limits)
}

/** The strict decoder alone: what the fast path must agree with (the differential tests and the fuzzer). */
export function unpickleStrict(payload: Uint8Array, limits?: Partial<UnpickleLimits>): PyValue {
  const budget = new Budget(limits === undefined ? DEFAULT_UNPICKLE_LIMITS : { ...DEFAULT_UNPICKLE_LIMITS, ...limits }, payload.length)
  const decoder = new Decoder(payload, budget)
  const value = decoder.run()
  // Without a memo reference no value appears twice (the expansion is at most a value per byte, within budget),
  // and nesting deeper than maxDepth takes more bytes than that: most records need no measuring.
  const unmeasured = decoder.shared === null && payload.length <= budget.maxDepth && payload.length <= budget.maxExpanded
  if (!unmeasured) new Meter(budget, decoder.shared).size(value, 0)
  return value
}


class Decoder implements Builder {
  private pos = 0
  private readonly stack: PyValue[] = []
  private readonly marks: number[] = []
  /** Stack index of the innermost MARK: opcodes may not pop below it (CPython's Pdata fence). */
  private fence = 0
  /** Picklers number the memo 0, 1, 2…: an array is fastest; a hostile index only makes it sparse. */
  private readonly memo: PyValue[] = []
  private memoSize = 0
  private view: DataView | null = null
  private hashable: Set<object> | null = null
  /** Objects pushed by GET or DUP: the only ones that can appear twice in the result or close a cycle. */
  shared: Set<object> | null = null

  private readonly b: Buffer

  constructor(payload: Uint8Array, private readonly budget: Budget) {
    // A Buffer view (no copy) for its native latin-1 slicing of longer ASCII strings.
    this.b = payload instanceof Buffer ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  }

  run(): PyValue {
    const b = this.b
    const st = this.stack
    // Every opcode consumes at least one byte: the frame's length bounds the work.
    while (this.pos < b.length) {
      const op = b[this.pos++] as number
      switch (op) {
        case 0x80: if (this.u8() > MAX_PROTOCOL) fail('unsupported protocol'); break // PROTO
        case 0x95: if (this.u64() > b.length - this.pos) fail('truncated FRAME'); break // FRAME: checked, then ignored
        case 0x2e: return this.stop() // STOP
        case 0x28: this.mark(); break // MARK
        case 0x30: this.popOrMark(); break // POP
        case 0x31: this.stack.length = this.popMark(); break // POP_MARK: the items above the mark go too
        case 0x32: st.push(this.share(this.top())); break // DUP
        case 0x4e: st.push(null); break // NONE
        case 0x88: st.push(true); break // NEWTRUE
        case 0x89: st.push(false); break // NEWFALSE
        case 0x49: st.push(this.intLine(false)); break // INT
        case 0x4a: st.push(this.i32()); break // BININT
        case 0x4b: st.push(this.u8()); break // BININT1
        case 0x4d: st.push(this.u8() | (this.u8() << 8)); break // BININT2
        case 0x4c: st.push(this.intLine(true)); break // LONG
        case 0x8a: st.push(this.long(this.u8())); break // LONG1
        case 0x8b: st.push(this.long(this.i32())); break // LONG4
        case 0x46: st.push(pyFloat(floatText(this.ascii(this.line())))); break // FLOAT
        case 0x47: st.push(pyFloat((this.view ??= new DataView(b.buffer, b.byteOffset, b.byteLength)).getFloat64(this.skip(8), false))); break // BINFLOAT
        case 0x53: { const raw = escapeDecode(b, this.line(), this.pos - 1); st.push(py2Str(raw, 0, raw.length)); break } // STRING
        case 0x54: { const at = this.skip(this.i32()); st.push(py2Str(b, at, this.pos)); break } // BINSTRING
        case 0x55: { const at = this.skip(this.u8()); st.push(py2Str(b, at, this.pos)); break } // SHORT_BINSTRING
        case 0x56: st.push(rawUnicodeEscape(this.b, this.line(), this.pos - 1)); break // UNICODE
        case 0x58: st.push(this.utf8(this.u32())); break // BINUNICODE
        case 0x8c: st.push(this.utf8(this.u8())); break // SHORT_BINUNICODE
        case 0x8d: st.push(this.utf8(this.u64())); break // BINUNICODE8
        case 0x42: st.push(this.bytes(this.u32())); break // BINBYTES
        case 0x43: st.push(this.bytes(this.u8())); break // SHORT_BINBYTES
        case 0x8e: case 0x96: st.push(this.bytes(this.u64())); break // BINBYTES8, BYTEARRAY8
        case 0x5d: st.push(this.alloc([])); break // EMPTY_LIST
        case 0x6c: st.push(this.alloc(this.itemsAfterMark())); break // LIST
        case 0x61: this.extend(this.under(1), st.length - 1); break // APPEND
        case 0x65: { const from = this.popMark(); this.extend(this.under(st.length - from), from); break } // APPENDS
        case 0x29: st.push(this.alloc(new PyTuple([]))); break // EMPTY_TUPLE
        case 0x74: st.push(this.alloc(new PyTuple(this.itemsAfterMark()))); break // TUPLE
        case 0x85: st.push(this.alloc(new PyTuple([this.pop()]))); break // TUPLE1
        case 0x86: { const y = this.pop(); st.push(this.alloc(new PyTuple([this.pop(), y]))); break } // TUPLE2
        case 0x87: { const z = this.pop(); const y = this.pop(); st.push(this.alloc(new PyTuple([this.pop(), y, z]))); break } // TUPLE3
        case 0x7d: st.push(this.alloc(new Map())); break // EMPTY_DICT
        case 0x64: { const d = this.alloc(new Map<PyValue, PyValue>()); this.setItems(d, this.popMark()); st.push(d); break } // DICT
        case 0x73: this.setItems(this.under(2), st.length - 2); break // SETITEM
        case 0x75: { const from = this.popMark(); this.setItems(this.under(st.length - from), from); break } // SETITEMS
        case 0x8f: st.push(this.alloc(new PySet([], false))); break // EMPTY_SET
        case 0x90: { const from = this.popMark(); this.addItems(this.under(st.length - from), from); break } // ADDITEMS
        case 0x91: { const items = this.itemsAfterMark(); for (const x of items) this.checkHashable(x); st.push(this.alloc(new PySet(items, true))); break } // FROZENSET
        case 0x67: st.push(this.get(this.decimalIndex())); break // GET
        case 0x68: st.push(this.get(this.u8())); break // BINGET
        case 0x6a: st.push(this.get(this.u32())); break // LONG_BINGET
        case 0x70: this.put(this.decimalIndex()); break // PUT
        case 0x71: this.put(this.u8()); break // BINPUT
        case 0x72: this.put(this.u32()); break // LONG_BINPUT
        case 0x94: this.put(this.memoSize); break // MEMOIZE
        case 0x63: { const module = this.text(this.line()); st.push(this.global(module, this.text(this.line()))); break } // GLOBAL
        case 0x93: { const name = this.pop(); const module = this.pop(); if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings'); st.push(this.global(module, name)); break }
        case 0x52: { const args = this.pop(); st.push(construct(this.pop(), args, this)); break } // REDUCE
        case 0x81: { const args = this.pop(); st.push(this.newObj(this.pop(), args)); break } // NEWOBJ
        case 0x92: { this.pop(); const args = this.pop(); st.push(this.newObj(this.pop(), args)); break } // NEWOBJ_EX: kwargs dropped
        case 0x62: this.build(this.pop(), this.top()); break // BUILD
        case 0x6f: { const items = this.itemsAfterMark(); const cls = items.shift(); if (cls === undefined) fail('OBJ without a class'); st.push(construct(cls, this.alloc(new PyTuple(items)), this)); break } // OBJ
        case 0x69: { const cls = this.global(this.text(this.line()), this.text(this.line())); st.push(construct(cls, this.alloc(new PyTuple(this.itemsAfterMark())), this)); break } // INST
        case 0x50: case 0x51: fail('persistent ids are refused') // PERSID, BINPERSID
        case 0x82: case 0x83: case 0x84: fail('extension codes are refused') // EXT1/2/4
        case 0x97: fail('out-of-band buffers are refused') // NEXT_BUFFER
        // READONLY_BUFFER: CPython's load_readonly_buffer leaves a value that is read-only already as it is, and
        // bytes are (found by the fuzzer: `C\x02ab\x98` loads in CPython); only an out-of-band buffer needs more.
        case 0x98: if (!(this.top() instanceof PyBytes)) fail('READONLY_BUFFER on a value that is not bytes'); break
        default: fail(`unknown opcode 0x${op.toString(16)} at ${this.pos - 1}`)
      }
    }
    fail('no STOP before the end of the frame')
  }

  private stop(): PyValue {
    if (this.marks.length !== 0 || this.stack.length !== 1) fail('STOP with a MARK open or not exactly one value')
    if (this.pos !== this.b.length) fail('bytes after STOP')
    return this.stack[0] as PyValue
  }

  // --- reading bytes: every length is checked against what is left before it is used ---
  private skip(n: number): number {
    const at = this.pos
    if (n < 0 || n > this.b.length - at) fail(`truncated: ${n} bytes declared at ${at}, ${this.b.length - at} left`)
    this.pos = at + n
    return at
  }
  private u8(): number {
    return this.b[this.skip(1)] as number
  }
  private u32(): number {
    const p = this.skip(4)
    const b = this.b
    return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0
  }
  private i32(): number {
    return this.u32() | 0
  }
  /** An 8-byte length: anything ≥ 2^32 is beyond any frame, so it fails the bounds check. */
  private u64(): number {
    const lo = this.u32()
    return this.u32() === 0 ? lo : Infinity
  }
  /** Start of a `\n`-terminated argument; `this.pos` ends just past the newline. */
  private line(): number {
    const at = this.pos
    const nl = this.b.indexOf(0x0a, at)
    if (nl < 0) fail(`truncated: unterminated line at ${at}`)
    this.pos = nl + 1
    return at
  }
  private ascii(start: number): string {
    return latin1(this.b, start, this.pos - 1)
  }
  private text(start: number): string {
    return utf8(this.b, start, this.pos - 1, false) ?? fail('invalid UTF-8 in a GLOBAL/INST name')
  }
  private utf8(n: number): string {
    const at = this.skip(n)
    // pickle writes str with 'surrogatepass', so lone surrogates (surrogateescape'd file names) are valid.
    return utf8(this.b, at, at + n, true) ?? fail(`invalid UTF-8 at ${at}`)
  }
  private bytes(n: number): PyBytes {
    const at = this.skip(n)
    const copy = new Uint8Array(n) // a copy (Buffer#slice would be a view): framer frames may view a reused chunk
    copy.set(this.b.subarray(at, at + n))
    return this.alloc(new PyBytes(copy))
  }
  /**
   * LONG1/LONG4. Past 4300 digits Python itself will not print an int (sys.int_max_str_digits), and turning
   * one into digits costs quadratic time, so such an int stays a placeholder that says what it is.
   */
  private long(n: number): number | bigint | PyObject {
    const at = this.skip(n)
    const tooLong = (): PyObject => this.alloc(new PyObject(INT_CLASS, null, null, `<int with more than ${MAX_INT_DIGITS} digits>`))
    if (n > MAX_INT_BYTES) return tooLong()
    const v = longLE(this.b, at, n)
    // MAX_INT_BYTES is the byte count that can reach 4300 digits: a few of its ints have 4301.
    return typeof v === 'bigint' && n > MAX_INT_BYTES - 2 && (v < 0n ? -v : v).toString().length > MAX_INT_DIGITS ? tooLong() : v
  }
  private intLine(long: boolean): number | bigint | boolean {
    return intLineValue(this.ascii(this.line()), long)
  }
  private decimalIndex(): number {
    const s = this.ascii(this.line())
    if (!/^\d{1,10}$/.test(s)) fail(`bad memo index ${JSON.stringify(s.slice(0, 20))}`)
    return Number(s)
  }

  // --- the stack, marks and memo ---
  private pop(): PyValue {
    if (this.stack.length <= this.fence) fail('stack underflow')
    return this.stack.pop() as PyValue
  }
  private top(): PyValue {
    if (this.stack.length <= this.fence) fail('stack underflow')
    return this.stack[this.stack.length - 1] as PyValue
  }
  private mark(): void {
    if (this.marks.length >= this.budget.maxDepth) over(`more than ${this.budget.maxDepth} open MARKs`)
    this.marks.push(this.stack.length)
    this.fence = this.stack.length
  }
  private popMark(): number {
    const k = this.marks.pop()
    if (k === undefined) fail('no MARK to pop')
    this.fence = this.marks.length === 0 ? 0 : (this.marks[this.marks.length - 1] as number)
    return k
  }
  /** POP discards the MARK itself when its frame is empty: protocol 0 ends a recursive tuple that way. */
  private popOrMark(): void {
    if (this.stack.length > this.fence) this.stack.pop()
    else if (this.marks.length !== 0 && this.marks[this.marks.length - 1] === this.stack.length) this.popMark()
    else fail('stack underflow')
  }
  private itemsAfterMark(): PyValue[] {
    const k = this.popMark()
    return this.stack.splice(k)
  }
  private get(i: number): PyValue {
    const v = this.memo[i]
    if (v === undefined) fail(`memo has no entry ${i}`)
    return this.share(v)
  }
  private put(i: number): void {
    if (this.memo[i] === undefined) this.memoSize++
    this.memo[i] = this.top()
  }
  private share(v: PyValue): PyValue {
    if (typeof v === 'object' && v !== null) (this.shared ??= new Set()).add(v)
    return v
  }
  /** Charges the heap budget for a value being built (see HEAP_COST). */
  alloc<T extends object>(v: T, cost: number = v instanceof Map ? HEAP_COST.map : Array.isArray(v) ? HEAP_COST.array : HEAP_COST.object): T {
    this.budget.spend(cost, this.pos)
    return v
  }

  // --- containers: placeholders accept and drop items (a list/dict subclass's contents are not shown) ---
  // The items are moved straight off the stack (stack[from…]), then the stack is cut back to `from`.
  /** The container under the top `n` items of the current frame: APPEND(S)/SETITEM(S)/ADDITEMS's target. */
  private under(n: number): PyValue {
    const i = this.stack.length - 1 - n
    if (i < this.fence) fail('stack underflow')
    return this.stack[i] as PyValue
  }
  private extend(target: PyValue, from: number): void {
    const st = this.stack
    if (Array.isArray(target)) for (let i = from; i < st.length; i++) target.push(st[i] as PyValue)
    else if (!(target instanceof PyObject)) fail('APPEND to a non-list')
    st.length = from
  }
  private setItems(target: PyValue, from: number): void {
    const st = this.stack
    if ((st.length - from) % 2 !== 0) fail('odd number of dict items')
    if (target instanceof Map) {
      for (let i = from; i < st.length; i += 2) {
        const k = st[i] as PyValue
        this.checkHashable(k)
        target.set(distinctNaN(k), st[i + 1] as PyValue)
      }
    } else if (!(target instanceof PyObject)) fail('SETITEM on a non-dict')
    st.length = from
  }
  private addItems(target: PyValue, from: number): void {
    const st = this.stack
    if (target instanceof PySet && !target.frozen) {
      const set = target.items as PyValue[] // our own array: PySet's readonly is for consumers
      for (let i = from; i < st.length; i++) {
        this.checkHashable(st[i] as PyValue)
        set.push(st[i] as PyValue)
      }
    } else if (!(target instanceof PyObject)) fail('ADDITEMS on a non-set')
    st.length = from
  }
  /** Python refuses list/dict/set keys; a tuple or frozenset is hashable only if its items are. Each one is
   *  checked once per frame (remembered in `hashable`), so a key shared 10^10 ways costs no more than its nodes. */
  checkHashable(k: PyValue, depth = 0): void {
    if (typeof k !== 'object' || k === null) return
    if (Array.isArray(k) || k instanceof Map || (k instanceof PySet && !k.frozen)) fail('unhashable dict key or set item')
    if (!(k instanceof PyTuple || k instanceof PySet)) return
    const known = (this.hashable ??= new Set())
    if (known.has(k)) return
    if (depth >= this.budget.maxDepth) over(`key nested deeper than ${this.budget.maxDepth}`)
    for (const x of k.items) this.checkHashable(x, depth + 1)
    known.add(k)
  }

  // --- classes: names only, never resolved; a small allow-list gets a faithful value ---
  /** Spelled as Python 3 sees it: its Unpickler maps these Python 2 names (fix_imports). */
  private global(module: string, name: string): PyGlobal {
    const py3 = PY2_MODULES.get(module)
    return this.alloc(py3 === undefined ? new PyGlobal(module, name) : new PyGlobal(py3, PY2_NAMES.get(name) ?? name))
  }
  private build(state: PyValue, target: PyValue): void {
    if (target instanceof PyObject) target.state = state // just a value: `__proto__` in it stays a Map key
    else if (state !== null) fail('BUILD on a non-object')
  }
  private newObj(cls: PyValue, args: PyValue): PyObject {
    if (!(cls instanceof PyGlobal)) fail('NEWOBJ of a non-class')
    return this.alloc(new PyObject(cls, args))
  }
}


