// `%(asctime)s` exactly as CPython's Formatter.formatTime prints it: time.strftime(datefmt, converter(created))
// with glibc's strftime in the C locale, or the default '%Y-%m-%d %H:%M:%S' + ',%03d' % msecs.
import { floatRepr } from '../py-value.js'
import type { LogRecord } from '../record.js'
import { intDigits } from './number-format.js'
import { zoneAbbreviation } from './time-zone.js'

export interface TimeOptions {
  /** None/'' means the default format with ",mmm" appended (Formatter.formatTime: `if datefmt:`). */
  datefmt: string | null
  /** Formatter.converter = time.gmtime instead of time.localtime. */
  utc: boolean
}

/** The broken-down time glibc's strftime reads (struct tm), for one whole second. */
export interface Tm {
  year: number
  /** 0–11 */
  month: number
  mday: number
  hour: number
  min: number
  sec: number
  /** 0 = Sunday */
  wday: number
  /** 0–365 */
  yday: number
  /** Seconds east of UTC. */
  gmtoff: number
  /** The epoch second this tm was made from. */
  epoch: number
  utc: boolean
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const CUMULATIVE_DAYS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
/** JS Dates stop at ±8.64e15 ms. */
const MAX_EPOCH_SECONDS = 8.64e12

/**
 * Returns `%(asctime)s` for a record. Results are cached per epoch second: records arrive in bursts
 * within one second, and everything but the ",mmm" suffix depends only on the second.
 */
export function createAsctime(options: TimeOptions): (r: LogRecord) => string {
  const asctime = createAsctimeOf(options)
  return (r) => asctime(r.created, r.msecs)
}

/** The part of asctime that depends on the second alone, as a line layout writes it next to the msecs. */
export interface SecondStamp {
  /** The second's text (the same string while the second lasts); null beyond a Date's range. */
  text(created: number): string | null
  /** The default datefmt: ",mmm" follows. */
  readonly withMsecs: boolean
}

export function createSecondStamp(options: TimeOptions): SecondStamp {
  const render = compileStrftime(options.datefmt || '%Y-%m-%d %H:%M:%S')
  let cachedSecond = NaN
  let cachedText = ''
  return {
    withMsecs: !options.datefmt,
    text(created) {
      // time.localtime(float) floors (_PyTime_ROUND_FLOOR), also for times before 1970.
      const second = Math.floor(created)
      if (!(Math.abs(second) <= MAX_EPOCH_SECONDS)) return null
      if (second !== cachedSecond) {
        cachedText = render(toTm(second, options.utc))
        cachedSecond = second
      }
      return cachedText
    },
  }
}

/** createAsctime's text from a record's `created` and `msecs` alone (a line layout has no LogRecord). */
export function createAsctimeOf(options: TimeOptions): (created: number, msecs: number) => string {
  const stamp = createSecondStamp(options)
  return (created, msecs) => {
    const cachedText = stamp.text(created)
    // Beyond a Date's range CPython's localtime() raises (or strftime prints years we cannot): the record
    // would be lost there; here it keeps its time as the float's repr, with no ",mmm" to suggest a date.
    if (cachedText === null) return floatRepr(created)
    if (!stamp.withMsecs) return cachedText
    // '%s,%03d' % (s, record.msecs): %d truncates the float msecs.
    const ms = Math.trunc(msecs)
    if (ms >= 0 && ms < 1000) return cachedText + (ms < 10 ? ',00' : ms < 100 ? ',0' : ',') + String(ms)
    return cachedText + ',' + (ms < 0 ? '-' + intDigits(ms, 10).padStart(2, '0') : intDigits(ms, 10))
  }
}

export function toTm(epoch: number, utc: boolean): Tm {
  const d = new Date(epoch * 1000)
  const year = utc ? d.getUTCFullYear() : d.getFullYear()
  const month = utc ? d.getUTCMonth() : d.getMonth()
  const mday = utc ? d.getUTCDate() : d.getDate()
  return {
    year,
    month,
    mday,
    hour: utc ? d.getUTCHours() : d.getHours(),
    min: utc ? d.getUTCMinutes() : d.getMinutes(),
    sec: utc ? d.getUTCSeconds() : d.getSeconds(),
    wday: utc ? d.getUTCDay() : d.getDay(),
    yday: (CUMULATIVE_DAYS[month] as number) + mday - 1 + (month > 1 && isLeap(year) ? 1 : 0),
    gmtoff: utc ? 0 : Math.round(-d.getTimezoneOffset() * 60),
    epoch,
    utc,
  }
}

type Piece = string | ((tm: Tm) => string)

/** Compile a strftime format once into literal pieces and directive renderers. */
export function compileStrftime(fmt: string): (tm: Tm) => string {
  const pieces: Piece[] = []
  let literal = ''
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') {
      literal += fmt[i]
      continue
    }
    // glibc: flags _ - 0 ^ #, then a width, then an E/O modifier (no-ops in the C locale).
    let j = i + 1
    let pad = ''
    let upper = false
    let swap = false
    for (; j < fmt.length; j++) {
      const c = fmt[j]
      if (c === '_' || c === '-' || c === '0') pad = c
      else if (c === '^') upper = true
      else if (c === '#') swap = true
      else break
    }
    let width = -1
    for (; j < fmt.length && fmt[j]! >= '0' && fmt[j]! <= '9'; j++) width = Math.min((width < 0 ? 0 : width) * 10 + Number(fmt[j]), 1024)
    if (fmt[j] === 'E' || fmt[j] === 'O') j++
    const directive = makeDirective(fmt[j] ?? '', pad, width, upper, swap)
    if (directive === undefined) {
      // Unknown conversion (e.g. %f, which time.strftime lacks) or a trailing '%': glibc copies it verbatim.
      literal += fmt.slice(i, j + 1)
    } else {
      if (literal !== '') pieces.push(literal)
      literal = ''
      pieces.push(directive)
    }
    i = j
  }
  if (literal !== '') pieces.push(literal)
  if (pieces.length === 1 && typeof pieces[0] === 'string') {
    const text = pieces[0]
    return () => text
  }
  return (tm) => {
    let out = ''
    for (const p of pieces) out += typeof p === 'string' ? p : p(tm)
    return out
  }
}

