// Specifies unpickle() against CPython itself (real SocketHandler pickles, protocols 0–5, compared with
// pickle.loads), hand-made Python 2 frames, pickleparser as a differential oracle, and every hostile frame.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Parser } from 'pickleparser'
import { FrameError } from '../../../src/errors.js'
import { DEFAULT_UNPICKLE_LIMITS, unpickle } from '../../../src/ingest/unpickle.js'
import { floatRepr, PyBytes, PyFloat, PyGlobal, PyObject, pyRepr, PySet, PyTuple, pyStr, type PyValue } from '../../../src/py-value.js'
import { runPython } from '../../support/python.js'
import { hostileFramesScript } from '../../support/server.js'
import { fastestRunMs } from '../../support/timing.js'


type Norm = null | boolean | string | Norm[] | { [kind: string]: Norm }

/** CPython's view of each case: the pickle bytes and norm(pickle.loads(bytes)), the same normal form as norm() below. */
const PY_CASES = String.raw`
import datetime, decimal, json, logging, logging.handlers, pickle, sys, zoneinfo
from collections import OrderedDict

class Widget:
    def __init__(self):
        self.size = 3
        self.label = 'knob'

def key(n): return json.dumps(n, separators=(',', ':'), ensure_ascii=False)
def norm(v):
    if v is None or isinstance(v, (bool, str)): return v
    if isinstance(v, int): return {'num': str(v)}
    if isinstance(v, float): return {'num': str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)}
    if isinstance(v, (bytes, bytearray)): return {'bytes': v.hex()}
    if isinstance(v, list): return [norm(x) for x in v]
    if isinstance(v, tuple): return {'tuple': [norm(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {'frozenset' if isinstance(v, frozenset) else 'set': sorted((norm(x) for x in v), key=key)}
    if isinstance(v, dict): return {'dict': [[norm(k), norm(x)] for k, x in v.items()]}
    if isinstance(v, type): return {'global': v.__module__ + '.' + v.__qualname__}
    if isinstance(v, (datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)):
        return {'obj': type(v).__module__ + '.' + type(v).__name__, 'str': str(v)}
    return {'obj': type(v).__module__ + '.' + type(v).__qualname__, 'state': norm(vars(v))}

def rec(msg='hello %s', args=('world',), exc_info=None, sinfo=None, **extra):
    r = logging.LogRecord('app.test', logging.ERROR if exc_info else logging.INFO, '/srv/app/mod.py', 12,
                          msg, args, exc_info, func='handler', sinfo=sinfo)
    r.__dict__.update(extra)
    return r

handler = logging.handlers.SocketHandler('localhost', None)
out = {}
def add(name, payload, oracle=True):
    out[name] = {'hex': payload.hex(), 'norm': norm(pickle.loads(payload)) if oracle else None}
def record(name, r): add(name, handler.makePickle(r)[4:])

record('plain', rec())
try:
    1 / 0
except ZeroDivisionError:
    record('exc_info', rec(exc_info=sys.exc_info()))
record('stack_info', rec(sinfo='Stack (most recent call last):\n  File "app.py", line 3, in <module>\n    main()'))
record('unicode', rec(msg='héllo wörld ✓ 🎉 %s', args=('ünï',)))
record('extras', rec(widget=Widget(), when=datetime.datetime(2026, 11, 25, 22, 49, 45, 896000), raw=b'\x00\xffbytes',
                     big=2**70, negbig=-2**70, tid=2**63 + 5, tags={'a', 'b'}, price=decimal.Decimal('1.10'),
                     nested={'l': [1, (2, 'three'), {'four': [5.5]}], 't': ()}, kind=int))
shared = ['shared', 1]
value = {
    'ints': [0, 1, -1, 255, 256, 65535, 65536, -128, -129, 2**31 - 1, -2**31, 2**31, -2**31 - 1,
             2**53 - 1, 2**53, -(2**53 - 1), -2**53, 2**63 + 5, 2**70, -2**70, 10**40],
    'floats': [0.5, -2.25, 1e300, 1.7641234567e9, float('inf'), float('-inf')],
    'bools': [True, False, None],
    'text': ['', 'ascii', 'café', '€ ✓ 🎉', 'back\\slash', 'new\nline', 'nul\x00', 'lone \udcff surrogate', 'é\udcff€\ud800', '\ufeffbom first', 'x' * 300],
    'bytes': [b'', b'\x00\x01\xfe\xff', bytearray(b'ba'), b'y' * 300],
    'containers': [[], (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), {}, {'k': [{'deep': ('t',)}]}, {(1, 'a'): 'tuple key'}],
    'sets': [set(), {1, 2}, frozenset(), frozenset({'x'})],
    'ordered': OrderedDict([('b', 1), ('a', 2)]),
    'shared': [shared, shared],
    'temporal': [datetime.datetime(2026, 11, 25, 22, 49, 45, 896000), datetime.datetime(5, 1, 2, 3, 4, 5),
                 datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
                 datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
                 datetime.date(2026, 11, 25), datetime.time(23, 59, 1, 500), datetime.time(1, 2),
                 datetime.timedelta(days=-1, seconds=5), datetime.timedelta(days=2, microseconds=7), datetime.timedelta()],
    'decimals': [decimal.Decimal('1.10'), decimal.Decimal('-0'), decimal.Decimal('1E+3'), decimal.Decimal('NaN')],
    'widget': Widget(),
    'classes': [int, OrderedDict],
}
for p in range(6):
    add('proto%d' % p, pickle.dumps(value, p))
plain = {'name': 'x', 'list': [1, -2, 300, 70000, -70000, 1.5, 'a', None, True], 'nested': {'k': ['v', (1, 2)]}}
for p in range(6):
    add('diff%d' % p, pickle.dumps(plain, p))
add('zoneinfo', pickle.dumps(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')), 1), oracle=False)
json.dump(out, sys.stdout)
`

