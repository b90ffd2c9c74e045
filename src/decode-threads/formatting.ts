// A file layout as the decode threads render it, on a thread or on the loop alike: the formatter, and the line
// layout that stands in for it where the format has one.
import { createFormatter, type FormatOptions } from '../format/formatter.js'
import { compileLineLayout, type LineLayout } from '../format/line-layout.js'
import { decodeBatch, type BatchOutcome, type FrameBatch } from '../ingest/frame-batch.js'
import type { LogRecord } from '../record.js'

export interface Formatting {
  line: (r: LogRecord) => string
  layout: LineLayout | null
}

export function formattingOf(options: FormatOptions): Formatting {
  return { line: createFormatter(options), layout: compileLineLayout(options) }
}

/** A read's frames decoded and formatted; `out`: shared memory for the lines, when there is some. */
export function decodeWith(batch: FrameBatch, formatting: Formatting, out?: Uint8Array): BatchOutcome {
  return decodeBatch(batch, formatting.line, out, formatting.layout)
}
