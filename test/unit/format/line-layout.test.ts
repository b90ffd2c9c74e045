// The line layout (format/line-layout.ts) against the formatter it stands in for: a batch decoded with the layout
// gives exactly the bytes, line ends, levels and refusals of the same batch decoded record by record through
// createFormatter, for every format the layout compiles, on CPython's own makePickle frames of every field shape
// (non-ASCII, controls, TABs, long texts, None and missing fields, args, tracebacks, odd numbers), on their
// mutations (fast-check) and on the hostile frames. And the layout really takes the plain records: a layout that
// declined everything would pass the comparison and test nothing.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { createFormatter, type FormatOptions } from '../../../src/format/formatter.js'
import { compileLineLayout, DECLINED, type LineLayout } from '../../../src/format/line-layout.js'
import { decodeBatch, type BatchOutcome, type FrameBatch } from '../../../src/ingest/frame-batch.js'
import { SpanFields } from '../../../src/ingest/pickle-fast.js'
import { runPython } from '../../support/python.js'
import { hostileFramesScript } from '../../support/server.js'

const RECEIVED = 1_764_547_200.25

/** makePickle frames (no length prefix) of records with every kind of field value, from a fixed seed. */
const FRAMES_SCRIPT = String.raw`
import json, logging, logging.handlers, pickle, random, sys
random.seed(20261201)
h = logging.handlers.SocketHandler('localhost', None)
texts = ['app', 'billing.invoices', 'x' * 70, 'a\tb', 'line\nbreak', '\x1b[31mred', 'del\x7f', 'c1\x85', 'Überweisung',
         '日本語', 'emoji 🎉', 'sep\u2028x', 'lone \udcff', '', ' lead', 'trail ', '%s %d', '\tstarts with tab',
         'q"uote\\back', 'y' * 5000, 'long ascii message with words ' * 4]
out = []
def dict_of(r):
    # makePickle's own steps (3.11), so the dict can be changed before it is pickled.
    ei = r.exc_info
    if ei: h.format(r)
    d = dict(r.__dict__)
    d['msg'] = r.getMessage()
    d['args'] = None
    d['exc_info'] = None
    d.pop('message', None)
    return d
for i in range(2500):
    level = random.choice([logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL, 5, 45])
    msg = random.choice(texts)
    r = logging.LogRecord(random.choice(texts[:4] + ['root', 'svc.db']), level, random.choice(['/srv/app/mod.py', '/usr/lib/python3/dist-packages/some/deep/package/path/module_name.py', 'p\u00e9']), random.randint(0, 5000), msg, ('v', 1) if '%s' in msg else None, None, func=random.choice(['handler', 'f' * 80, '<module>']))
    if i % 17 == 0:
        try:
            1 / 0
        except ZeroDivisionError:
            r.exc_info = sys.exc_info()
    if i % 29 == 0: r.stack_info = 'Stack (most recent call last):\n  File "x"'
    d = dict_of(r)
    if i % 13 == 0: d['threadName'] = None
    if i % 19 == 0: d['processName'] = random.choice([None, 'Proc\tess', 'p' * 90])
    if i % 23 == 0: d['thread'] = 2 ** 64 - 5
    if i % 31 == 0: d['created'] = random.choice([0, 1.5e12, -1.25, 1e300, float('nan')])
    if i % 37 == 0: d['msecs'] = random.choice([999.9999, -3.0, 1234.5])
    if i % 41 == 0: d['lineno'] = 12.75
    if i % 43 == 0: d['levelname'] = random.choice([None, 'CUSTOM', 'WARN\nING', 7])
    if i % 47 == 0: d['levelno'] = random.choice(['x', 2.5, 2 ** 70])
    if i % 53 == 0: d['name'] = 12
    if i % 59 == 0: d['extra_field'] = {'k': [1, 2.5, None, 'v' * 100]}
    if i % 61 == 0:
        for key in random.sample(['name', 'msg', 'args', 'levelname', 'levelno', 'created', 'msecs', 'threadName', 'processName', 'funcName', 'pathname'], 3):
            d.pop(key, None)
    if i % 67 == 0: d['msg'] = None
    if i % 71 == 0: d['msg'], d['args'] = 'merged %s and %d', ('later', 3)
    if i % 73 == 0: d['exc_text'] = ''
    out.append(pickle.dumps(d, 1).hex())
json.dump(out, sys.stdout)
`

