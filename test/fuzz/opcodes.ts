// A pickle opcode scanner for the fuzzer: where each opcode of a (seed) pickle starts and where its argument
// and length field sit, so mutations can hit opcode boundaries and length fields instead of random bytes only.
// It reads as far as it can and stops at the first byte it cannot place (mutated input is half-garbage).

/** How an opcode's argument is laid out after the opcode byte. */
type ArgKind = 'none' | 'u8' | 'u16' | 'u32' | 'u64' | 'f64' | 'line' | 'lines2' | 'len8' | 'len32' | 'len64'

const ARGS = new Map<number, ArgKind>()
const set = (kind: ArgKind, ops: string): void => {
  for (const c of ops) ARGS.set(c.charCodeAt(0), kind)
}
set('none', '(.012N\x88\x89]lae)t\x85\x86\x87}dsu\x8f\x90\x91R\x81\x92bo\x93\x94Q\x97\x98')
set('u8', '\x80Khq\x82')
set('u16', 'M\x83')
set('u32', 'Jjr\x84')
set('f64', 'G')
set('u64', '\x95')
set('line', 'ILFSVgpP')
set('lines2', 'ci')
set('len8', 'U\x8cC\x8a')
set('len32', 'TXB\x8b')
set('len64', '\x8d\x8e\x96')

/** Every opcode the decoder knows (CPython's full set for protocols 0–5). */
export const OPCODES: readonly number[] = [...ARGS.keys()]

export interface Op {
  /** Offset of the opcode byte. */
  at: number
  op: number
  /** Offset just past the opcode and its argument. */
  end: number
  /** The length field of a length-prefixed opcode (LONG1/4, strings, bytes; FRAME's u64 counts too). */
  lengthField?: { at: number; bytes: 1 | 4 | 8 }
}

export function scanOps(p: Uint8Array): Op[] {
  const ops: Op[] = []
  let pos = 0
  while (pos < p.length) {
    const op = p[pos] as number
    const kind = ARGS.get(op)
    if (kind === undefined) break
    const at = pos
    pos++
    let lengthField: Op['lengthField']
    switch (kind) {
      case 'none': break
      case 'u8': pos += 1; break
      case 'u16': pos += 2; break
      case 'u32': pos += 4; break
      case 'f64': pos += 8; break
      case 'u64': lengthField = { at: pos, bytes: 8 }; pos += 8; break
      case 'line': pos = lineEnd(p, pos); break
      case 'lines2': pos = lineEnd(p, lineEnd(p, pos)); break
      case 'len8': lengthField = { at: pos, bytes: 1 }; pos += 1 + (p[pos] ?? 0); break
      case 'len32': lengthField = { at: pos, bytes: 4 }; pos += 4 + readLE(p, pos, 4); break
      case 'len64': lengthField = { at: pos, bytes: 8 }; pos += 8 + readLE(p, pos, 8); break
    }
    if (pos > p.length) break
    ops.push(lengthField === undefined ? { at, op, end: pos } : { at, op, end: pos, lengthField })
    if (op === 0x2e) break
  }
  return ops
}

function lineEnd(p: Uint8Array, from: number): number {
  const nl = p.indexOf(0x0a, from)
  return nl < 0 ? p.length + 1 : nl + 1
}

function readLE(p: Uint8Array, at: number, bytes: number): number {
  let v = 0
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (p[at + i] ?? 0)
  return v
}

export function writeLE(p: Uint8Array, at: number, bytes: number, value: bigint): void {
  let v = BigInt.asUintN(bytes * 8, value)
  for (let i = 0; i < bytes && at + i < p.length; i++) {
    p[at + i] = Number(v & 0xffn)
    v >>= 8n
  }
}
