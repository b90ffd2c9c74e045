// One frame's bytes → a LogRecord or the reason it is refused, as every input decides it: the connection inline,
// the UDP input, and a decode thread (frame-batch.ts).
import { FrameError, type RejectCode } from '../errors.js'
import { RecordError, recordOf, toLogRecord, type LogRecord } from '../record.js'
import { fastRecordFields } from './pickle-fast.js'
import { unpickle, unpickleStrict, type UnpickleLimits } from './unpickle.js'

/** A whole frame's fate: a record, or the reason it is refused (the connection keeps going either way). */
export type FrameOutcome = { record: LogRecord } | { code: RejectCode; message: string }

/**
 * One frame → record or refusal, as every connection decides it. Only the decoder's own refusals are
 * outcomes; anything else it throws is a decoder bug and escapes (the fuzzer counts those as crashes, a
 * connection still turns them into a refusal).
 */
export function decodeFrame(frame: Buffer, peer: string, received: number, limits?: Partial<UnpickleLimits>): FrameOutcome {
  return decodeFrameAt(frame, 0, frame.length, peer, received, limits)
}

/** decodeFrame of the frame buf[start, end), as the framer hands it over (no view of it unless the strict decoder
 *  must run). */
export function decodeFrameAt(buf: Buffer, start: number, end: number, peer: string, received: number, limits?: Partial<UnpickleLimits>): FrameOutcome {
  try {
    if (limits === undefined) {
      // makePickle's usual frame: its fields straight from the bytes (pickle-fast.ts); else the strict decoder.
      const fast = fastRecordFields(buf, start, end)
      return { record: fast !== null ? recordOf(fast.fields, fast.extra, peer, received) : toLogRecord(unpickleStrict(buf.subarray(start, end)), peer, received) }
    }
    return { record: toLogRecord(unpickle(buf.subarray(start, end), limits), peer, received) }
  } catch (err) {
    if (err instanceof FrameError || err instanceof RecordError) return { code: err.code, message: err.message }
    throw err
  }
}

/** Anything else thrown while decoding is a decoder bug on odd input: still only this frame's problem. */
export function rejection(err: unknown): { code: RejectCode; message: string } {
  return err instanceof FrameError || err instanceof RecordError ? err : { code: 'UNPICKLE_FAILED', message: String(err) }
}
