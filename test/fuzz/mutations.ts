// The fuzzer's mutations, as fast-check arbitraries: each mutation is plain data (kind + numbers), applied
// deterministically to a seed pickle, so fast-check can shrink a failing input to its smallest mutation list.
// Insertions land on opcode boundaries (found by scanOps) and most add a value as a new key of the record
// dict, so the decoder's budgets and the renderers see it, not just the opcode reader.
import fc from 'fast-check'
import { OPCODES, scanOps, writeLE, type Op } from './opcodes.js'
import { valueArb } from './values.js'

export const MUTATION_KINDS = [
  'bit-flip', 'truncate', 'outer-length', 'inner-length', 'opcode-swap', 'deep-nesting', 'memo-fanout',
  'huge-length', 'proto5-buffer', 'frame-lie', 'ext-code', 'persid', 'splice', 'random-value',
] as const
export type MutationKind = (typeof MUTATION_KINDS)[number]

export type Mutation =
  | { kind: 'bit-flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'outer-length'; how: 'short' | 'long' | 'zero' | 'beyond-64MiB' | 'over-max-frame' | 'any'; n: number }
  | { kind: 'inner-length'; which: number; value: bigint }
  | { kind: 'opcode-swap'; which: number; to: number }
  | { kind: 'deep-nesting'; where: number; depth: number; shape: 'list' | 'tuple' | 'dict' | 'marks' | 'appends' | 'frozenset' | 'tuple1' }
  | { kind: 'memo-fanout'; where: number; levels: number; fanout: number; put: 'BINPUT' | 'LONG_BINPUT' | 'PUT' | 'MEMOIZE' | 'DUP'; asKey: boolean }
  | { kind: 'huge-length'; where: number; op: number; length: bigint; tail: number }
  | { kind: 'proto5-buffer'; where: number; shape: 'next' | 'next-readonly' | 'readonly-bytes' | 'bytearray8'; length: bigint; actual: number }
  | { kind: 'frame-lie'; where: number; length: bigint; replaceFirst: boolean }
  | { kind: 'ext-code'; where: number; op: 0x82 | 0x83 | 0x84; code: number }
  | { kind: 'persid'; where: number; binary: boolean; id: string }
  | { kind: 'splice'; at: number; bytes: Uint8Array; overwrite: boolean }
  | { kind: 'random-value'; where: number; value: Uint8Array; asKey: boolean }

const where = fc.nat()
const lengthLie = fc.oneof(
  fc.constantFrom(0n, 1n, 255n, 256n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 2n ** 62n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 70_000n }),
)

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('bit-flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('outer-length' as const), how: fc.constantFrom('short', 'long', 'zero', 'beyond-64MiB', 'over-max-frame', 'any'), n: fc.nat() }),
  fc.record({ kind: fc.constant('inner-length' as const), which: fc.nat(), value: lengthLie }),
  fc.record({ kind: fc.constant('opcode-swap' as const), which: fc.nat(), to: fc.oneof(fc.constantFrom(...OPCODES), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('deep-nesting' as const), where, depth: fc.oneof(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 990, max: 1010 }), fc.integer({ min: 1, max: 20_000 })), shape: fc.constantFrom('list', 'tuple', 'dict', 'marks', 'appends', 'frozenset', 'tuple1') }),
  fc.record({ kind: fc.constant('memo-fanout' as const), where, levels: fc.integer({ min: 1, max: 14 }), fanout: fc.integer({ min: 1, max: 16 }), put: fc.constantFrom('BINPUT', 'LONG_BINPUT', 'PUT', 'MEMOIZE', 'DUP'), asKey: fc.boolean() }),
  fc.record({ kind: fc.constant('huge-length' as const), where, op: fc.constantFrom(0x58, 0x42, 0x54, 0x8b, 0x8d, 0x8e, 0x96, 0x8c, 0x43, 0x55, 0x8a), length: lengthLie, tail: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('proto5-buffer' as const), where, shape: fc.constantFrom('next', 'next-readonly', 'readonly-bytes', 'bytearray8'), length: lengthLie, actual: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('frame-lie' as const), where, length: lengthLie, replaceFirst: fc.boolean() }),
  fc.record({ kind: fc.constant('ext-code' as const), where, op: fc.constantFrom(0x82 as const, 0x83 as const, 0x84 as const), code: fc.integer({ min: -1, max: 0x7fffffff }) }),
  fc.record({ kind: fc.constant('persid' as const), where, binary: fc.boolean(), id: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }), overwrite: fc.boolean() }),
  fc.record({ kind: fc.constant('random-value' as const), where, value: valueArb, asKey: fc.boolean() }),
)

export interface FuzzInput {
  seed: number
  mutations: Mutation[]
  /** Where the stream is cut into reads (offsets, taken modulo its length), as TCP may deliver it. */
  cuts: number[]
}

