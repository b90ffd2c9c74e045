// The decoder's budgets follow the frame: genuine CPython records with large extras decode, amplification
// (shared references, container floods) is refused, and every path is linear in its input.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FrameError } from '../../../src/errors.js'
import { unpickle } from '../../../src/ingest/unpickle.js'
import { PyBytes, pyRepr, PyTuple, type PyValue } from '../../../src/py-value.js'
import { runPython } from '../../support/python.js'
import { fastestRunMs } from '../../support/timing.js'

const GENUINE = String.raw`
import decimal, json, logging, logging.handlers, pickle, sys
handler = logging.handlers.SocketHandler('localhost', None)
def record(**extra):
    r = logging.LogRecord('app', logging.INFO, '/srv/app.py', 1, 'hello %s', ('world',), None)
    r.__dict__.update(extra)
    return handler.makePickle(r)[4:]
loop = [1]
loop.append(loop)
me = {'k': 1}
me['me'] = me
row = {'col%d' % i: i for i in range(30)}
wide = {'col%d' % i: i for i in range(200)}
inner = [1]
loop_tuple = (inner,)
inner.append(loop_tuple)
inner4 = [1]
loop_tuple4 = (inner4, 1, 2, 3)
inner4.append(loop_tuple4)
out = {
    'tuples': (record(pairs=[(i, 'x') for i in range(25000)]), 'pairs', 25000, None),
    'decimals': (record(prices=[decimal.Decimal(i) / 100 for i in range(20001)]), 'prices', 20001, None),
    'bytes': (record(blobs=[bytes([i % 256]) * 3 for i in range(21000)]), 'blobs', 21000, None),
    'self_list': (record(loop=loop), 'loop', 2, repr(loop)),
    'self_dict': (record(me=me), 'me', 2, repr(me)),
    'shared_rows': (record(rows=[row] * 20000), 'rows', 20000, None),
    'shared_wide_rows': (record(rows=[wide] * 3000), 'rows', 3000, None),
    'huge_int_protocol_4': (pickle.dumps({'n': 2 ** 20000, 'after': 1}, 4), 'n', -1, None),
    'int_of_4301_digits_protocol_4': (pickle.dumps({'n': -(10 ** 4300), 'after': 1}, 4), 'n', -1, None),
    'self_tuple_protocol_1': (record(loop=loop_tuple), 'loop', 1, repr(loop_tuple)),
    'self_tuple4_protocol_4': (pickle.dumps({'loop': loop_tuple4, 'after': 1}, 4), 'loop', 4, repr(loop_tuple4)),
    'dense_dicts': (pickle.dumps({'dicts': [{} for _ in range(400000)]}, 4), 'dicts', 400000, None),
}
json.dump({k: [p.hex(), key, n, r] for k, (p, key, n, r) in out.items()}, sys.stdout)
`

function bytes(...parts: (string | number[] | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))
}
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]

function refused(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof FrameError && e.code === code)
}

