// One fuzz input through the code a log connection runs: Framer (reads cut as TCP may cut them) → decodeFrameAt
// (unpickle with its budgets → toLogRecord) → a placeholder for a refused frame → the central file's
// formatters (text escaped and exact, JSON lines) and the page's record JSON. Outcomes are classified as the
// server classifies them; anything thrown that is not such an outcome escapes: that is a crash. Every frame is
// also decoded by the strict decoder alone, which the fast path must agree with whenever it takes a frame.
import { isDeepStrictEqual } from 'node:util'
import { FrameError, type RejectCode } from '../../src/errors.js'
import { createFormatter } from '../../src/format/formatter.js'
import { decodeFrameAt } from '../../src/ingest/decode-frame.js'
import { Framer } from '../../src/ingest/framer.js'
import { fastRecordDict, fastRecordFields } from '../../src/ingest/pickle-fast.js'
import { unpickleStrict } from '../../src/ingest/unpickle.js'
import type { PyValue } from '../../src/py-value.js'
import { placeholderRecord } from '../../src/ingest/placeholder.js'
import { recordOf, toLogRecord, type LogRecord } from '../../src/record.js'
import { createRecordJson } from '../../src/web/record-json.js'

export interface StreamOutcome {
  /** Frames that became records. */
  decoded: number
  /** Frames refused with the connection kept: each leaves a placeholder (reason per frame). */
  placeholders: RejectCode[]
  /** Why the connection was closed, if it was (a framing error, or a frame cut off at EOF). */
  closed: RejectCode | null
}

const PEER = '127.0.0.1'
const FORMAT = '%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(lineno)d %(thread)d %(threadName)s %(funcName)s %(message)s'

export class FrameHarness {
  private readonly render: ((r: LogRecord) => unknown)[]

  /** Called with each frame the decoder refused (the fuzzer asks CPython about a sample of them). */
  onRefused: ((payload: Buffer, code: RejectCode, message: string) => void) | null = null

  constructor(readonly maxFrameBytes: number) {
    this.render = [
      createFormatter({ style: 'text', format: FORMAT, datefmt: null, utc: true, escape: true }),
      createFormatter({ style: 'text', format: FORMAT, datefmt: null, utc: true, escape: false }),
      createFormatter({ style: 'json', format: FORMAT, datefmt: null, utc: true, escape: true }),
      createRecordJson({ datefmt: null, utc: true }),
    ]
  }

  run(stream: Uint8Array, cuts: readonly number[]): StreamOutcome {
    const outcome: StreamOutcome = { decoded: 0, placeholders: [], closed: null }
    const framer = new Framer(this.maxFrameBytes)
    const now = Date.now()
    const refused = (code: RejectCode, bytes: number, why: string): void => {
      outcome.placeholders.push(code)
      this.show(placeholderRecord(PEER, code, bytes, why, 0, now))
    }
    const sink = {
      frame: (buf: Buffer, start: number, end: number): void => {
        const payload = buf.subarray(start, end)
        checkFastPath(payload)
        checkFastPathAt(buf, start, end, payload)
        const result = decodeFrameAt(buf, start, end, PEER, now / 1000)
        if ('record' in result) {
          outcome.decoded++
          this.show(result.record)
        } else {
          this.onRefused?.(payload, result.code, result.message)
          refused(result.code, payload.length, result.message)
        }
      },
      skipped: (length: number): void => refused('FRAME_TOO_LARGE', length, 'over max_frame_bytes'),
    }
    const buffer = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength)
    const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b)
    let from = 0
    try {
      for (const to of [...points, buffer.length]) {
        if (to <= from) continue
        framer.push(buffer.subarray(from, to), sink)
        from = to
      }
    } catch (err) {
      if (!(err instanceof FrameError)) throw err
      outcome.closed = err.code
      return outcome
    }
    if (framer.inFrame) outcome.closed = 'FRAME_TRUNCATED' // the peer's EOF in mid-frame, as Connection sees it
    return outcome
  }

  private show(r: LogRecord): void {
    for (const render of this.render) render(r)
  }
}

/** Frames the fast path took (each checked against the strict decoder), for the fuzzer's report. */
export let fastPathTaken = 0

/** The connection's way in (offsets into the read, fastRecordFields(buf, start, end)) takes the frame exactly
 *  when the view's does, with the same fields. */
function checkFastPathAt(buf: Buffer, start: number, end: number, payload: Buffer): void {
  const atOffsets = fastRecordFields(buf, start, end)
  const ofView = fastRecordFields(payload)
  if (!isDeepStrictEqual(atOffsets, ofView)) throw new FastPathDisagreement(`the fast path at offsets ${start}..${end} of the read and of the frame alone differ on ${payload.toString('hex')}`)
}

/** Thrown (a crash to the fuzzer) when the fast path takes a frame and builds anything but the strict value. */
export class FastPathDisagreement extends Error {}

/** The fast path (pickle-fast.ts) on every fuzzed frame: it declines, or agrees with the strict decoder. */
export function checkFastPath(payload: Buffer): void {
  const fast = fastRecordDict(payload)
  if (fast === null) return
  fastPathTaken++
  let strict: PyValue
  try {
    strict = unpickleStrict(payload)
  } catch (err) {
    throw new FastPathDisagreement(`the fast path took a frame the strict decoder refuses (${String(err)}): ${payload.toString('hex')}`)
  }
  if (!isDeepStrictEqual(fast, strict)) throw new FastPathDisagreement(`the fast path and the strict decoder differ on ${payload.toString('hex')}`)
  const fields = fastRecordFields(payload)
  if (fields === null || !isDeepStrictEqual(recordOf(fields.fields, fields.extra, PEER, 1), toLogRecord(strict, PEER, 1))) {
    throw new FastPathDisagreement(`the fast path's record and toLogRecord of the strict dict differ on ${payload.toString('hex')}`)
  }
}
