// A record refused while what carried it goes on (a connection stays open, the next datagram is read): the
// refusal is counted, reported (rate-limited) with the peer, and a placeholder takes the record's place in the
// file, as connection.ts first did it; the UDP input refuses the same way.
import type { Diagnostics } from '../diagnostic-codes.js'
import type { Dispatcher } from '../dispatcher.js'
import { diagnosticCodeOf, type RejectCode } from '../errors.js'
import type { Stats } from '../status/stats.js'
import { placeholderRecord, type PlaceholderLimiter } from './placeholder.js'

export interface RefusalContext {
  dispatcher: Dispatcher
  stats: Stats
  diagnostics: Diagnostics
  placeholders: PlaceholderLimiter
}

/** Why a frame over log.max_frame_bytes left a placeholder (the connection's framer read past it). */
export function readPast(maxFrameBytes: number): string {
  return `over log.max_frame_bytes (${maxFrameBytes}); read past`
}

/** `goesOn`: what happens to the carrier, for the log line ("connection kept"). `now`: when the record arrived
 *  (ms; a decode thread's read is refused when released, after it arrived). */
export function refuseRecord(ctx: RefusalContext, peer: string, code: RejectCode, frameBytes: number, why: string, goesOn: string, now = Date.now()): void {
  const { stats, diagnostics, placeholders, dispatcher } = ctx
  stats.reject(code)
  diagnostics.reportLimited(diagnosticCodeOf(code), `log record from ${peer} refused, ${goesOn}: ${code} (${frameBytes} bytes): ${why}`)
  const suppressed = placeholders.admit(peer, now)
  if (suppressed !== null) dispatcher.accept(placeholderRecord(peer, code, frameBytes, why, suppressed, now))
}