const FORMATS: Array<[string, FormatOptions]> = [
  ['the default', { style: 'text', format: '%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(message)s', datefmt: null, utc: false, escape: true }],
  ['the default, unescaped', { style: 'text', format: '%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(message)s', datefmt: null, utc: false, escape: false }],
  ['every field it renders, right-aligned and tab-separated', {
    style: 'text',
    format: '%(asctime)20s\t%(levelno)d %(levelno)4s %(lineno)-6d|%(thread)d|%(process)s|%(threadName)12s|%(processName)s|%(taskName)s|%(pathname)s:%(filename)s:%(module)s:%(funcName)-9s %(name)s %(msg)s ∎ %(message)s',
    datefmt: '%d/%b/%Y:%H:%M:%S %z',
    utc: true,
    escape: true,
  }],
  ['the message alone', { style: 'text', format: '', datefmt: null, utc: false, escape: true }],
  // Escaped, a line that would start with a TAB (fields before it came out empty) is written with \t.
  ['a TAB after fields that may be empty', { style: 'text', format: '%(message)s\t%(name)s|%(funcName)s\t%(levelname)s', datefmt: null, utc: false, escape: true }],
]

/** One read of frames back to back with their length prefixes, as the framer hands them to a batch. */
function batchOf(frames: Buffer[]): FrameBatch {
  const offsets: number[] = []
  let at = 0
  for (const f of frames) {
    offsets.push(at + 4, at + 4 + f.length)
    at += 4 + f.length
  }
  const bytes = new Uint8Array(at)
  at = 0
  for (const f of frames) {
    new DataView(bytes.buffer).setUint32(at, f.length)
    bytes.set(f, at + 4)
    at += 4 + f.length
  }
  return { bytes, offsets: Int32Array.from(offsets), peer: '192.0.2.7', received: RECEIVED }
}

/** What an outcome says, with the level names resolved (their order in levelNames may differ). */
function summary(outcome: BatchOutcome): unknown {
  return {
    text: Buffer.from(outcome.bytes).toString('latin1'),
    lineEnds: [...outcome.lineEnds],
    levelnos: [...outcome.levelnos].map((n, i) => (outcome.refused.some(([e]) => e === i) ? 0 : n)),
    levelnames: [...outcome.levelIndex].map((k, i) => (outcome.refused.some(([e]) => e === i) ? '' : outcome.levelNames[k])),
    refused: outcome.refused,
  }
}

function assertSame(frames: Buffer[], options: FormatOptions, layout: LineLayout): void {
  const format = createFormatter(options)
  const batch = batchOf(frames)
  assert.deepEqual(summary(decodeBatch(batch, format, undefined, layout)), summary(decodeBatch(batch, format)))
}

/** How many of `frames` the layout itself renders (the rest go to the formatter). */
function takenBy(layout: LineLayout, frames: Buffer[]): number {
  const spans = new SpanFields(layout.uses)
  const out = new Uint8Array(64 * 1024)
  return frames.filter((f) => spans.read(f, 0, f.length) && layout.render(spans, '192.0.2.7', RECEIVED, out, 0) !== DECLINED).length
}

