// What the event loop and a decode thread say to each other.
import type { FormatOptions } from '../format/formatter.js'
import type { BatchOutcome, FrameBatch } from '../ingest/frame-batch.js'

/** `out`: shared memory for the lines (the thread uses its own once that is full). */
export type ToThread = { kind: 'batch'; id: number; batch: FrameBatch; out?: Uint8Array } | { kind: 'format'; format: FormatOptions }

/** What a thread starts with (workerData). `done`: shared counters, one per thread (its `slot`), of the frame bytes
 *  each has finished (wrapping at 2^32), so the loop sees how much work a thread still has before its answers
 *  are read. */
export interface ThreadStart {
  format: FormatOptions
  done: Uint32Array
  slot: number
}

export interface FromThread {
  id: number
  outcome: BatchOutcome
}
