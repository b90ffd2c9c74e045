// A decode thread's work on one read, dispatched in its place in line (Dispatcher.fill): the records as runs of
// formatted lines, and each refused or oversize frame as the connection would have refused it inline (counted,
// reported, a placeholder in its place), in the order the frames came.
import type { RecordRun } from '../dispatcher.js'
import type { LogRecord } from '../record.js'
import type { Telemetry } from '../status/telemetry.js'
import { decodeFrameAt } from './decode-frame.js'
import { frameLength, isSkipped, type BatchMemory, type BatchOutcome, type FrameBatch } from './frame-batch.js'
import type { InputCounters } from './input-status.js'
import { placeholderRecord } from './placeholder.js'
import { readPast, refuseRecord, type RefusalContext } from './refusal.js'

/** `refusing`: the limit the connection's framer read past with, and when the read arrived (ms). */
export function releaseBatch(ctx: RefusalContext & { telemetry: Telemetry }, peer: string, counters: InputCounters | null, batch: FrameBatch, memory: BatchMemory, outcome: BatchOutcome, refusing: { maxFrameBytes: number; nowMs: number }): void {
  ctx.telemetry.ingestSeconds.observe(outcome.seconds)
  const entries = outcome.lineEnds.length
  const { refused } = outcome
  let next = 0 // the next entry of `refused`
  let runStart = 0
  for (let i = 0; i < entries; i++) {
    const refusedHere = next < refused.length && refused[next]![0] === i
    if (!refusedHere && !isSkipped(batch, i)) continue
    dispatchRun(ctx, counters, batch, memory, outcome, runStart, i)
    runStart = i + 1
    if (counters) counters.rejected++
    if (refusedHere) {
      const [, code, why] = refused[next++]!
      refuseRecord(ctx, peer, code, frameLength(batch, i), why, 'connection kept', refusing.nowMs)
    } else refuseRecord(ctx, peer, 'FRAME_TOO_LARGE', frameLength(batch, i), readPast(refusing.maxFrameBytes), 'connection kept', refusing.nowMs)
  }
  dispatchRun(ctx, counters, batch, memory, outcome, runStart, entries)
}

function dispatchRun(ctx: RefusalContext, counters: InputCounters | null, batch: FrameBatch, memory: BatchMemory, outcome: BatchOutcome, from: number, to: number): void {
  if (to === from) return
  if (counters) counters.records += to - from
  ctx.dispatcher.acceptRun(new BatchRun(batch, memory, outcome, from, to))
}

/** Entries [from, to) of a batch, all records. */
class BatchRun implements RecordRun {
  readonly count: number
  readonly client: string
  readonly received: number
  readonly bytes: Uint8Array
  readonly frames: RunFrames
  private readonly bytesStart: number

  constructor(private readonly batch: FrameBatch, memory: BatchMemory, private readonly outcome: BatchOutcome, private readonly from: number, to: number) {
    this.frames = new RunFrames(batch, memory, from)
    this.count = to - from
    this.client = batch.peer
    this.received = batch.received
    const { lineEnds, bytes } = outcome
    this.bytesStart = from === 0 ? 0 : lineEnds[from - 1]!
    this.bytes = bytes.subarray(this.bytesStart, lineEnds[to - 1]!)
  }

  lineEnd(i: number): number {
    return this.outcome.lineEnds[this.from + i]! - this.bytesStart
  }

  levelname(i: number): string {
    return this.outcome.levelNames[this.outcome.levelIndex[this.from + i]!]!
  }

  levelno(i: number): number {
    return this.outcome.levelnos[this.from + i]!
  }

  frameBytes(i: number): number {
    return frameLength(this.batch, this.from + i)
  }
}

/** A run's frames without its outcome: what the ring keeps to decode a record again when the page reads it. It
 *  holds the read's memory once per record kept, and lets go as each is resolved or leaves the ring. */
class RunFrames {
  readonly bytes: number

  constructor(private readonly batch: FrameBatch, private readonly memory: BatchMemory, private readonly from: number) {
    this.bytes = batch.bytes.byteLength
  }

  hold(): void {
    this.memory.hold()
  }

  letGo(): void {
    this.memory.letGo()
  }

  /** The same bytes decode the same way as in the thread (the thread kept nothing). */
  resolve(i: number, seq: number): LogRecord {
    const { batch } = this
    const entry = this.from + i
    const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength)
    const outcome = decodeFrameAt(buf, batch.offsets[2 * entry]!, batch.offsets[2 * entry + 1]!, batch.peer, batch.received)
    // A refusal here would mean a decoder that is not pure: still a record the page can show, never a throw.
    const record = 'record' in outcome ? outcome.record : placeholderRecord(batch.peer, outcome.code, frameLength(batch, entry), outcome.message, 0, batch.received * 1000)
    record.seq = seq
    return record
  }
}