describe('line layout', () => {
  let genuine: Buffer[] = []
  let hostile: Buffer[] = []
  const dir = mkdtempSync(path.join(tmpdir(), 'loggingserver-layout-'))

  before(() => {
    genuine = (JSON.parse(runPython(FRAMES_SCRIPT).toString('utf8')) as string[]).map((h) => Buffer.from(h, 'hex'))
    runPython(`import runpy, sys; sys.argv = ['make_frames.py', ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(hostileFramesScript())}, run_name='__main__')`)
    hostile = readdirSync(dir).filter((f) => f.endsWith('.frame')).sort().map((f) => readFileSync(path.join(dir, f)).subarray(4)).filter((f) => f.length > 0 && f.length <= 1_000_000)
    assert.ok(hostile.length > 10)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  for (const [name, options] of FORMATS) {
    it(`renders ${name} exactly as the formatter, and takes the plain records itself`, () => {
      const layout = compileLineLayout(options)
      assert.ok(layout !== null)
      for (let i = 0; i < genuine.length; i += 100) assertSame(genuine.slice(i, i + 100), options, layout)
      assertSame(hostile, options, layout)
      // About a third of the mix is plain ASCII with nothing to merge or append: the layout must take those.
      const taken = takenBy(layout, genuine)
      assert.ok(taken > genuine.length / 5 && taken < genuine.length, `layout took ${taken} of ${genuine.length}`)
    })
  }

  it('agrees with the formatter on every mutation of a genuine frame', () => {
    const options = FORMATS[0]![1]
    const layout = compileLineLayout(options)!
    const plain = genuine.filter((f) => takenBy(layout, [f]) === 1)
    const mutation = fc.record({
      frame: fc.nat(plain.length - 1),
      edits: fc.array(fc.record({ kind: fc.constantFrom('set', 'insert', 'delete'), at: fc.nat(), byte: fc.nat(255) }), { minLength: 1, maxLength: 4 }),
    })
    fc.assert(
      fc.property(mutation, ({ frame, edits }) => {
        const bytes = [...plain[frame]!]
        for (const { kind, at, byte } of edits) {
          const i = at % (bytes.length + 1)
          if (kind === 'set' && i < bytes.length) bytes[i] = byte
          else if (kind === 'insert') bytes.splice(i, 0, byte)
          else if (kind === 'delete' && bytes.length > 1) bytes.splice(i % bytes.length, 1)
        }
        assertSame([Buffer.from(bytes), plain[frame]!], options, layout)
      }),
      { numRuns: 3000, seed: 20261201 },
    )
  })

  it('leaves a dict that repeats a key of a long text to the strict decoder (the first value was never checked)', () => {
    const str = (t: string | Buffer): Buffer => {
      const bytes = typeof t === 'string' ? Buffer.from(t, 'utf8') : t
      const head = Buffer.alloc(5)
      head[0] = 0x58 // BINUNICODE
      head.writeUInt32LE(bytes.length, 1)
      return Buffer.concat([head, bytes])
    }
    const dict = (items: Array<[string, string | Buffer]>): Buffer => Buffer.concat([Buffer.from('}('), ...items.flatMap(([k, v]) => [str(k), str(v)]), Buffer.from('u.')])
    const invalid = Buffer.concat([Buffer.from([0xff]), Buffer.alloc(64, 0x61)])
    const frames = [
      dict([['msg', invalid], ['msg', 'hi'], ['levelname', 'INFO']]),
      dict([['msg', invalid], ['msg', 'x'.repeat(80)], ['levelname', 'INFO']]),
      dict([['msg', 'y'.repeat(80)], ['msg', 'hi'], ['levelname', 'INFO']]),
      dict([['name', 'n'.repeat(70)], ['msg', 'm'.repeat(70)], ['name', 'short'], ['levelname', 'INFO']]),
    ]
    for (const [, options] of FORMATS) assertSame(frames, options, compileLineLayout(options)!)
    const outcome = decodeBatch(batchOf(frames), createFormatter(FORMATS[0]![1]), undefined, compileLineLayout(FORMATS[0]![1]))
    assert.deepEqual(outcome.refused.map(([entry, code]) => [entry, code]), [[0, 'UNPICKLE_FAILED'], [1, 'UNPICKLE_FAILED']])
  })

  it('is made only for formats whose every field it can render', () => {
    const base = FORMATS[0]![1]
    for (const format of ['%(created)f %(message)s', '%(name).5s', '%(name)+5s', '%(name)05s', '%(exc_text)s', '%(args)s', '%(msecs)d', '%(relativeCreated)s', '%(levelname)r', '%(message)s\n%(name)s']) {
      assert.equal(compileLineLayout({ ...base, format }), null, format)
    }
    assert.equal(compileLineLayout({ ...base, style: 'json' }), null)
    // A literal TAB opening an escaped line is written as \t by the formatter: no layout; unescaped it is raw.
    assert.equal(compileLineLayout({ ...base, format: '\t%(message)s' }), null)
    // Half a surrogate pair in a literal: whether it is escaped depends on the whole line.
    assert.equal(compileLineLayout({ ...base, format: '\ud83d%(name)s\ude00' }), null)
    assert.ok(compileLineLayout({ ...base, format: '\t%(message)s', escape: false }) !== null)
    assert.ok(compileLineLayout({ ...base, format: '%(message)s' }) !== null)
  })
})
