// getMessage() of records that arrive with msg and args apart (pickle.dumps(record.__dict__), custom
// handlers), end to end: CPython pickles the record at protocols 0–5, our decoder reads it, and the merged
// message must equal CPython's own record.getMessage() (or msg + ' ' + repr(args) where that raises).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { getMessage } from '../../../src/format/message.js'
import { unpickle } from '../../../src/ingest/unpickle.js'
import { toLogRecord } from '../../../src/record.js'
import { runPython } from '../../support/python.js'

const SCRIPT = String.raw`
import datetime as dt, decimal, json, logging, pickle, sys
D = decimal.Decimal
tz = dt.timezone
CASES = [
    ('%s|%s|%r|%r', (1, 1.0, 1, 1.0)),
    ('%s %s %s %s %s', (1e16, -0.0, 2.5, 2**70, 1e300)),
    ('%x %o %c %X %#x %#o %5c|', (255, 8, 65, 3054, 255, 8, 0x1F600)),
    ('%d %i %d', (1.0, 3.7, -2.5)),
    ('%x', (1.0,)),
    ('%c', (65.0,)),
    ('%.2f %e %g', (1, 2, 3)),
    ('%s', ([1, 1.0, {'k': 2.0, 3: (4.0,)}, {5.0}],)),
    ('%(a)r %(b)s', {'a': 1.0, 'b': 2}),
    ('%s', 0.0),
    ('%s', 1.0),
    ('%s', 0),
    ('%r', dt.date(2026, 11, 30)),
    ('%r|%r|%r|%r', (dt.datetime(2026, 11, 30, 9, 0), dt.datetime(2026, 11, 30, 9, 0, 5), dt.datetime(2026, 1, 2, 3, 4, 5, 6), dt.datetime(5, 1, 1))),
    ('%r|%r|%r', (dt.datetime(2026, 11, 30, 9, 0, tzinfo=tz.utc), dt.datetime(2026, 11, 30, 9, 0, tzinfo=tz(dt.timedelta(hours=-5))), dt.datetime(2026, 10, 25, 2, 30, fold=1))),
    ('%r|%r', (dt.datetime(2026, 11, 30, tzinfo=tz(dt.timedelta(hours=1), 'CET')), dt.datetime(2026, 11, 30, tzinfo=tz(dt.timedelta(hours=5, minutes=30, seconds=7, microseconds=8))))),
    ('%r|%r|%r|%r', (dt.time(9, 0), dt.time(9, 0, 0, 1), dt.time(23, 59, 59, tzinfo=tz.utc), dt.time(1, 2, fold=1))),
    ('%r|%r|%r|%r|%r|%r', (dt.timedelta(0), dt.timedelta(days=1), dt.timedelta(seconds=-1), dt.timedelta(microseconds=5), dt.timedelta(days=2, seconds=3, microseconds=4), dt.timedelta(days=-999999999))),
    ('%r|%r|%r|%r|%r', (D('1.5'), D('-0'), D('NaN'), D('1E+3'), D('-Infinity'))),
    ('%s|%s|%s', (dt.date(2026, 11, 30), D('1.50'), dt.timedelta(hours=1))),
    ('%r', ([dt.date(2026, 1, 1), D('2')],)),
    ('%r', ('\u2028\x85\xa0\u200b\ue000\U000e0001\u0378\u3000\xad é😀\x00\x7f\t\n\\ \u0300',)),
    ('%r %r %r', ('\udcff', 'a\ud800b', 'quote\'s "both"')),
    ('%a', ('\u2028\xa0é😀\udcff',)),
    ('%r', ({'\x85': ['\u2029']},)),
]
out = []
def merged(r):
    try: return r.getMessage()
    except (TypeError, ValueError, KeyError, OverflowError): return str(r.msg) + ' ' + repr(r.args)
def received(payload):  # what the server gets: the record as pickle.loads rebuilds it (protocol < 4 drops fold)
    return logging.makeLogRecord(pickle.loads(payload))
for msg, args in CASES:
    r = logging.makeLogRecord({'name': 'app', 'msg': msg, 'args': args})
    for proto in range(6):
        payload = pickle.dumps(r.__dict__, proto)
        out.append({'case': repr((msg, args)) + ' protocol %d' % proto, 'hex': payload.hex(), 'want': merged(received(payload))})
for proto in range(6):
    none = logging.makeLogRecord({'msg': None})
    out.append({'case': 'msg=None protocol %d' % proto, 'hex': pickle.dumps(none.__dict__, proto).hex(), 'want': none.getMessage()})
    absent = logging.makeLogRecord({'name': 'x'})
    del absent.__dict__['msg']
    out.append({'case': 'no msg protocol %d' % proto, 'hex': pickle.dumps(absent.__dict__, proto).hex(), 'want': logging.makeLogRecord({}).getMessage()})
    noneargs = logging.makeLogRecord({'msg': None, 'args': (1,)})
    out.append({'case': 'msg=None with args protocol %d' % proto, 'hex': pickle.dumps(noneargs.__dict__, proto).hex(), 'want': merged(noneargs)})
json.dump(out, sys.stdout, ensure_ascii=True)
`

interface Case { case: string; hex: string; want: string }

describe('getMessage() of pickled records with msg and args (CPython oracle, protocols 0–5)', () => {
  const cases = JSON.parse(runPython(SCRIPT).toString('utf8')) as Case[]
  test('every case decodes and merges exactly as record.getMessage() does', () => {
    const failures: string[] = []
    for (const c of cases) {
      const record = toLogRecord(unpickle(Buffer.from(c.hex, 'hex')), '127.0.0.1', 1)
      const got = getMessage(record)
      if (got !== c.want) failures.push(`${c.case}\n    got  ${JSON.stringify(got)}\n    want ${JSON.stringify(c.want)}`)
    }
    assert.deepEqual(failures, [])
  })
})
