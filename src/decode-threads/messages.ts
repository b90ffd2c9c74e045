// What the event loop and a decode thread say to each other.
import type { FormatOptions } from '../format/formatter.js'
import type { BatchOutcome, FrameBatch } from '../ingest/frame-batch.js'

/** `out`: shared memory for the lines (the thread uses its own once that is full). */
export type ToThread = { kind: 'batch'; id: number; batch: FrameBatch; out?: Uint8Array } | { kind: 'format'; format: FormatOptions }

export interface FromThread {
  id: number
  outcome: BatchOutcome
}