export const fuzzInputArb = (seedCount: number): fc.Arbitrary<FuzzInput> =>
  fc.record({
    seed: fc.nat({ max: seedCount - 1 }),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 3 }),
  })

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1')
const cat = (...parts: (Uint8Array | string)[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : p)))
const u8 = (n: number): Uint8Array => Uint8Array.of(n & 0xff)
const le = (bytes: number, n: bigint): Uint8Array => {
  const b = new Uint8Array(bytes)
  writeLE(b, 0, bytes, n)
  return b
}
const key = (s: string): Uint8Array => cat('\x8c', u8(s.length), s)

/**
 * The byte stream a peer sends for one input: the mutated payload behind its 4-byte length prefix (itself
 * a lie when an outer-length mutation says so). `maxFrameBytes` is the framer's limit, for the oversize lie.
 */
export function buildStream(seedPayload: Uint8Array, mutations: readonly Mutation[], maxFrameBytes: number): Uint8Array {
  let p: Uint8Array = seedPayload
  let outer: Extract<Mutation, { kind: 'outer-length' }> | null = null
  for (const m of mutations) {
    if (m.kind === 'outer-length') outer = m
    else p = mutate(p, m)
  }
  let declared = p.length
  if (outer !== null) {
    const n = outer.n
    switch (outer.how) {
      case 'short': declared = p.length === 0 ? 0 : n % p.length; break
      case 'long': declared = p.length + 1 + (n % 1024); break
      case 'zero': declared = 0; break
      case 'beyond-64MiB': declared = 64 * 1024 * 1024 + 1 + (n % 1_000_000); break
      case 'over-max-frame': // sent in full, so the framer reads it past and the connection lives on
        declared = maxFrameBytes + 1 + (n % 256)
        p = cat(p, new Uint8Array(Math.max(0, declared - p.length)))
        break
      case 'any': declared = n >>> 0; break
    }
  }
  const header = new Uint8Array(4)
  new DataView(header.buffer).setUint32(0, declared >>> 0, false)
  return cat(header, p)
}

function mutate(p: Uint8Array, m: Mutation): Uint8Array {
  const ops = scanOps(p)
  switch (m.kind) {
    case 'bit-flip': {
      if (p.length === 0) return p
      const out = Uint8Array.from(p)
      const at = m.at % out.length
      out[at] = (out[at] as number) ^ m.mask
      return out
    }
    case 'truncate':
      return p.subarray(0, p.length === 0 ? 0 : m.at % p.length)
    case 'inner-length': {
      const sized = ops.filter((o) => o.lengthField !== undefined)
      const target = sized[m.which % Math.max(1, sized.length)]
      if (target === undefined) return p
      const out = Uint8Array.from(p)
      const f = target.lengthField!
      writeLE(out, f.at, f.bytes, m.value)
      return out
    }
    case 'opcode-swap': {
      const target = ops[m.which % Math.max(1, ops.length)]
      if (target === undefined) return p
      const out = Uint8Array.from(p)
      out[target.at] = m.to
      return out
    }
    case 'deep-nesting':
      return addValue(p, ops, m.where, nested(m.shape, m.depth))
    case 'memo-fanout':
      return addValue(p, ops, m.where, laughs(m, memoSizeBefore(p, ops, m.where)), m.asKey)
    case 'huge-length': {
      const width = m.op === 0x8c || m.op === 0x43 || m.op === 0x55 || m.op === 0x8a ? 1 : m.op === 0x8d || m.op === 0x8e || m.op === 0x96 ? 8 : 4
      return addValue(p, ops, m.where, cat(u8(m.op), le(width, m.length), new Uint8Array(m.tail).fill(0x61)))
    }
    case 'proto5-buffer': {
      const data = new Uint8Array(m.actual).fill(0x62)
      const value =
        m.shape === 'next' ? cat('\x97')
        : m.shape === 'next-readonly' ? cat('\x97\x98')
        : m.shape === 'readonly-bytes' ? cat('C', u8(data.length), data, '\x98')
        : cat('\x96', le(8, m.length % 2n === 0n ? BigInt(data.length) : m.length), data)
      return addValue(p, ops, m.where, value)
    }
    case 'frame-lie': {
      const first = ops.find((o) => o.op === 0x95)
      if (m.replaceFirst && first !== undefined) {
        const out = Uint8Array.from(p)
        writeLE(out, first.at + 1, 8, m.length)
        return out
      }
      return insertAt(p, boundary(ops, m.where, p.length), cat('\x95', le(8, m.length)))
    }
    case 'ext-code': {
      const width = m.op === 0x82 ? 1 : m.op === 0x83 ? 2 : 4
      return addValue(p, ops, m.where, cat(u8(m.op), le(width, BigInt(m.code))))
    }
    case 'persid':
      return addValue(p, ops, m.where, m.binary ? cat(key(m.id.slice(0, 100)), 'Q') : cat('P', Buffer.from(m.id.replaceAll('\n', ''), 'utf8'), '\n'))
    case 'splice': {
      const at = p.length === 0 ? 0 : m.at % (p.length + 1)
      if (!m.overwrite) return insertAt(p, at, m.bytes)
      const out = Uint8Array.from(p)
      out.set(m.bytes.subarray(0, Math.max(0, out.length - at)), at)
      return out
    }
    case 'random-value':
      return addValue(p, ops, m.where, m.value, m.asKey)
    case 'outer-length':
      return p
  }
}