describe('budgets that follow the frame', () => {
  const genuine = JSON.parse(runPython(GENUINE).toString('utf8')) as Record<string, [string, string, number, string | null]>

  for (const [name, [hex, key, count, repr]] of Object.entries(genuine)) {
    it(`decodes a genuine CPython pickle: ${name} (${(hex.length / 2 / 1024).toFixed(0)} KiB)`, () => {
      const value = unpickle(Buffer.from(hex, 'hex'))
      assert.ok(value instanceof Map)
      const extra = value.get(key) as PyValue
      const length = extra instanceof Map ? extra.size : Array.isArray(extra) ? extra.length : extra instanceof PyTuple ? extra.items.length : -1
      assert.equal(length, count)
      if (repr !== null) assert.equal(pyRepr(extra), repr)
      if (name === 'huge_int_protocol_4' || name.startsWith('int_of_4301')) assert.equal(pyRepr(extra), '<int with more than 4300 digits>')
      if (name.startsWith('self_tuple4')) assert.deepEqual([...value.keys()], ['loop', 'after'], 'nothing left behind by POP_MARK')
    })
  }

  it('still refuses the billion laughs: expansion is measured against the frame', () => {
    // 10 levels of 10 references to the level below: 200 bytes, 10^10 values if expanded.
    let laughs = bytes('X', u32(3), 'lolq\x000')
    for (let i = 1; i <= 10; i++) laughs = bytes(laughs, '(', `h${String.fromCharCode(i - 1)}`.repeat(10), `lq${String.fromCharCode(i)}`, i < 10 ? '0' : '')
    refused(() => unpickle(bytes(laughs, '.')), 'PICKLE_BUDGET_EXCEEDED')
    assert.equal((unpickle(bytes(laughs.subarray(0, 35), '.')) as PyValue[]).length, 10)
  })

  it('charges a call for copying its argument, however often a memo reference hands it over', () => {
    // One 100 kB text (or 100k-item list) memoized, then given to 12,500 calls for 6–8 bytes each: unchecked,
    // 1.2 GB of copies from a 200 kB frame.
    const text = 'x'.repeat(100_000)
    const copies = (call: string): Buffer => bytes('\x80\x02', call, 'q\x000X', u32(text.length), text, 'q\x01X', u32(6), 'latin1q\x02](', 'h\x00h\x01h\x02\x86R'.repeat(12_500), 'e.')
    const nones = bytes('\x80\x02cbuiltins\nset\nq\x000](', 'N'.repeat(100_000), 'eq\x01](', 'h\x00h\x01\x85R0'.repeat(12_500), 'e.')
    for (const frame of [copies('c_codecs\nencode\n'), copies('cbuiltins\nbytes\n'), nones]) {
      const ms = fastestRunMs(200, () => refused(() => unpickle(frame), 'PICKLE_BUDGET_EXCEEDED'))
      assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`)
    }
    const once = bytes('\x80\x02c_codecs\nencode\nX', u32(text.length), text, 'X', u32(6), 'latin1\x86R.')
    assert.equal((unpickle(once) as PyBytes).bytes.length, text.length, 'one such call is fine')
  })

  it('refuses a flood of 1-byte dicts early, before it has cost much heap or time', () => {
    const flood = bytes('(', '}'.repeat(1 << 20), 'l.')
    const ms = fastestRunMs(100, () => refused(() => unpickle(flood), 'PICKLE_BUDGET_EXCEEDED'))
    assert.ok(ms < 100, `took ${ms.toFixed(1)} ms`)
  })
})

describe('linear time on adversarial text', () => {
  // 200 ns per byte: a linear path takes a few ms per MiB; the quadratic regexes took minutes.
  const MiB = 1 << 20
  const budgetMs = (n: number): number => (n * 200) / 1e6
  const digits = '1'.repeat(MiB)
  const cases: Record<string, Buffer> = {
    'FLOAT line': bytes('F', digits, 'x\n.'),
    'FLOAT line, fraction': bytes('F1.', digits, 'x\n.'),
    'INT line': bytes('I', digits, 'x\n.'),
    'LONG line': bytes('L', digits, 'xL\n.'),
    'GET index line': bytes('g', digits, 'x\n.'),
    'Decimal text': bytes('cdecimal\nDecimal\n(X', u32(MiB + 1), digits, 'xtR.'),
    'Decimal text, exponent': bytes('cdecimal\nDecimal\n(X', u32(MiB + 2), '1E', digits, 'tR.'),
    'STRING escapes': bytes("S'", '\\x41'.repeat(MiB / 4), "'\n."),
    'UNICODE backslash run': bytes('V', '\\'.repeat(MiB), 'u12\n.'),
    'BINUNICODE lone surrogates': bytes('X', u32(MiB), 'x\xed\xb2\x80'.repeat(MiB / 4), '.'),
    'BINUNICODE surrogate pairs': bytes('X', u32(6 * Math.floor(MiB / 6)), '\xed\xa0\xbd\xed\xb8\x80'.repeat(Math.floor(MiB / 6)), '.'),
    'UNICODE surrogate escapes': bytes('V', '\\ud83d\\ude00'.repeat(MiB / 12), '\n.'),
  }
  for (const [name, frame] of Object.entries(cases)) {
    it(`${name}: 1 MiB within ${budgetMs(frame.length).toFixed(0)} ms`, () => {
      let outcome = 'decoded'
      const ms = fastestRunMs(budgetMs(frame.length), () => {
        try {
          unpickle(frame)
        } catch (e) {
          assert.ok(e instanceof FrameError, String(e))
          outcome = e.message
        }
      })
      assert.ok(ms < budgetMs(frame.length), `${name} took ${ms.toFixed(1)} ms (${outcome})`)
      if (name.includes('surrogate')) assert.equal(outcome, 'decoded', 'a genuine string of lone surrogates')
    })
  }
})
