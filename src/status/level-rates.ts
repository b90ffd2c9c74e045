// Records per second by level over the last 15 minutes, for the status page's chart (issue 11 item 5).
// Counting is on the hot path (200k records/s): a fixed ring of one row per second and one column per level
// bucket, so a record costs an index and an increment; no Map, no allocation.
import { PAGE_LEVELS } from '../levels.js'

/** The chart's span: 15 minutes of whole seconds. */
export const RATE_WINDOW_SECONDS = 900
/**
 * Level numbers outside CPython's five (addLevelName's NOTICE = 25, TRACE = 5, NOTSET) get a column each, up
 * to this many at once; the level number comes from the wire, so a hostile client could mint thousands.
 * Past it they share one "other levels" column. A column whose last record left the window is reused.
 */
export const MAX_CUSTOM_LEVELS = 8
/** The "other levels" series' name (as in the statistics: a space, so no Python level can be called that). */
export const OTHER_LEVELS_NAME = 'other levels'
/** A custom level's name comes from the first record with its number; the chart has room for no more. */
const MAX_NAME_CHARS = 40

const STANDARD = PAGE_LEVELS.length
const OTHER = STANDARD + MAX_CUSTOM_LEVELS
const COLUMNS = OTHER + 1
/** The second under way, and the whole seconds of the window before it. */
const ROWS = RATE_WINDOW_SECONDS + 1
/** levelno → column for CPython's levels (10…50); -1 elsewhere. */
const STANDARD_COLUMN = new Int8Array(Math.max(...PAGE_LEVELS.map((l) => l.levelno)) + 1).fill(-1)
PAGE_LEVELS.forEach((l, i) => (STANDARD_COLUMN[l.levelno] = i))

/** What a record must have to be counted (a LogRecord has it). */
export interface RatedRecord {
  levelno: number
  levelname: string
  /** Server time, seconds since the epoch: the second it is counted in. */
  received: number
}

export interface LevelSeries {
  /** null for the "other levels" column. */
  levelno: number | null
  name: string
  /** Records per second, oldest first; the last is the window's `end`. */
  counts: number[]
}

export interface LevelRatesWindow {
  seconds: number
  /** The newest whole second (the one under way would always look low), seconds since the epoch. */
  end: number
  series: LevelSeries[]
}

export class LevelRates {
  /** RATE_WINDOW_SECONDS, for readers that know this class by its type only (the web room). */
  readonly windowSeconds = RATE_WINDOW_SECONDS
  private readonly counts = new Uint32Array(ROWS * COLUMNS)
  /** The newest second with a row: the ring holds `second - RATE_WINDOW_SECONDS … second`. */
  private second: number
  private readonly customLevelno = new Float64Array(MAX_CUSTOM_LEVELS)
  private readonly customName: string[] = Array.from({ length: MAX_CUSTOM_LEVELS }, () => '')
  /** The last second each custom column counted in; -Infinity while free. */
  private readonly customLast = new Float64Array(MAX_CUSTOM_LEVELS).fill(-Infinity)

  constructor(nowMs = Date.now()) {
    this.second = Math.floor(nowMs / 1000)
  }

  record(r: RatedRecord): void {
    const second = Math.floor(r.received)
    this.advance(second)
    // Older than the window: the clock stepped back (the server stamps `received`), so it counts as the newest.
    const at = second > this.second - ROWS && second <= this.second ? second : this.second
    this.counts[rowOf(at) + this.column(r.levelno, r.levelname)]!++
  }

  /** The last `seconds` whole seconds (1 … RATE_WINDOW_SECONDS): CPython's five levels always, others once seen. */
  window(seconds = RATE_WINDOW_SECONDS, nowMs = Date.now()): LevelRatesWindow {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > RATE_WINDOW_SECONDS) throw new RangeError(`invalid seconds: ${seconds}`)
    this.advance(Math.floor(nowMs / 1000))
    const end = this.second - 1
    const series: LevelSeries[] = []
    const seen = (column: number, levelno: number | null, name: string, always: boolean): void => {
      const counts = new Array<number>(seconds)
      let total = 0
      for (let i = 0; i < seconds; i++) {
        const n = this.counts[rowOf(end - seconds + 1 + i) + column]!
        counts[i] = n
        total += n
      }
      if (always || total > 0) series.push({ levelno, name, counts })
    }
    PAGE_LEVELS.forEach((l, i) => seen(i, l.levelno, l.name, true))
    for (let i = 0; i < MAX_CUSTOM_LEVELS; i++) if (this.customLast[i] !== -Infinity) seen(STANDARD + i, this.customLevelno[i]!, this.customName[i]!, false)
    seen(OTHER, null, OTHER_LEVELS_NAME, false)
    // Lowest level first, as Python orders them; "other levels" last.
    series.sort((a, b) => (a.levelno ?? Infinity) - (b.levelno ?? Infinity))
    return { seconds, end, series }
  }

  private column(levelno: number, levelname: string): number {
    const standard = STANDARD_COLUMN[levelno]
    if (standard !== undefined && standard >= 0) return standard
    if (!Number.isFinite(levelno)) return OTHER
    let free = -1
    for (let i = 0; i < MAX_CUSTOM_LEVELS; i++) {
      const last = this.customLast[i]!
      if (last !== -Infinity && this.customLevelno[i] === levelno) {
        this.customLast[i] = this.second
        return STANDARD + i
      }
      // Every row it counted in has been overwritten since: its column is all zeros, free to reuse.
      if (free < 0 && last <= this.second - ROWS) free = i
    }
    if (free < 0) return OTHER
    this.customLevelno[free] = levelno
    this.customName[free] = levelname.slice(0, MAX_NAME_CHARS)
    this.customLast[free] = this.second
    return STANDARD + free
  }

  private advance(second: number): void {
    if (!(second > this.second)) return
    const steps = Math.min(second - this.second, ROWS)
    for (let s = 1; s <= steps; s++) {
      const row = rowOf(this.second + s)
      this.counts.fill(0, row, row + COLUMNS)
    }
    this.second = second
  }
}

/** Where a second's row starts in the ring. */
function rowOf(second: number): number {
  return (((second % ROWS) + ROWS) % ROWS) * COLUMNS
}
