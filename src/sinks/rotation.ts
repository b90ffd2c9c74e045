// Rotation as CPython's RotatingFileHandler and TimedRotatingFileHandler do it (Lib/logging/handlers.py):
// pure policy (size/time → rotate now? which name? when next?) plus the rename/delete chain and gzip.
import { createReadStream, createWriteStream } from 'node:fs'
import { readdir, rename, rm, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'

export type When = 'S' | 'M' | 'H' | 'D' | 'midnight' | 'W0' | 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6'

export interface RotationOptions {
  /** Size limit of the live file; 0 = no size rotation. */
  maxBytes: number
  /** Rotated files kept: `file.1`…`file.N` (size) or the newest N dated files (time; 0 = keep all). */
  backupCount: number
  when: When | null
  interval: number
  utc: boolean
  /** gzip rotated files (`file.1.gz`, `file.2024-05-01.gz`) after the rename, off the write path. */
  compress: boolean
}

const WHENS: ReadonlySet<string> = new Set(['S', 'M', 'H', 'D', 'midnight', 'W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6'])

export function checkRotation(o: RotationOptions): void {
  if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes < 0) throw new RangeError(`invalid rotation maxBytes: ${o.maxBytes}`)
  if (!Number.isSafeInteger(o.backupCount) || o.backupCount < 0) throw new RangeError(`invalid rotation backupCount: ${o.backupCount}`)
  if (o.when !== null && !WHENS.has(o.when)) throw new RangeError(`invalid rotation when: ${o.when}`)
  if (!Number.isSafeInteger(o.interval) || o.interval < 1) throw new RangeError(`invalid rotation interval: ${o.interval}`)
}

/**
 * RotatingFileHandler.shouldRollover: `tell() + len(msg) >= maxBytes`, never for an empty file
 * (gh-116263). CPython's docs: "if either of maxBytes or backupCount is zero, rollover never occurs"
 * (3.11's doRollover with backupCount 0 just reopens the same file), so backupCount 0 disables it here.
 */
export function sizeRolloverDue(size: number, entryBytes: number, maxBytes: number, backupCount: number): boolean {
  return maxBytes > 0 && backupCount > 0 && size > 0 && size + entryBytes >= maxBytes
}

/** Python's `'%s.%d' % (baseFilename, i)`. */
export function sizeBackupName(path: string, i: number): string {
  return `${path}.${i}`
}

/** TimedRotatingFileHandler.__init__: seconds per rollover period. */
export function intervalSeconds(when: When, interval: number): number {
  const unit = when === 'S' ? 1 : when === 'M' ? 60 : when === 'H' ? 3600 : when[0] === 'W' ? 7 * 86400 : 86400
  return unit * interval
}

/** TimedRotatingFileHandler.computeRollover (atTime=None), seconds since the epoch, DST quirks included. */
export function computeRollover(currentTime: number, when: When, interval: number, utc: boolean): number {
  let result = currentTime + intervalSeconds(when, interval)
  if (when !== 'midnight' && when[0] !== 'W') return result
  const t = timeTuple(currentTime, utc)
  let r = 86400 - ((t.hour * 60 + t.minute) * 60 + t.second)
  let day = t.wday
  if (r < 0) { // only with atTime in CPython; kept so the shape stays CPython's
    r += 86400
    day = (day + 1) % 7
  }
  result = currentTime + r
  if (when[0] === 'W') {
    const dayOfWeek = Number(when[1])
    if (day !== dayOfWeek) {
      const daysToWait = day < dayOfWeek ? dayOfWeek - day : 6 - day + dayOfWeek + 1
      let newRolloverAt = result + daysToWait * 86400
      if (!utc) {
        const dstNow = t.isdst
        if (dstNow !== isDst(newRolloverAt)) newRolloverAt += dstNow ? 3600 : -3600
      }
      result = newRolloverAt
    }
  }
  return result
}

/** doRollover's tail: the rollover time after one that happened at `now`. */
export function nextRolloverAt(now: number, when: When, interval: number, utc: boolean): number {
  let next = computeRollover(now, when, interval, utc)
  while (next <= now) next += intervalSeconds(when, interval)
  if ((when === 'midnight' || when[0] === 'W') && !utc) {
    const dstNow = isDst(now)
    if (dstNow !== isDst(next)) next += dstNow ? 3600 : -3600
  }
  return next
}

/** doRollover's name: the START of the interval (rolloverAt - interval) through CPython's suffix format. */
export function rotatedSuffix(rolloverAt: number, now: number, when: When, interval: number, utc: boolean): string {
  let t = rolloverAt - intervalSeconds(when, interval)
  if (!utc) {
    const dstNow = isDst(now)
    if (dstNow !== isDst(t)) t += dstNow ? 3600 : -3600
  }
  const tt = timeTuple(t, utc)
  const date = `${pad(tt.year, 4)}-${pad(tt.month, 2)}-${pad(tt.mday, 2)}`
  switch (when) {
    case 'S': return `${date}_${pad(tt.hour, 2)}-${pad(tt.minute, 2)}-${pad(tt.second, 2)}`
    case 'M': return `${date}_${pad(tt.hour, 2)}-${pad(tt.minute, 2)}`
    case 'H': return `${date}_${pad(tt.hour, 2)}`
    default: return date
  }
}

