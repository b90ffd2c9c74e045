// One read's whole frames as a decode thread takes them (log.decode_threads): copied out of the framer (whose
// buffers are reused) back to back, with each frame's place, the peer and the read's arrival time. The thread
// decodes and formats them (decodeBatch) and sends back a BatchOutcome; the connection's side keeps its own copy
// of the bytes, so nothing is lost if the thread dies (the batch is decoded here instead) and the ring can decode
// a record again when the page asks for it (batch-release.ts, status/recent.ts keepRun).
import type { RejectCode } from '../errors.js'
import { FIELD, levelnoOf, type FrameFields, type LogRecord } from '../record.js'
import { decodeFrameAt, rejection } from './decode-frame.js'
import { SpanFields } from './pickle-fast.js'

/** offsets[2i] of a frame read past for being over log.max_frame_bytes (offsets[2i + 1] is its length). */
const SKIPPED = -1
/** The word V8 copies shared memory by. */
const ALIGNMENT = 8

export interface FrameBatch {
  readonly bytes: Uint8Array
  /** Per entry, [start, end) in `bytes`; or [SKIPPED, declared length] for a frame read past. */
  readonly offsets: Int32Array
  readonly peer: string
  /** When the read arrived (seconds since the epoch): every record in it arrived then. */
  readonly received: number
}

/** What a decode thread made of a FrameBatch, entry by entry. */
export interface BatchOutcome {
  /** Every decoded record's line with its '\n', in entry order, in UTF-8 (encoded by the thread). */
  readonly bytes: Uint8Array
  /** Per entry, where its line ends in `bytes` (a refused or skipped entry: where the previous one ended). */
  readonly lineEnds: Uint32Array
  readonly levelnos: Float64Array
  /** Per entry, its levelname as an index into levelNames (the batch's distinct names). */
  readonly levelIndex: Uint16Array
  readonly levelNames: string[]
  /** Entries refused by the decoder: [entry, code, why] (usually none). */
  readonly refused: Array<[number, RejectCode, string]>
  /** Decoding and formatting time, for the decode-time histogram. */
  readonly seconds: number
}

/**
 * Where a read's frames are copied: memory shared with the threads (decode-threads/shared-slab.ts), or of its
 * own when none is free. It lives until the read is released, and longer while keepers hold it (the ring).
 */
export interface BatchMemory {
  readonly bytes: Uint8Array
  /** The frames took `used` bytes of it: the rest may go to the next read. */
  fit(used: number): void
  /** The read is released: the memory may be reused once no keeper holds it. */
  finish(): void
  hold(): void
  letGo(): void
}

/** Memory of its own (a copy travels to the thread): when the shared memory is full. */
export function ownMemory(capacity: number): BatchMemory {
  // Its own ArrayBuffer, not Node's shared pool: postMessage copies the whole ArrayBuffer of a view.
  const bytes = new Uint8Array(capacity)
  return { bytes, fit() {}, finish() {}, hold() {}, letGo() {} }
}

/**
 * Collects one read's frames; `build` hands them over. Frames that follow each other in the read (with only their
 * length prefix between them) are copied as one span: one copy per read, not one per frame (a copy call per
 * frame was 6 % of the event loop's time).
 */
export class FrameBatchBuilder {
  /** Taken at the first frame: a read that only carries a large frame on completes none and takes nothing. */
  private taken: BatchMemory | null = null
  private bytes: Buffer = Buffer.alloc(0)
  private used = 0
  private readonly offsets: number[] = []
  /** The span not yet copied: source[spanStart, spanEnd) goes to bytes[used...). */
  private source: Buffer | null = null
  private spanStart = 0
  private spanEnd = 0

  /** Spans that may still be placed at the source's alignment (see frame()): the first frame's and the rest. */
  private alignedSpans = 2

  /** `take(capacity)` gives the memory for the read `chunk`'s frames. */
  constructor(private readonly take: (capacity: number) => BatchMemory, private readonly chunk: Buffer) {}

