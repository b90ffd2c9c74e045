// What the recent ring keeps of a record: everything the page and API show, but not the decoded `extra`
// values (a 119 KB frame of nested containers can hold megabytes of heap) and no text beyond RECENT_TEXT_CHARS
// (64 KiB; every cap between the wire and the page is in ../text-caps.ts).
// So the ring's memory is bounded by recent_records × a small constant, whatever clients send.
// Without args the page could only show the raw msg, so the ring keeps the merged message (getMessage) as
// msg, as SocketHandler.makePickle does; status may not import format, so main.ts hands it in.
import type { LogRecord } from '../record.js'
import { RECENT_FIELD_CHARS, RECENT_TEXT_CHARS } from '../text-caps.js'

const NO_EXTRA = new Map<string, never>()

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
