// What the recent ring keeps of a record: everything the page and API show, but not the decoded `extra`
// values (a 119 KB frame of nested containers can hold megabytes of heap) and no text beyond 64 KiB.
// So the ring's memory is bounded by recent_records × a small constant, whatever clients send.
// Without args the page could only show the raw msg, so the ring keeps the merged message (getMessage) as
// msg, as SocketHandler.makePickle does; status may not import format, so main.ts hands it in.
import type { LogRecord } from '../record.js'

/** GET /api/records/:seq shows this much of a text (one character less, so that it can flag the cut). */
export const RECENT_TEXT_CHARS = 64 * 1024
const NO_EXTRA = new Map<string, never>()

/** `message` is getMessage(r): msg with args merged in. */
export function toRecent(r: LogRecord, message: string): LogRecord {
  return { ...r, msg: cap(message), exc_text: capOrNull(r.exc_text), stack_info: capOrNull(r.stack_info), args: null, extra: NO_EXTRA }
}

function cap(s: string): string {
  return s.length > RECENT_TEXT_CHARS ? s.slice(0, RECENT_TEXT_CHARS) : s
}

function capOrNull(s: string | null): string | null {
  return s === null ? null : cap(s)
}