  /** The memory the frames went to (none while no frame came). */
  get memory(): BatchMemory | null {
    return this.taken
  }

  get entries(): number {
    return this.offsets.length / 2
  }

  /** buf[start, end): valid until the framer's push returns (a frame spanning reads has a buffer of its own). */
  frame(buf: Buffer, start: number, end: number): void {
    if (this.taken === null) {
      // Every frame is in the read but the first, which may have begun in earlier reads (its own buffer).
      const memory = this.take((buf === this.chunk ? 0 : end - start) + this.chunk.length + ALIGNMENT * this.alignedSpans)
      this.taken = memory
      this.bytes = Buffer.from(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength)
    }
    if (buf !== this.source || start < this.spanEnd || start - this.spanEnd > 4) {
      this.copySpan()
      this.source = buf
      this.spanStart = start
      if (this.alignedSpans > 0) {
        // Into shared memory V8 copies a word at a time only where source and target agree modulo 8, else a byte
        // at a time (its relaxed memmove: a tenth of the loop's time, measured): start the span where they agree.
        this.alignedSpans--
        this.used += (buf.byteOffset + start - (this.bytes.byteOffset + this.used)) & (ALIGNMENT - 1)
      }
    }
    const at = this.used + (start - this.spanStart)
    this.offsets.push(at, at + (end - start))
    this.spanEnd = end
  }

  skipped(length: number): void {
    this.offsets.push(SKIPPED, length)
  }

  build(peer: string, received: number): FrameBatch {
    this.copySpan()
    this.taken?.fit(this.used)
    const bytes = this.taken === null ? new Uint8Array(0) : new Uint8Array(this.taken.bytes.buffer, this.taken.bytes.byteOffset, this.used)
    return { bytes, offsets: Int32Array.from(this.offsets), peer, received }
  }

  private copySpan(): void {
    if (this.source === null) return
    this.used += this.source.copy(this.bytes, this.used, this.spanStart, this.spanEnd)
    this.source = null
  }
}

export function isSkipped(batch: FrameBatch, entry: number): boolean {
  return batch.offsets[2 * entry] === SKIPPED
}

/** The declared length of entry `entry`'s frame. */
export function frameLength(batch: FrameBatch, entry: number): number {
  const start = batch.offsets[2 * entry]!
  const end = batch.offsets[2 * entry + 1]!
  return start === SKIPPED ? end : end - start
}

/** A text format's line layout (format/line-layout.ts): the line of a record it takes, written from the frame's
 *  fields, byte for byte what `format` makes of the record; a negative answer for a record it does not take. */
export interface LineRenderer {
  /** By FIELD position, what it reads of a record (record.ts UNREAD, READ, READ_TEXT). */
  readonly uses: Uint8Array
  render(fields: FrameFields, client: string, received: number, out: Uint8Array, at: number): number
}

/** Room a layout's line may need beyond its frame's bytes (literals, padding, asctime, defaults); a line that
 *  needs more goes through `format`. */
const LAYOUT_ROOM = 1024

/**
 * Decodes and formats every frame of `batch`, exactly as a connection does it inline (decodeFrameAt), so the
 * file reads the same whichever thread did the work. A decoder bug on odd input refuses only its frame. With a
 * `layout`, the frames it takes skip the LogRecord: their lines come straight from the bytes (the same lines).
 */