const cases = JSON.parse(runPython(PY_CASES).toString('utf8')) as Record<string, { hex: string; norm: Norm }>
function pickleOf(name: string): Buffer {
  const c = cases[name]
  assert.ok(c, `no python case ${name}`)
  return Buffer.from(c.hex, 'hex')
}
function decode(name: string): PyValue {
  return unpickle(pickleOf(name))
}

/** The normal form the Python script prints; numbers compare by value since a float 5.0 arrives as 5. */
function norm(v: PyValue): Norm {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (typeof v === 'number') return { num: Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : floatRepr(v) }
  if (typeof v === 'bigint') return { num: String(v) }
  if (v instanceof PyFloat) return norm(v.value)
  if (v instanceof PyBytes) return { bytes: Buffer.from(v.bytes).toString('hex') }
  if (Array.isArray(v)) return v.map(norm)
  if (v instanceof PyTuple) return { tuple: v.items.map(norm) }
  if (v instanceof PySet) {
    const items = v.items.map(norm).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
    return v.frozen ? { frozenset: items } : { set: items }
  }
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [norm(k), norm(x)]) }
  if (v instanceof PyGlobal) return { global: v.qualifiedName }
  const cls = v.cls?.qualifiedName ?? '?'
  return v.text !== undefined ? { obj: cls, str: v.text } : { obj: cls, state: norm(v.state) }
}

function dict(v: PyValue): Map<PyValue, PyValue> {
  assert.ok(v instanceof Map, 'expected a dict')
  return v
}

/** Asserts `fn` throws a FrameError with `code` (not a RangeError, TypeError…). */
function throwsFrame(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FrameError, `expected FrameError, got ${String(e)}`)
    assert.equal(e.code, code)
    if (message) assert.match(e.message, message)
    return true
  })
}

/** Bytes from latin-1 strings and byte arrays, for hand-made frames. */
function bytes(...parts: (string | number[] | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))
}
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]

