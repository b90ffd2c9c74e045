// str() of pickled datetime, date, time and timedelta values, exactly as Python prints them, from their
// pickled state; anything we cannot render exactly (e.g. zoneinfo tzinfo) stays undefined → a placeholder.
import { PyBytes, PyObject, PyTuple, type PyValue } from '../py-value.js'
import { latin1Bytes, UTF8_ENCODER } from './pickle-scalars.js'

/** str() of a pickled datetime/date/time/timedelta, or undefined when it is not one we can render exactly. */
export function temporalText(kind: string, a: readonly PyValue[]): string | undefined {
  if (kind === 'timedelta') return a.length === 3 ? timedeltaText(a[0], a[1], a[2]) : undefined
  const s = stateBytes(a[0], kind === 'date' ? 4 : kind === 'time' ? 6 : 10)
  if (s === null || a.length > 2) return undefined
  const tz = a.length === 2 && a[1] !== null ? tzSuffix(a[1] as PyValue) : ''
  if (tz === undefined) return undefined
  const n = (i: number): number => s[i] as number
  if (kind === 'date' && s.length === 4) return dateText(n(0) * 256 + n(1), n(2), n(3))
  if (kind === 'time' && s.length === 6) return timeText(n(0) & 0x7f, n(1), n(2), (n(3) << 16) | (n(4) << 8) | n(5), tz)
  if (kind === 'datetime' && s.length === 10) {
    const date = dateText(n(0) * 256 + n(1), n(2) & 0x7f, n(3)) // bit 7 of month/hour is `fold`
    const time = timeText(n(4) & 0x7f, n(5), n(6), (n(7) << 16) | (n(8) << 8) | n(9), tz)
    return date !== undefined && time !== undefined ? `${date} ${time}` : undefined
  }
  return undefined
}

/** The state bytes: PyBytes (py3), or a Python 2 str we decoded as UTF-8 or latin-1 (re-encode the same way). */
export function stateBytes(v: PyValue | undefined, length: number): Uint8Array | null {
  if (v instanceof PyBytes) return v.bytes
  // Decoding never lengthens: a longer text cannot be the state (and must not be re-encoded per memo reference).
  if (typeof v !== 'string' || v.length > length) return null
  const l1 = v.length === length ? latin1Bytes(v) : null
  return l1 ?? UTF8_ENCODER.encode(v) // valid UTF-8 decoding always shortens multi-byte runs
}

export const p2 = (n: number): string => String(n).padStart(2, '0')

export function dateText(y: number, m: number, d: number): string | undefined {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31 ? `${String(y).padStart(4, '0')}-${p2(m)}-${p2(d)}` : undefined
}

export function timeText(h: number, m: number, s: number, us: number, tz: string): string | undefined {
  if (h > 23 || m > 59 || s > 59 || us > 999999) return undefined
  return `${p2(h)}:${p2(m)}:${p2(s)}${us ? '.' + String(us).padStart(6, '0') : ''}${tz}`
}

export function timedeltaText(days: PyValue | undefined, secs: PyValue | undefined, us: PyValue | undefined): string | undefined {
  if (!Number.isSafeInteger(days) || !Number.isSafeInteger(secs) || !Number.isSafeInteger(us)) return undefined
  const [d, s, u] = [days as number, secs as number, us as number]
  if (s < 0 || s >= 86400 || u < 0 || u > 999999 || Math.abs(d) > 999999999) return undefined
  const hms = `${Math.floor(s / 3600)}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}`
  return `${d ? `${d} day${Math.abs(d) === 1 ? '' : 's'}, ` : ''}${hms}${u ? '.' + String(u).padStart(6, '0') : ''}`
}

/** '+HH:MM' for a datetime.timezone tzinfo (Python's _format_offset); undefined for any other tzinfo. */
export function tzSuffix(tz: PyValue): string | undefined {
  if (!(tz instanceof PyObject) || tz.cls?.qualifiedName !== 'datetime.timezone' || !(tz.args instanceof PyTuple)) return undefined
  const off = tz.args.items[0]
  if (!(off instanceof PyObject) || off.cls?.qualifiedName !== 'datetime.timedelta' || !(off.args instanceof PyTuple)) return undefined
  const [d, s, u] = off.args.items
  if (!Number.isSafeInteger(d) || !Number.isSafeInteger(s) || !Number.isSafeInteger(u)) return undefined
  let total = ((d as number) * 86400 + (s as number)) * 1e6 + (u as number)
  if (Math.abs(total) >= 86400e6) return undefined
  const sign = total < 0 ? '-' : '+'
  total = Math.abs(total)
  const micro = total % 1e6
  const secs = Math.floor(total / 1e6)
  let out = `${sign}${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}`
  if (secs % 60 || micro) out += `:${p2(secs % 60)}${micro ? '.' + String(micro).padStart(6, '0') : ''}`
  return out
}
