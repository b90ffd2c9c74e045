// Generated pickle values for the fuzzer: random trees of the values a record can hold (ints of every size,
// floats incl. nan/inf/-0.0, text with astral characters, controls and lone surrogates, bytes, containers,
// calls of allow-listed and other classes), written as opcodes of all protocols, so the decoder's readers and
// the renderers (escaping, repr, JSON) see arbitrary content, not just the seeds' values.
import fc from 'fast-check'

const ASCII = (s: string): Uint8Array => Buffer.from(s, 'latin1')

/** UTF-8 as pickle writes str ('surrogatepass': a lone surrogate is its own 3-byte sequence). */
export function utf8SurrogatePass(s: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    let c = s.codePointAt(i) as number
    if (c > 0xffff) i++
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    c = 0
  }
  return Uint8Array.from(out)
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n >>> 0, true)
  return b
}

function longBytes(v: bigint): Uint8Array {
  const out: number[] = []
  let x = v
  while (true) {
    const byte = Number(BigInt.asUintN(8, x))
    out.push(byte)
    x >>= 8n
    if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) break
  }
  return Uint8Array.from(v === 0n ? [] : out)
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: fc.constantFrom('\n', '\r', '\t', '\x00', '\x1b', '\x7f', '\x85', '\u2028', '\u2029', '\ud800', '\udcff', '😀', 'é', '%', '(', 's', ' '), maxLength: 16 }),
)

const str: fc.Arbitrary<Uint8Array> = text.chain((s) => {
  const b = utf8SurrogatePass(s)
  return fc.constantFrom(
    Buffer.concat([Uint8Array.of(0x58), u32(b.length), b]), // BINUNICODE
    ...(b.length < 256 ? [Buffer.concat([Uint8Array.of(0x8c, b.length), b])] : []), // SHORT_BINUNICODE
    Buffer.concat([ASCII('V'), ASCII(rawUnicodeEscape(s)), ASCII('\n')]), // UNICODE (protocol 0)
  )
})

function rawUnicodeEscape(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    out += c < 0x100 && ch !== '\\' && ch !== '\n' && ch !== '\r' ? ch : c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0')
  }
  return out
}

const int: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.integer().map((n) => Buffer.concat([ASCII('J'), u32(n)])),
  fc.nat({ max: 255 }).map((n) => Uint8Array.of(0x4b, n)),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map((v) => {
    const b = longBytes(v)
    return Buffer.concat([Uint8Array.of(0x8a, b.length), b])
  }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((v) => ASCII(`L${v}L\n`)),
  fc.constantFrom(ASCII('I01\n'), ASCII('I00\n'), ASCII('I-0\n')),
)

const float: fc.Arbitrary<Uint8Array> = fc.double().chain((d) => {
  const b = Buffer.alloc(9)
  b[0] = 0x47
  b.writeDoubleBE(d, 1)
  const repr = Number.isNaN(d) ? 'nan' : d === Infinity ? 'inf' : d === -Infinity ? '-inf' : Object.is(d, -0) ? '-0.0' : String(d)
  return fc.constantFrom(b, ASCII(`F${repr}\n`))
})

const scalar: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(ASCII('N'), Uint8Array.of(0x88), Uint8Array.of(0x89)),
  int,
  float,
  str,
  fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.concat([Uint8Array.of(0x43, b.length), b])),
)

const CALLS = ['datetime\ndatetime', 'datetime\ndate', 'datetime\ntime', 'datetime\ntimedelta', 'decimal\nDecimal', 'builtins\nset', 'builtins\nfrozenset',
  'builtins\nbytes', '_codecs\nencode', 'collections\nOrderedDict', 'copyreg\n_reconstructor', 'os\nsystem', 'builtins\neval', 'app.models\nUser']

export const valueArb: fc.Arbitrary<Uint8Array> = fc.letrec<{ value: Uint8Array }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }).chain((items) =>
      fc.constantFrom(
        Buffer.concat([ASCII('('), ...items, ASCII('l')]),
        Buffer.concat([ASCII('('), ...items, ASCII('t')]),
        Buffer.concat([ASCII(']('), ...items, ASCII('e')]),
        Buffer.concat([Uint8Array.of(0x8f, 0x28), ...items, Uint8Array.of(0x90)]),
        Buffer.concat([ASCII('('), ...items, Uint8Array.of(0x91)]),
      ),
    ),
    fc.array(fc.tuple(fc.oneof(scalar, str), tie('value')), { maxLength: 4 }).map((pairs) => Buffer.concat([ASCII('}('), ...pairs.flat(), ASCII('u')])),
    fc.tuple(fc.constantFrom(...CALLS), fc.array(tie('value'), { maxLength: 3 })).map(([fn, args]) => Buffer.concat([ASCII(`c${fn}\n(`), ...args, ASCII('tR')])),
  ),
})).value