describe('unpickle()', () => {
  describe('CPython SocketHandler records', () => {
    for (const name of ['plain', 'exc_info', 'stack_info', 'unicode', 'extras']) {
      it(`decodes the ${name} record exactly as pickle.loads sees it`, () => {
        assert.deepEqual(norm(decode(name)), cases[name]?.norm)
      })
    }

    it('merges args into msg and keeps record fields typed', () => {
      const d = dict(decode('plain'))
      assert.equal(d.get('msg'), 'hello world')
      assert.equal(d.get('args'), null)
      assert.equal(d.get('levelno'), 20)
      assert.equal(typeof d.get('created'), 'number')
      assert.equal(typeof d.get('thread'), 'number')
    })

    it('keeps the formatted traceback and stack text', () => {
      assert.match(String(dict(decode('exc_info')).get('exc_text')), /ZeroDivisionError: division by zero$/)
      assert.match(String(dict(decode('stack_info')).get('stack_info')), /^Stack \(most recent call last\):\n/)
    })

    it('renders extras inertly: user classes as placeholders, the allow-list faithfully', () => {
      const d = dict(decode('extras'))
      const widget = d.get('widget')
      assert.ok(widget instanceof PyObject)
      assert.equal(widget.cls?.qualifiedName, '__main__.Widget')
      assert.equal(pyStr(widget), '<__main__.Widget>')
      assert.deepEqual(norm(widget.state), { dict: [['size', { num: '3' }], ['label', 'knob']] })
      assert.equal(pyStr(d.get('when') as PyValue), '2026-11-25 22:49:45.896000')
      assert.equal(pyStr(d.get('price') as PyValue), '1.10')
      assert.deepEqual(d.get('raw'), new PyBytes(Uint8Array.from([0, 0xff, ...Buffer.from('bytes')])))
      assert.equal(d.get('big'), 2n ** 70n)
      assert.equal(d.get('negbig'), -(2n ** 70n))
      assert.equal(d.get('tid'), 2n ** 63n + 5n)
      assert.ok(d.get('tags') instanceof PySet)
      assert.deepEqual(d.get('kind'), new PyGlobal('builtins', 'int'))
    })
  })

  describe('protocols 0–5', () => {
    for (let p = 0; p <= 5; p++) {
      it(`decodes a protocol ${p} pickle of every supported type as pickle.loads does`, () => {
        assert.deepEqual(norm(decode(`proto${p}`)), cases[`proto${p}`]?.norm)
      })
    }

    it('gives the same value for the same dict at every protocol', () => {
      const first = norm(decode('proto0'))
      for (let p = 1; p <= 5; p++) assert.deepEqual(norm(decode(`proto${p}`)), first, `protocol ${p}`)
    })

    it('returns ints as numbers when safe and as exact bigints beyond 2^53', () => {
      for (let p = 0; p <= 5; p++) {
        const ints = dict(decode(`proto${p}`)).get('ints') as PyValue[]
        assert.equal(ints[13], 2 ** 53 - 1)
        assert.equal(ints[14], 2n ** 53n)
        assert.equal(ints[15], -(2 ** 53 - 1))
        assert.equal(ints[16], -(2n ** 53n))
        assert.equal(ints[20], 10n ** 40n)
      }
    })

    it('keeps a shared list shared rather than copying it', () => {
      const shared = dict(decode('proto2')).get('shared') as PyValue[]
      assert.equal(shared[0], shared[1])
    })

    it('leaves a datetime with a non-fixed-offset tzinfo as a placeholder', () => {
      const v = decode('zoneinfo')
      assert.ok(v instanceof PyObject)
      assert.equal(v.text, undefined)
      assert.equal(pyStr(v), '<datetime.datetime>')
    })
  })

  describe('Python 2 frames (hand-made)', () => {
    it('decodes SHORT_BINSTRING keys, UTF-8 BINSTRING values and falls back to latin-1', () => {
      const frame = bytes('}q\x00(U\x04nameq\x01U\x03appU\x03msgT', u32(5), 'caf\xc3\xa9U\x03oldT', u32(4), 'caf\xe9u.')
      assert.deepEqual([...dict(unpickle(frame))], [['name', 'app'], ['msg', 'café'], ['old', 'café']])
    })

    it('reads protocol 0 text: INT booleans, INT/LONG beyond 2^53, escaped STRING, raw-unicode-escape UNICODE', () => {
      const frame = bytes("(lp0\nI01\naI00\naI140234567890123456\naL-123456789012345678901234567890L\naS'caf\\xc3\\xa9\\n'\naS'caf\\xe9'\naVcaf\xe9 \\u20ac\\U0001f389\naF1.5\na.")
      assert.deepEqual(unpickle(frame), [true, false, 140234567890123456n, -123456789012345678901234567890n, 'café\n', 'café', 'café €🎉', 1.5])
    })

    it('turns old-style instances (OBJ and INST) into placeholders with their state', () => {
      const obj = unpickle(bytes('(c__main__\nOld\nq\x01o}q\x02U\x01aK\x01sb.'))
      const inst = unpickle(bytes("(i__main__\nOld\np0\n(dp1\nS'a'\np2\nI1\nsb."))
      for (const v of [obj, inst]) {
        assert.ok(v instanceof PyObject)
        assert.equal(pyStr(v), '<__main__.Old>')
        assert.deepEqual([...dict(v.state)], [['a', 1]])
      }
    })

    it('renders a Python 2 datetime whose state arrives as a str', () => {
      const state = [0x07, 0xea, 0x0b, 0x19, 0x16, 0x31, 0x2d, 0x0d, 0xac, 0x00]
      assert.equal(pyStr(unpickle(bytes('cdatetime\ndatetime\nq\x01(U\x0a', state, 'tR.'))), '2026-11-25 22:49:45.896000')
      // These state bytes happen to be valid UTF-8 (C3 A9 is 'é'), so the str arrived 9 characters long.
      const utf8State = [0x07, 0x7f, 0x0b, 0x19, 0x16, 0x31, 0x2d, 0x00, 0xc3, 0xa9]
      assert.equal(pyStr(unpickle(bytes('cdatetime\ndatetime\nq\x01(U\x0a', utf8State, 'tR.'))), '1919-11-25 22:49:45.050089')
    })
  })

  describe('differential: pickleparser on frames both decode correctly', () => {
    const loose = (v: unknown): unknown =>
      v instanceof Map ? [...v].map(([k, x]) => [loose(k), loose(x)]) : v instanceof PyFloat ? v.value : v instanceof PyTuple ? v.items.map(loose) : Array.isArray(v) ? v.map(loose) : v
    const parser = new Parser({ unpicklingTypeOfDictionary: 'Map' })
    for (const name of ['plain', 'exc_info', 'unicode', 'diff0', 'diff1', 'diff2', 'diff3', 'diff4', 'diff5']) {
      it(`agrees with pickleparser on ${name}`, () => {
        const ours = loose(decode(name))
        assert.deepEqual(ours, loose(parser.parse(pickleOf(name))))
        assert.ok(Array.isArray(ours) && ours.length > 2, 'compared something non-trivial')
      })
    }
  })

  describe('refusals and budgets', () => {
    it('refuses a zero-length payload', () => throwsFrame(() => unpickle(new Uint8Array(0)), 'UNPICKLE_FAILED'))

    it('refuses every truncation of a valid record with UNPICKLE_FAILED', () => {
      for (const name of ['extras', 'proto5', 'proto0']) {
        const whole = pickleOf(name)
        for (let n = 0; n < whole.length; n++) throwsFrame(() => unpickle(whole.subarray(0, n)), 'UNPICKLE_FAILED')
        assert.ok(unpickle(whole) instanceof Map)
      }
    })

    it('refuses unknown opcodes, bytes after STOP and leftover stack items', () => {
      throwsFrame(() => unpickle(bytes('N\xff.')), 'UNPICKLE_FAILED', /unknown opcode 0xff/)
      throwsFrame(() => unpickle(bytes('N.N')), 'UNPICKLE_FAILED', /after STOP/)
      throwsFrame(() => unpickle(bytes('NN.')), 'UNPICKLE_FAILED')
      throwsFrame(() => unpickle(bytes('(N.')), 'UNPICKLE_FAILED')
    })

    it('refuses mark misuse and popping below a MARK', () => {
      throwsFrame(() => unpickle(bytes('Nt.')), 'UNPICKLE_FAILED', /MARK/)
      throwsFrame(() => unpickle(bytes(']K\x01(a.')), 'UNPICKLE_FAILED', /underflow/)
      throwsFrame(() => unpickle(bytes('1.')), 'UNPICKLE_FAILED')
      throwsFrame(() => unpickle(bytes('K\x01(\x851.')), 'UNPICKLE_FAILED', /underflow/) // TUPLE1 reaching below the MARK
      throwsFrame(() => unpickle(bytes('K\x01(q\x001.')), 'UNPICKLE_FAILED', /underflow/) // PUT of an item below the MARK
    })

    it('lets POP discard a MARK whose frame is empty, as protocol 0 does after a recursive tuple', () => {
      assert.equal(unpickle(bytes('(0K\x01.')), 1)
    })

    it('copies bytes out of the payload, which the framer may reuse', () => {
      const payload = bytes('C\x03abc.')
      const value = unpickle(payload)
      payload.fill(0)
      assert.deepEqual(value, new PyBytes(Uint8Array.from([0x61, 0x62, 0x63])))
    })

    it('bounds nesting built without MARKs, in values and in dict keys, without overflowing the JS stack', () => {
      const deep = 'N' + '\x85'.repeat(100_000)
      throwsFrame(() => unpickle(bytes(deep, '.')), 'PICKLE_BUDGET_EXCEEDED', /nested deeper/)
      throwsFrame(() => unpickle(bytes('}', deep, 'K\x01s.')), 'PICKLE_BUDGET_EXCEEDED', /key nested/)
      assert.ok(unpickle(bytes('}N\x85\x85K\x01s.')) instanceof Map)
    })

    it('refuses memo misses, persistent ids, extensions and out-of-band buffers', () => {
      throwsFrame(() => unpickle(bytes('h\x07.')), 'UNPICKLE_FAILED', /memo/)
      throwsFrame(() => unpickle(bytes('\x80\x02\x82\x01.')), 'UNPICKLE_FAILED', /extension/)
      throwsFrame(() => unpickle(bytes('Pid\n.')), 'UNPICKLE_FAILED', /persistent/)
      throwsFrame(() => unpickle(bytes('\x80\x05\x97.')), 'UNPICKLE_FAILED', /buffers/)
    })

    it('reads INT, LONG and FLOAT text as CPython does: whitespace, underscores, 0x/0o/0b (fuzz finding)', () => {
      const texts = ['I 7 \n', 'I0x1f\n', 'I-0X1F\n', 'I0o17\n', 'I0b101\n', 'I1_000\n', 'I0x_1f\n', 'I1__0\n', 'I_1\n', 'I- 5\n',
        'L10000000000000000000000000000000000\tL\n', 'L 12345678901234567890L\n', 'L0xffffffffffffffffffffL\n', 'L1_0L\n',
        'F 1.5\t\n', 'F1_0.5\n', 'F1_e5\n', 'F.5_0\n', 'F nan \n', 'F1e1_0\n']
      const frames = texts.map((t) => bytes(t, '.'))
      const verdicts = JSON.parse(runPython(String.raw`
import json, pickle, sys
out = []
for h in json.load(sys.stdin):
    try:
        v = pickle.loads(bytes.fromhex(h))
        out.append(repr(v) if isinstance(v, float) else str(v))
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`, JSON.stringify(frames.map((f) => f.toString('hex')))).toString()) as Array<string | null>
      frames.forEach((f, i) => {
        const want = verdicts[i]
        if (want === null) return throwsFrame(() => unpickle(f), 'UNPICKLE_FAILED')
        const v = unpickle(f)
        assert.equal(v instanceof PyFloat ? floatRepr(v.value) : typeof v === 'number' && texts[i]!.startsWith('F') ? floatRepr(v) : String(v), want, JSON.stringify(texts[i]))
      })
    })

    it('reads INT and LONG lines as CPython\'s C unpickler does: strtol first for INT (octal, bools), int(text, 0) for LONG', () => {
      // Curated lines, then random ones over the characters that matter (digits, signs, prefixes, underscores,
      // whitespace, NUL, L), each as an INT and as a LONG frame.
      const lines = ['012', '0012', '-012', '08', '07', '0_7', ' 1', '+1', '-0', '+0', '\t1', '0', '1', '-1', '00', '01', '1\r', '0x', ' 0x10',
        '0777777777777777777777777', '012345678901234567890', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
        '-9223372036854775809', '0x7fffffffffffffff', '0x8000000000000000', '01777777777777777777777', '02000000000000000000000', '0b101', '0o17',
        '12 ', '12\t', '1\x00', '12\x00junk', '1_0\x00x', '\x00', '0\x00', '00L', '01L', '012L', '-0L', '12 L', 'L', '1L', '0xL', '- 5', '+-1', '']
      let seed = 20261130
      const random = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n)
      const alphabet = '0000111789+-_xXoObB \t\x00L'
      for (let k = 0; k < 3000; k++) lines.push(Array.from({ length: 1 + random(8) }, () => alphabet[random(alphabet.length)]).join(''))
      const frames = lines.flatMap((t) => [bytes(`I${t}\n`, '.'), bytes(`L${t}\n`, '.')])
      const verdicts = JSON.parse(runPython(String.raw`
import json, pickle, sys
out = []
for h in json.load(sys.stdin):
    try:
        out.append(repr(pickle.loads(bytes.fromhex(h))))
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`, JSON.stringify(frames.map((f) => f.toString('hex')))).toString()) as Array<string | null>
      let errors = 0
      frames.forEach((f, i) => {
        const want = verdicts[i]
        const label = JSON.stringify(f.toString('latin1'))
        if (want === null) {
          errors++
          return throwsFrame(() => unpickle(f), 'UNPICKLE_FAILED')
        }
        const v = unpickle(f)
        assert.equal(typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v), want, label)
      })
      assert.ok(errors > 100 && errors < frames.length - 100, `${errors} of ${frames.length} refused: both outcomes are exercised`)
    })

    it('keeps every NaN key of a dict apart, as Python does (fuzz finding: a Map held one)', () => {
      const cases = JSON.parse(runPython(String.raw`
import json, pickle
from collections import OrderedDict
d = {float('nan'): 1, 2.5: 'x', float('nan'): 2, float('nan'): [3]}
print(json.dumps({'repr': repr(d), 'hex': [pickle.dumps(v, p).hex() for p in range(6) for v in (d, OrderedDict(d))]}))
`).toString()) as { repr: string; hex: string[] }
      assert.equal(cases.repr, "{nan: 1, 2.5: 'x', nan: 2, nan: [3]}")
      for (const hex of cases.hex) {
        const v = dict(unpickle(Buffer.from(hex, 'hex')))
        assert.equal(v.size, 4, hex)
        assert.equal(pyRepr(v), cases.repr, hex)
      }
    })

    it('accepts READONLY_BUFFER on bytes, as CPython does (fuzz finding), and refuses it on anything else', () => {
      // CPython's Unpickler accepts both frames below; none of its picklers writes them, but a peer may.
      const frames = [bytes('\x80\x05}\x8c\x03rawC\x02ab\x98s.'), bytes('\x80\x05}\x8c\x03raw\x96', [2, 0, 0, 0, 0, 0, 0, 0], 'ab\x98s.')]
      const verdicts = runPython('import pickle, sys\nfor h in sys.stdin.read().split(): pickle.loads(bytes.fromhex(h))\nprint("ok")', frames.map((f) => f.toString('hex')).join(' '))
      assert.equal(verdicts.toString().trim(), 'ok')
      for (const f of frames) assert.deepEqual((dict(unpickle(f)).get('raw') as PyBytes).bytes, Uint8Array.from([0x61, 0x62]))
      throwsFrame(() => unpickle(bytes('\x80\x05]\x98.')), 'UNPICKLE_FAILED', /READONLY_BUFFER/)
      throwsFrame(() => unpickle(bytes('\x80\x05\x98.')), 'UNPICKLE_FAILED', /underflow/)
    })

    it('reads LONG1/LONG4 as signed two’s complement', () => {
      assert.equal(unpickle(bytes('\x8a\x01\xff.')), -1)
      assert.equal(unpickle(bytes('\x8a\x02\x00\x80.')), -32768)
      assert.equal(unpickle(bytes('\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.')), -(2n ** 63n))
      assert.equal(unpickle(bytes('\x8b', u32(2), '\xff\x7f.')), 32767)
    })

    it('refuses unhashable dict keys and set items', () => {
      throwsFrame(() => unpickle(bytes('}]K\x01s.')), 'UNPICKLE_FAILED', /unhashable/)
      throwsFrame(() => unpickle(bytes('}]\x85K\x01s.')), 'UNPICKLE_FAILED', /unhashable/)
      throwsFrame(() => unpickle(bytes('(}\x91.')), 'UNPICKLE_FAILED', /unhashable/)
    })

    it('checks a shared tuple or frozenset key once per node, not once per path', () => {
      // 9 levels of 10 references: 10^9 paths (seconds if walked per path), well under 1 ms per node.
      for (const build of ['t', '\x91']) {
        let key = bytes('X', u32(1), 'aq\x000')
        for (let i = 1; i <= 9; i++) key = bytes(key, '(', `h${String.fromCharCode(i - 1)}`.repeat(10), build, `q${String.fromCharCode(i)}`, i < 9 ? '0' : '')
        const ms = fastestRunMs(250, () => throwsFrame(() => unpickle(bytes('}', key, 'K\x01s.')), 'PICKLE_BUDGET_EXCEEDED', /expands/))
        assert.ok(ms < 250, `took ${ms.toFixed(1)} ms`)
      }
    })

    it('enforces each budget, and the defaults admit a record', () => {
      const list = bytes(']q\x00(', 'K\x01'.repeat(20), 'e.')
      assert.equal((unpickle(list) as PyValue[]).length, 20)
      const tight = { minExpansion: 0, expansionPerByte: 0.1 }
      throwsFrame(() => unpickle(list, tight), 'PICKLE_BUDGET_EXCEEDED', /expands/)
      throwsFrame(() => unpickle(bytes('((((N')), 'UNPICKLE_FAILED', /no STOP/)
      throwsFrame(() => unpickle(bytes('((((N'), { maxDepth: 3 }), 'PICKLE_BUDGET_EXCEEDED', /MARK/)
      throwsFrame(() => unpickle(bytes(']]]aa.'), { maxDepth: 2 }), 'PICKLE_BUDGET_EXCEEDED', /nested/)
      throwsFrame(() => unpickle(bytes(']]]00.'), { minHeapBytes: 100, heapBytesPerByte: 1 }), 'PICKLE_BUDGET_EXCEEDED', /bytes of containers/)
      assert.ok(Object.isFrozen(DEFAULT_UNPICKLE_LIMITS))
      assert.ok(unpickle(pickleOf('extras')) instanceof Map)
    })

    it('counts shared references each time they appear (the billion laughs)', () => {
      // 10 levels of 10 references to the level below: 200 bytes, 10^10 leaves if expanded.
      let laughs = bytes('X', u32(3), 'lolq\x000')
      for (let i = 1; i <= 10; i++) laughs = bytes(laughs, '(', `h${String.fromCharCode(i - 1)}`.repeat(10), `lq${String.fromCharCode(i)}`, i < 10 ? '0' : '')
      throwsFrame(() => unpickle(bytes(laughs, '.')), 'PICKLE_BUDGET_EXCEEDED', /expands/)
      assert.equal((unpickle(bytes(laughs.subarray(0, 35), '.')) as PyValue[]).length, 10) // one level is fine
    })
  })

  describe('hostile frames (shared/hostile/make_frames.py)', () => {
    const script = hostileFramesScript()
    const canary = '/tmp/loggingserver-pwned'
    const dir = mkdtempSync(path.join(tmpdir(), 'unpickle-hostile-'))
    after(() => rmSync(dir, { recursive: true, force: true }))
    /** What our decoder does with each known case; a case added later must still return or throw a FrameError. */
    const expected: Record<string, 'ok' | 'UNPICKLE_FAILED' | 'PICKLE_BUDGET_EXCEEDED'> = {
      binbytes_negative_length: 'UNPICKLE_FAILED', binunicode_2gib_declared: 'UNPICKLE_FAILED',
      binbytes8_huge_declared: 'UNPICKLE_FAILED', long4_2gib_declared: 'UNPICKLE_FAILED',
      laughs_as_value: 'PICKLE_BUDGET_EXCEEDED', laughs_as_dict_key: 'UNPICKLE_FAILED',
      laughs_via_dict_opcode: 'UNPICKLE_FAILED', laughs_via_build: 'UNPICKLE_FAILED', proto_key_pollution: 'ok',
      build_proto_pollution: 'ok', nested_lists_100k: 'PICKLE_BUDGET_EXCEEDED', nested_append_100k: 'PICKLE_BUDGET_EXCEEDED',
      unclosed_marks_100k: 'PICKLE_BUDGET_EXCEEDED', appends_100k_items: 'ok', reduce_100k_args: 'ok',
      empty_dicts_1mib: 'PICKLE_BUDGET_EXCEEDED', reduce_os_system: 'ok', reduce_builtins_eval: 'ok', inst_subprocess: 'ok',
      obj_non_class: 'UNPICKLE_FAILED', not_a_dict: 'ok', stop_only: 'UNPICKLE_FAILED', pop_empty_stack: 'UNPICKLE_FAILED',
      record_with_laughs_extra: 'PICKLE_BUDGET_EXCEEDED', zero_length_frame: 'UNPICKLE_FAILED',
    }

    it('returns or throws a FrameError for every frame, quickly and in bounded memory, executing nothing', () => {
      rmSync(canary, { force: true })
      runPython(`import runpy, sys; sys.argv = ['make_frames.py', ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(script)}, run_name='__main__')`)
      setFlagsFromString('--expose-gc')
      const gc = runInNewContext('gc') as () => void
      const files = readdirSync(dir).filter((f) => f.endsWith('.frame')).sort()
      assert.ok(files.length >= Object.keys(expected).length, `only ${files.length} frames generated`)
      for (const file of files) {
        const name = file.replace(/\.frame$/, '')
        const payload = readFileSync(path.join(dir, file)).subarray(4)
        try {
          unpickle(payload) // once untimed: the bound is about the input, not about the JIT warming up
        } catch {
          // measured below
        }
        gc()
        const heapBefore = process.memoryUsage().heapUsed
        const start = performance.now()
        let outcome: string
        try {
          unpickle(payload)
          outcome = 'ok'
        } catch (e) {
          assert.ok(e instanceof FrameError, `${name}: threw ${String(e)}`)
          outcome = e.code
        }
        const firstMs = performance.now() - start
        const grewMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
        // The first timed run also gives the outcome and the heap; a slow one is timed again (support/timing.ts).
        const ms = firstMs < 200 ? firstMs : Math.min(firstMs, fastestRunMs(200, () => decodeQuietly(payload), 2))
        assert.ok(ms < 200, `${name} took ${ms.toFixed(1)} ms`)
        assert.ok(grewMiB < 64, `${name} grew the heap by ${grewMiB.toFixed(1)} MiB`)
        if (expected[name]) assert.equal(outcome, expected[name], name)
      }
      assert.equal(existsSync(canary), false, 'something executed the canary command')
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false)
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
    })

    it('keeps a __proto__ key as an ordinary Map entry', () => {
      const frame = bytes('}(X', u32(9), '__proto__}(X', u32(8), 'polluted', 'K\x01uX', u32(3), 'msgX', u32(2), 'hiu.')
      const d = dict(unpickle(frame))
      assert.deepEqual([...d.keys()], ['__proto__', 'msg'])
      assert.deepEqual([...dict(d.get('__proto__') as PyValue)], [['polluted', 1]])
      assert.equal(d.get('name'), undefined)
    })
  })
})

/** unpickle() for its time alone: the outcome was checked on the first run. */
function decodeQuietly(payload: Buffer): void {
  try {
    unpickle(payload)
  } catch {
    // a FrameError, as the first run showed
  }
}