function makeDirective(c: string, pad: string, width: number, upper: boolean, swap: boolean): ((tm: Tm) => string) | undefined {
  const num = (digits: number, value: (tm: Tm) => number, spacePad = false) => (tm: Tm) =>
    padNumber(value(tm), digits, pad === '' ? (spacePad ? '_' : '0') : pad, width)
  const text = (value: (tm: Tm) => string, swapLower = false) => (tm: Tm) => {
    let s = value(tm)
    if (upper || (swap && !swapLower)) s = s.toUpperCase()
    else if (swap) s = s.toLowerCase()
    return width > s.length ? (pad === '0' ? '0' : ' ').repeat(width - s.length) + s : s
  }
  const sub = (f: string) => {
    const inner = compileStrftime(f)
    return text(inner)
  }
  switch (c) {
    case 'a': return text((tm) => DAYS[tm.wday]!.slice(0, 3))
    case 'A': return text((tm) => DAYS[tm.wday]!)
    case 'b':
    case 'h': return text((tm) => MONTHS[tm.month]!.slice(0, 3))
    case 'B': return text((tm) => MONTHS[tm.month]!)
    case 'c': return sub('%a %b %e %H:%M:%S %Y')
    case 'C': return num(2, (tm) => Math.floor(tm.year / 100))
    case 'd': return num(2, (tm) => tm.mday)
    case 'D': return sub('%m/%d/%y')
    case 'e': return num(2, (tm) => tm.mday, true)
    case 'F': return sub('%Y-%m-%d')
    case 'g': return num(2, (tm) => mod(isoWeek(tm)[0], 100))
    case 'G': return num(1, (tm) => isoWeek(tm)[0])
    case 'H': return num(2, (tm) => tm.hour)
    case 'I': return num(2, (tm) => hour12(tm))
    case 'j': return num(3, (tm) => tm.yday + 1)
    case 'k': return num(2, (tm) => tm.hour, true)
    case 'l': return num(2, (tm) => hour12(tm), true)
    case 'm': return num(2, (tm) => tm.month + 1)
    case 'M': return num(2, (tm) => tm.min)
    case 'n': return () => '\n'
    case 'p': return text((tm) => (tm.hour < 12 ? 'AM' : 'PM'), true)
    case 'P': return text((tm) => (tm.hour < 12 ? 'am' : 'pm'), true)
    case 'r': return sub('%I:%M:%S %p')
    case 'R': return sub('%H:%M')
    // For a gmtime struct glibc runs mktime() in the *local* zone; we print the true epoch second instead.
    case 's': return num(1, (tm) => tm.epoch)
    case 'S': return num(2, (tm) => tm.sec)
    case 't': return () => '\t'
    case 'T': return sub('%H:%M:%S')
    case 'u': return num(1, (tm) => (tm.wday === 0 ? 7 : tm.wday))
    case 'U': return num(2, (tm) => Math.floor((tm.yday - tm.wday + 7) / 7))
    case 'V': return num(2, (tm) => isoWeek(tm)[1])
    case 'w': return num(1, (tm) => tm.wday)
    case 'W': return num(2, (tm) => Math.floor((tm.yday - ((tm.wday + 6) % 7) + 7) / 7))
    case 'x': return sub('%m/%d/%y')
    case 'X': return sub('%H:%M:%S')
    case 'y': return num(2, (tm) => mod(tm.year, 100))
    case 'Y': return num(1, (tm) => tm.year)
    case 'z': return text((tm) => offset(tm.gmtoff))
    // '#' lowercases %Z (glibc's change_case for a name that is usually upper case).
    case 'Z': return text((tm) => (tm.utc ? 'GMT' : zoneAbbreviation(tm.epoch, tm.gmtoff)), true)
    case '%': return text(() => '%')
    default: return undefined
  }
}

function padNumber(n: number, digits: number, pad: string, width: number): string {
  const neg = n < 0
  let s = String(Math.abs(n))
  if (pad === '-') return (neg ? '-' : '') + s
  const len = Math.max(width, digits) - (neg ? 1 : 0)
  if (s.length < len) s = (pad === '_' ? ' ' : '0').repeat(len - s.length) + s
  return neg ? '-' + s : s
}

function hour12(tm: Tm): number {
  return tm.hour % 12 === 0 ? 12 : tm.hour % 12
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m
}

function offset(gmtoff: number): string {
  const a = Math.abs(gmtoff)
  const hhmm = Math.floor(a / 3600) * 100 + Math.floor((a % 3600) / 60)
  return (gmtoff < 0 ? '-' : '+') + String(hhmm).padStart(4, '0')
}

/** ISO 8601 [year, week] as glibc's %G/%V compute them (weeks start Monday; week 1 holds Jan 4). */
function isoWeek(tm: Tm): [number, number] {
  const weekday = (tm.wday + 6) % 7 // Monday = 0
  const thursdayYday = tm.yday - weekday + 3
  const daysInYear = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365)
  if (thursdayYday < 0) {
    const prev = tm.year - 1
    return [prev, Math.floor((thursdayYday + daysInYear(prev)) / 7) + 1]
  }
  if (thursdayYday >= daysInYear(tm.year)) return [tm.year + 1, 1]
  return [tm.year, Math.floor(thursdayYday / 7) + 1]
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
}