/** CPython's extMatch per `when` (the optional `(\.\w+)?` is what lets `.gz` names count as backups). */
export function timedBackupPattern(when: When): RegExp {
  const date = '\\d{4}-\\d{2}-\\d{2}'
  const time = when === 'S' ? '_\\d{2}-\\d{2}-\\d{2}' : when === 'M' ? '_\\d{2}-\\d{2}' : when === 'H' ? '_\\d{2}' : ''
  return new RegExp(`^${date}${time}(\\.\\w+)?$`)
}

/**
 * TimedRotatingFileHandler.getFilesToDelete (namer=None): names starting with the base name whose
 * dot-separated suffix has a part matching extMatch (bpo-44753, bpo-45628); all but the newest backupCount.
 */
export function timedFilesToDelete(baseName: string, names: readonly string[], when: When, backupCount: number): string[] {
  const ext = timedBackupPattern(when)
  const prefix = `${splitextRoot(baseName)}.`
  const found = names.filter((n) =>
    n.startsWith(baseName) && n.startsWith(prefix) && n.slice(prefix.length).split('.').some((p) => ext.test(p)))
  if (found.length < backupCount) return []
  return found.sort().slice(0, found.length - backupCount)
}

/**
 * RotatingFileHandler.doRollover: `.N-1`→`.N` … `.1`→`.2`, then the live file → `.1`. Each generation may
 * exist plain or gzipped (or both after a crash mid-compression), so both names move together.
 * Returns the name the live file got.
 */
export async function rotateBySize(path: string, backupCount: number): Promise<string> {
  for (let i = backupCount - 1; i > 0; i--) {
    const src = sizeBackupName(path, i)
    const dst = sizeBackupName(path, i + 1)
    const plain = await exists(src)
    const gz = await exists(`${src}.gz`)
    if (!plain && !gz) continue
    await rm(dst, { force: true })
    await rm(`${dst}.gz`, { force: true })
    if (plain) await rename(src, dst)
    if (gz) await rename(`${src}.gz`, `${dst}.gz`)
  }
  const first = sizeBackupName(path, 1)
  await rm(first, { force: true })
  await rm(`${first}.gz`, { force: true })
  await moveIfExists(path, first)
  return first
}

/** TimedRotatingFileHandler.doRollover's file part: replace `path.SUFFIX`, then prune old backups. */
export async function rotateByTime(path: string, suffix: string, when: When, backupCount: number): Promise<string> {
  const dfn = `${path}.${suffix}`
  await rm(dfn, { force: true }) // CPython removes an existing dfn too
  await rm(`${dfn}.gz`, { force: true })
  await moveIfExists(path, dfn)
  if (backupCount > 0) {
    const dir = dirname(path)
    for (const name of timedFilesToDelete(basename(path), await readdir(dir), when, backupCount)) {
      await rm(join(dir, name), { force: true })
    }
  }
  return dfn
}

/** `file` → `file.gz` with the same mode, then unlink `file`; a failure leaves `file` and no partial `.gz`. */
export async function gzipFile(src: string): Promise<string> {
  const dst = `${src}.gz`
  const { mode } = await stat(src)
  try {
    await pipeline(createReadStream(src), createGzip(), createWriteStream(dst, { mode: mode & 0o777 }))
  } catch (err) {
    await rm(dst, { force: true })
    throw err
  }
  await unlink(src)
  return dst
}

interface TimeTuple { year: number; month: number; mday: number; hour: number; minute: number; second: number; wday: number; isdst: boolean }

/** time.gmtime / time.localtime; wday 0 = Monday as in Python. */
function timeTuple(seconds: number, utc: boolean): TimeTuple {
  const d = new Date(seconds * 1000)
  if (utc) {
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, mday: d.getUTCDate(), hour: d.getUTCHours(),
      minute: d.getUTCMinutes(), second: d.getUTCSeconds(), wday: (d.getUTCDay() + 6) % 7, isdst: false }
  }
  return { year: d.getFullYear(), month: d.getMonth() + 1, mday: d.getDate(), hour: d.getHours(),
    minute: d.getMinutes(), second: d.getSeconds(), wday: (d.getDay() + 6) % 7, isdst: isDst(seconds) }
}

/** tm_isdst: the local offset is ahead of the year's standard (smaller-offset) time. */
function isDst(seconds: number): boolean {
  const d = new Date(seconds * 1000)
  const jan = new Date(d.getFullYear(), 0, 1).getTimezoneOffset()
  const jul = new Date(d.getFullYear(), 6, 1).getTimezoneOffset()
  return jan !== jul && d.getTimezoneOffset() === Math.min(jan, jul)
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** os.path.splitext(name)[0]: leading dots never start an extension. */
function splitextRoot(name: string): string {
  const i = name.lastIndexOf('.')
  return i > 0 && /[^.]/.test(name.slice(0, i)) ? name.slice(0, i) : name
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

async function moveIfExists(src: string, dst: string): Promise<void> {
  try {
    await rename(src, dst)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