function insertAt(p: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  return cat(p.subarray(0, at), bytes, p.subarray(at))
}

/** An opcode boundary (or the end), chosen by `n`. */
function boundary(ops: readonly Op[], n: number, length: number): number {
  return ops.length === 0 ? n % (length + 1) : (ops[n % ops.length] as Op).at
}

/**
 * Adds `value` to the record: as a new key of a dict just built (after an EMPTY_DICT or DICT opcode), so it
 * reaches the result; with no dict to hang it on, pushed and popped at an opcode boundary. `asKey` makes
 * the value the key instead (hashability is checked then).
 */
function addValue(p: Uint8Array, ops: readonly Op[], n: number, value: Uint8Array, asKey = false): Uint8Array {
  const dicts = ops.filter((o) => o.op === 0x7d || o.op === 0x64)
  if (dicts.length === 0) return insertAt(p, boundary(ops, n, p.length), cat(value, '0'))
  const after = (dicts[n % dicts.length] as Op).end
  return insertAt(p, after, asKey ? cat(value, 'N', 's') : cat(key(`fuzz${n % 1000}`), value, 's'))
}

function nested(shape: Extract<Mutation, { kind: 'deep-nesting' }>['shape'], depth: number): Uint8Array {
  switch (shape) {
    case 'list': return cat('('.repeat(depth), 'l'.repeat(depth))
    case 'tuple': return cat('('.repeat(depth), 't'.repeat(depth))
    case 'dict': return cat(']'.repeat(depth), 'a'.repeat(depth - 1)) // lists nested by APPEND
    case 'marks': return cat('('.repeat(depth), 'N', '1'.repeat(depth), 'N') // POP_MARK closes each, then a value
    case 'appends': return cat('}', '\x8c\x01k}'.repeat(depth), 's'.repeat(depth)) // dicts nested by SETITEM
    case 'frozenset': return cat('('.repeat(depth), '\x91'.repeat(depth))
    case 'tuple1': return cat('N', '\x85'.repeat(depth))
  }
}

/** Memo entries defined before the opcode chosen by `n`: MEMOIZE numbers them from there. */
function memoSizeBefore(p: Uint8Array, ops: readonly Op[], n: number): number {
  const dicts = ops.filter((o) => o.op === 0x7d || o.op === 0x64)
  const limit = dicts.length === 0 ? boundary(ops, n, p.length) : (dicts[n % dicts.length] as Op).end
  const seen = new Set<number>()
  let memoized = 0
  for (const o of ops) {
    if (o.at >= limit) break
    if (o.op === 0x94) memoized++
    else if (o.op === 0x71) seen.add(p[o.at + 1] as number)
    else if (o.op === 0x72) seen.add(new DataView(p.buffer, p.byteOffset + o.at + 1, 4).getUint32(0, true))
  }
  return seen.size + memoized
}

/** "Billion laughs": `levels` lists, each holding `fanout` references to the one before, via the memo or DUP. */
function laughs(m: Extract<Mutation, { kind: 'memo-fanout' }>, memoSize: number): Uint8Array {
  const parts: (Uint8Array | string)[] = ['\x8c\x03lol']
  let index = 0
  const put = (): void => {
    index = m.put === 'MEMOIZE' ? memoSize++ : m.put === 'BINPUT' ? 200 + (parts.length % 50) : 100_000 + parts.length
    if (m.put === 'MEMOIZE') parts.push('\x94')
    else if (m.put === 'BINPUT') parts.push('q', u8(index))
    else if (m.put === 'LONG_BINPUT') parts.push('r', le(4, BigInt(index)))
    else if (m.put === 'PUT') parts.push(`p${index}\n`)
  }
  const get = (): string | Uint8Array => (m.put === 'BINPUT' || m.put === 'MEMOIZE' ? (index < 256 ? cat('h', u8(index)) : cat('j', le(4, BigInt(index)))) : m.put === 'LONG_BINPUT' ? cat('j', le(4, BigInt(index))) : `g${index}\n`)
  const close = m.asKey ? 't' : 'l'
  // DUP copies the top of the stack: one MARK per level up front, then each level is the previous one and
  // its copies, closed into one container.
  if (m.put === 'DUP') return cat('('.repeat(m.levels), ...parts, ...Array.from({ length: m.levels }, () => '2'.repeat(m.fanout - 1) + close))
  // Each level lives on in the memo only: the next one refers to it there.
  const putThenPop = (): string[] => {
    put()
    return ['0']
  }
  parts.push(...putThenPop())
  for (let level = 0; level < m.levels; level++) {
    parts.push('(')
    for (let i = 0; i < m.fanout; i++) parts.push(get())
    parts.push(close)
    if (level < m.levels - 1) parts.push(...putThenPop())
  }
  return cat(...parts)
}
