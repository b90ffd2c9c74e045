// Records for the format tests, and the CPython side of the differential tests: the same records built
// with logging.makeLogRecord and formatted by the real logging.Formatter.
import { runPython } from '../../support/python.js'
import { PyFloat, PyTuple, type PyValue } from '../../../src/py-value.js'
import type { LogRecord } from '../../../src/record.js'

export function makeRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    name: 'app.db', msg: 'connected to %s', args: null, levelname: 'INFO', levelno: 20,
    pathname: '/srv/app/db.py', filename: 'db.py', module: 'db', lineno: 42, funcName: 'connect',
    created: 1764107385.896123, msecs: 896.0, relativeCreated: 1234.5678, thread: 140245487712064,
    threadName: 'MainThread', process: 4242, processName: 'MainProcess', taskName: null,
    exc_text: null, stack_info: null, client: '192.0.2.17', received: 1764107385.9, seq: 1,
    extra: new Map(), ...overrides,
  }
}

/** Encodes PyValues so python can rebuild them exactly (ints vs floats, tuples, dicts). */
export function toWire(v: PyValue): unknown {
  if (typeof v === 'bigint') return { i: v.toString() }
  // The decoder's model: an integral JS number is an int, a PyFloat or any other number a float.
  if (typeof v === 'number') return Number.isInteger(v) ? { i: String(v) } : { f: String(v) }
  if (v instanceof PyFloat) return { f: Object.is(v.value, -0) ? '-0.0' : String(v.value) }
  if (v instanceof PyTuple) return { t: v.items.map(toWire) }
  if (Array.isArray(v)) return { l: v.map(toWire) }
  if (v instanceof Map) return { d: [...v].map(([k, x]) => [toWire(k), toWire(x)]) }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  throw new TypeError('unsupported in tests')
}

export const PY_DECODE = `
import json, logging, sys, time
def dec(v):
    if isinstance(v, dict):
        if 'i' in v: return int(v['i'])
        if 'f' in v: return float(v['f'])
        if 't' in v: return tuple(dec(x) for x in v['t'])
        if 'l' in v: return [dec(x) for x in v['l']]
        if 'd' in v: return {dec(k): dec(x) for k, x in v['d']}
    return v
INT_FIELDS = ('levelno', 'lineno', 'thread', 'process')
def record(d):
    d = {k: dec(v) for k, v in d.items()}
    for k in INT_FIELDS:
        if d[k] is not None: d[k] = int(d[k])
    return logging.makeLogRecord(d)
`

/** Record fields that are Python floats whatever their value (LogRecord keeps them as plain JS numbers). */
const FLOAT_FIELDS = new Set(['created', 'msecs', 'relativeCreated', 'received'])

function recordToWire(r: LogRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) {
    if (k === 'extra' || k === 'seq') continue
    out[k] = toWire(FLOAT_FIELDS.has(k) ? new PyFloat(v as number) : (v as PyValue))
  }
  return out
}

export interface PyCase {
  fmt: string
  datefmt: string | null
  utc: boolean
}

/**
 * logging.Formatter(fmt, datefmt).format(record) for every case × record, in one python3 process;
 * null where CPython raises TypeError (a value that does not fit its conversion).
 */
export function pythonFormat(cases: readonly PyCase[], records: readonly LogRecord[], tz: string): Array<Array<string | null>> {
  const script = `${PY_DECODE}
data = json.load(sys.stdin)
records = [record(r) for r in data['records']]
def fmt(f, r):
    try: return f.format(r)
    except TypeError: return None  # e.g. %d of a None process id: we print str() instead
out = []
for c in data['cases']:
    f = logging.Formatter(c['fmt'], c['datefmt'])
    if c['utc']: f.converter = time.gmtime
    out.append([fmt(f, r) for r in records])
json.dump(out, sys.stdout)
`
  const input = JSON.stringify({ cases, records: records.map(recordToWire) })
  return JSON.parse(runPython(script, input, { ...process.env, TZ: tz }).toString('utf8')) as Array<Array<string | null>>
}
