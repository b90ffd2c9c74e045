// The few non-literal reprs common in log arguments whose str() differs from their repr(): the datetime family
// and Decimal. `log.info("due %s", date)` prints 2024-01-02, not datetime.date(2024, 1, 2), so these become
// the same inert PyObjects the pickle decoder makes (py-value renders both spellings). Anything else,
// including a datetime with a tzinfo, stays opaque text.
import { PyGlobal, PyObject, PyTuple } from '../py-value.js'

const DECIMAL = /^Decimal\('([+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:E[+-]?\d+)?|Infinity|s?NaN\d*))'\)$/
const TEMPORAL = /^datetime\.(date|datetime|time)\(([\d, ]{1,60})\)$/
const TIMEDELTA = /^datetime\.timedelta\((?:0|(?:days=(-?\d{1,9}))?(?:, )?(?:seconds=(\d{1,5}))?(?:, )?(?:microseconds=(\d{1,6}))?)\)$/

const p2 = (n: number): string => String(n).padStart(2, '0')

/** A PyObject with the str() CPython prints for `text`, or undefined when `text` is not one of these reprs. */
export function knownRepr(text: string): PyObject | undefined {
  const decimal = DECIMAL.exec(text)
  if (decimal) return new PyObject(new PyGlobal('decimal', 'Decimal'), null, null, decimal[1])
  const temporal = TEMPORAL.exec(text)
  if (temporal) {
    const kind = temporal[1]!
    const n = temporal[2]!.split(', ').map(Number)
    const str = kind === 'date' ? dateText(n) : kind === 'time' ? timeText(n) : datetimeText(n)
    return str === undefined ? undefined : new PyObject(new PyGlobal('datetime', kind), null, null, str)
  }
  const delta = TIMEDELTA.exec(text)
  if (delta) {
    const [d, s, us] = [Number(delta[1] ?? 0), Number(delta[2] ?? 0), Number(delta[3] ?? 0)]
    if (s >= 86400 || us > 999_999) return undefined
    const str = `${d ? `${d} day${Math.abs(d) === 1 ? '' : 's'}, ` : ''}${Math.floor(s / 3600)}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}${us ? '.' + String(us).padStart(6, '0') : ''}`
    return new PyObject(new PyGlobal('datetime', 'timedelta'), new PyTuple([d, s, us]), null, str)
  }
  return undefined
}

function dateText([y, m, d]: number[]): string | undefined {
  if (y === undefined || m === undefined || d === undefined) return undefined
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31 ? `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}` : undefined
}

/** repr writes hour and minute always, seconds when seconds or microseconds are set, microseconds when set. */
function timeText([h, m, s = 0, us = 0, ...rest]: number[]): string | undefined {
  if (h === undefined || m === undefined || rest.length > 0 || h > 23 || m > 59 || s > 59 || us > 999_999) return undefined
  return `${p2(h)}:${p2(m)}:${p2(s)}${us ? '.' + String(us).padStart(6, '0') : ''}`
}

function datetimeText(n: number[]): string | undefined {
  const date = dateText(n.slice(0, 3))
  const time = n.length >= 5 ? timeText(n.slice(3)) : undefined
  return date === undefined || time === undefined || n.length < 5 ? undefined : `${date} ${time}`
}