export function decodeBatch(batch: FrameBatch, format: (r: LogRecord) => string, out?: Uint8Array, layout?: LineRenderer | null): BatchOutcome {
  const started = performance.now()
  const spans = layout ? new SpanFields(layout.uses) : null
  const entries = batch.offsets.length / 2
  const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength)
  const lines = new Utf8Lines(out ?? new Uint8Array(Math.max(1024, Math.ceil(batch.bytes.byteLength * 1.25))))
  const lineEnds = new Uint32Array(entries)
  const levelnos = new Float64Array(entries)
  const levelIndex = new Uint16Array(entries)
  const levelNames: string[] = []
  const refused: Array<[number, RejectCode, string]> = []
  for (let i = 0; i < entries; i++) {
    lineEnds[i] = lines.length
    if (isSkipped(batch, i)) continue
    const start = batch.offsets[2 * i]!
    const end = batch.offsets[2 * i + 1]!
    if (spans !== null && rendered(spans, layout!, lines, buf, start, end, batch)) {
      lineEnds[i] = lines.length
      const levelname = spans.values[FIELD.levelname] as string // render takes only a str levelname
      levelnos[i] = levelnoOf(spans.values, levelname)
      levelIndex[i] = levelIndexOf(levelNames, levelname)
      continue
    }
    let outcome
    try {
      outcome = decodeFrameAt(buf, start, end, batch.peer, batch.received)
    } catch (err) {
      const { code, message } = rejection(err)
      refused.push([i, code, message])
      continue
    }
    if (!('record' in outcome)) {
      refused.push([i, outcome.code, outcome.message])
      continue
    }
    const { record } = outcome
    lines.add(format(record))
    lineEnds[i] = lines.length
    levelnos[i] = record.levelno
    levelIndex[i] = levelIndexOf(levelNames, record.levelname)
  }
  return { bytes: lines.bytes(), lineEnds, levelnos, levelIndex, levelNames, refused, seconds: (performance.now() - started) / 1000 }
}

/** Frame buf[start, end)'s line written by the layout; false when it declines (or, a bug on odd input, throws:
 *  then the frame goes the general way, which refuses only it). */
function rendered(spans: SpanFields, layout: LineRenderer, lines: Utf8Lines, buf: Buffer, start: number, end: number, batch: FrameBatch): boolean {
  try {
    return spans.read(buf, start, end) && lines.render(layout, spans, batch.peer, batch.received, end - start + LAYOUT_ROOM)
  } catch {
    return false
  }
}

function levelIndexOf(levelNames: string[], levelname: string): number {
  const index = levelNames.indexOf(levelname)
  return index >= 0 ? index : levelNames.push(levelname) - 1
}

/** Buffer.prototype's UTF-8 encoder without write()'s argument checks (as sinks/chunk-queue.ts uses it). */
interface Utf8Writer {
  utf8Write(text: string, offset: number): number
}

/** Lines encoded one after another into `target` (memory shared with the loop), or, once that is full, into a
 *  buffer of their own (transferable). */
class Utf8Lines {
  private buf: Buffer
  length = 0

  constructor(target: Uint8Array) {
    this.buf = Buffer.from(target.buffer, target.byteOffset, target.byteLength)
  }

  add(line: string): void {
    // A UTF-16 unit takes at most 3 bytes; +1 for the '\n'.
    this.reserve(line.length * 3 + 1)
    this.length += (this.buf as unknown as Utf8Writer).utf8Write(line, this.length)
    this.buf[this.length++] = 0x0a
  }

  /** The layout's line of `fields`, given `room` bytes for it; false when the layout declines the record. */
  render(layout: LineRenderer, fields: FrameFields, client: string, received: number, room: number): boolean {
    this.reserve(room)
    const end = layout.render(fields, client, received, this.buf, this.length)
    if (end < 0 || end >= this.buf.length) return false
    this.buf[end] = 0x0a
    this.length = end + 1
    return true
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return
    const bigger = Buffer.from(new ArrayBuffer(Math.max(this.buf.length * 2, this.length + bytes)))
    this.buf.copy(bigger, 0, 0, this.length)
    this.buf = bigger
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length)
  }
}

/** The decode threads, as a connection uses them (the pool lives in decode-threads/). */
export interface BatchDecoder {
  /** Whether a read of `bytes` goes to a thread: the event loop is behind, a thread is free, the read is large. */
  wants(bytes: number): boolean
  /** Memory for a read's frames, up to `capacity` bytes. */
  memory(capacity: number): BatchMemory
  /**
   * `done` is called once, on the event loop, with the batch's outcome (made here if its thread died) and what
   * frees the outcome's memory once the read is released.
   */
  decode(batch: FrameBatch, done: (outcome: BatchOutcome, finish: () => void) => void): void
}
