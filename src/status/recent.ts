// What the recent ring keeps of a record: everything the page and API show, but not the decoded `extra`
// values (a 119 KB frame of nested containers can hold megabytes of heap) and no text beyond RECENT_TEXT_CHARS
// (64 KiB; every cap between the wire and the page is in ../text-caps.ts).
// So the ring's memory is bounded by recent_records × a small constant, whatever clients send.
// Without args the page could only show the raw msg, so the ring keeps the merged message (getMessage) as
// msg, as SocketHandler.makePickle does; status may not import format, so server.ts hands it in.
// Almost every record is already its own recent view (SocketHandler sends args as None, most records carry no
// extra, no text is over a cap): the ring keeps such a record itself, shared with the file and the forwarder,
// instead of a copy per record (a 27-field object at 100k records/s, nearly all dropped unread).
import type { LogRecord } from '../record.js'
import type { Ring } from './ring.js'
import { RECENT_FIELD_CHARS, RECENT_TEXT_CHARS } from '../text-caps.js'

const NO_EXTRA = new Map<string, never>()

/**
 * What the ring keeps of `r`: `r` itself when toRecent would only swap its (empty) extra for another empty
 * one, so the page and API see the same; otherwise toRecent(r, getMessage(r)).
 */
export function recentOf(r: LogRecord, getMessage: (r: LogRecord) => string): LogRecord {
  return isOwnRecentView(r) ? r : toRecent(r, getMessage(r))
}

/** No args (the message is msg), no extras, no text over its cap: toRecent would change nothing shown. */
export function isOwnRecentView(r: LogRecord): boolean {
  return (
    r.args === null && r.extra.size === 0 &&
    r.msg.length <= RECENT_TEXT_CHARS && fits(r.exc_text, RECENT_TEXT_CHARS) && fits(r.stack_info, RECENT_TEXT_CHARS) &&
    r.name.length <= RECENT_FIELD_CHARS && r.levelname.length <= RECENT_FIELD_CHARS && r.pathname.length <= RECENT_FIELD_CHARS &&
    r.filename.length <= RECENT_FIELD_CHARS && r.module.length <= RECENT_FIELD_CHARS && r.funcName.length <= RECENT_FIELD_CHARS &&
    fits(r.threadName, RECENT_FIELD_CHARS) && fits(r.processName, RECENT_FIELD_CHARS) && fits(r.taskName, RECENT_FIELD_CHARS)
  )
}

function fits(s: string | null, max: number): boolean {
  return s === null || s.length <= max
}

/** A decode thread's run of records as the ring keeps it (dispatcher.ts's RecordRun). */
export interface KeptRun {
  readonly count: number
  frameBytes(i: number): number
  /** What the ring holds on to for the run's records: the bytes of their read, and their size. */
  readonly frames: { readonly bytes: number; resolve(i: number, seq: number): LogRecord; hold(): void; letGo(): void }
}

/** Frames larger than this, or reads larger than the next, are decoded at once rather than kept, so that
 *  toRecent's caps bound what the ring holds (300 records in 300 reads of 256 KiB: 75 MiB at most). */
const DEFER_MAX_FRAME_BYTES = 16 * 1024
const DEFER_MAX_READ_BYTES = 256 * 1024

/**
 * The ring's share of a run numbered from `firstSeq`: only its last `capacity` records can stay, and each is
 * kept as its place in the run, decoded when the page reads it (most never are).
 */
export function keepRun(ring: Ring<LogRecord>, run: KeptRun, firstSeq: number, getMessage: (r: LogRecord) => string): void {
  const { frames } = run
  const eager = frames.bytes > DEFER_MAX_READ_BYTES
  for (let i = Math.max(0, run.count - ring.capacity); i < run.count; i++) {
    if (eager || run.frameBytes(i) > DEFER_MAX_FRAME_BYTES) ring.push(recentOf(frames.resolve(i, firstSeq + i), getMessage))
    else ring.pushDeferred(frames, i, firstSeq + i)
  }
}

/** `message` is getMessage(r): msg with args merged in. */
export function toRecent(r: LogRecord, message: string): LogRecord {
  return {
    ...r,
    msg: cap(message, RECENT_TEXT_CHARS),
    exc_text: capOrNull(r.exc_text, RECENT_TEXT_CHARS),
    stack_info: capOrNull(r.stack_info, RECENT_TEXT_CHARS),
    name: cap(r.name, RECENT_FIELD_CHARS),
    levelname: cap(r.levelname, RECENT_FIELD_CHARS),
    pathname: cap(r.pathname, RECENT_FIELD_CHARS),
    filename: cap(r.filename, RECENT_FIELD_CHARS),
    module: cap(r.module, RECENT_FIELD_CHARS),
    funcName: cap(r.funcName, RECENT_FIELD_CHARS),
    threadName: capOrNull(r.threadName, RECENT_FIELD_CHARS),
    processName: capOrNull(r.processName, RECENT_FIELD_CHARS),
    taskName: capOrNull(r.taskName, RECENT_FIELD_CHARS),
    args: null,
    extra: NO_EXTRA,
  }
}

/**
 * A cut that owns its characters. V8's slice() of a long string is a view that keeps the whole original
 * alive, so a 1 MiB message cut to 64 KiB would still hold 1 MiB in the ring; slicing a fresh concatenation
 * makes V8 flatten it into a new string of just the kept part.
 */
function cap(s: string, max: number): string {
  return s.length > max ? (' ' + s.slice(0, max)).slice(1) : s
}

function capOrNull(s: string | null, max: number): string | null {
  return s === null ? null : cap(s, max)
}
