// Splits a TCP byte stream into SocketHandler frames: a 4-byte big-endian length, then that many bytes.
// Pure: bytes in, frames out. The length is checked before a byte is allocated for it: over the limit but
// plausible, the frame is read past without being held (framing stays intact, so the connection lives on);
// zero or beyond any plausible record, the stream is not SocketHandler framing and the caller must close.
import { FrameError } from '../errors.js'

const HEADER_BYTES = 4
/** A partial frame's first buffer at least; it is as large as what has arrived, and doubles as more does. A
 *  peer must send bytes to make the server hold them: a 5-byte start of a frame holds 4 KiB, not 64 KiB. */
const FIRST_BODY_BYTES = 4 * 1024
/** No log record is this large: a longer length prefix means the peer does not speak SocketHandler framing.
 *  It is also the largest `log.max_frame_bytes` the config accepts. */
export const MAX_PLAUSIBLE_FRAME_BYTES = 64 * 1024 * 1024

export interface FrameSink {
  /** A complete frame: its payload (without the prefix) is buf[start, end), valid only during the call. Offsets,
   *  not a view: a Buffer object per frame, and the decoder asking each one for its ArrayBuffer, measured 3 % of
   *  the server's time per record. */
  frame(buf: Buffer, start: number, end: number): void
  /** A frame over `maxFrameBytes`, now read past in full without being kept. */
  skipped(length: number): void
}

export class Framer {
  /** Header bytes of a frame whose 4-byte prefix arrived split across reads. */
  private header = Buffer.alloc(HEADER_BYTES)
  private headerFill = 0
  /** The body being assembled when a frame spans reads (null between frames): it grows with what arrives, not
   *  with what the prefix declares, so a peer that declares 1 MiB and sends a byte holds 64 KiB, not 1 MiB. */
  private body: Buffer | null = null
  private bodyFill = 0
  private bodyLength = 0
  /** Bytes of an oversize frame still to be read past, and its declared length. */
  private skipLeft = 0
  private skipLength = 0

  constructor(readonly maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > MAX_PLAUSIBLE_FRAME_BYTES) {
      throw new RangeError(`invalid maxFrameBytes: ${maxFrameBytes}`)
    }
  }

  /** True while a frame is partly received: EOF now means a truncated frame. */
  get inFrame(): boolean {
    return this.headerFill > 0 || this.body !== null || this.skipLeft > 0
  }

  /** Frames completed or read past so far: with inFrame, tells the caller when a new frame began. */
  framesDone = 0

  /** Memory held for the frame being assembled. */
  get heldBytes(): number {
    return this.body?.length ?? 0
  }

  /**
   * The stream as this framer holds it between frames' bytes, for a hand-over to the next process: the raw
   * bytes of the frame begun (its length prefix included), which a fresh framer fed first rebuilds exactly;
   * or, while an oversize frame is read past, how much is left of it (those bytes were never kept).
   */
  snapshot(): { pending: Buffer; skipLeft: number; skipLength: number } {
    if (this.skipLeft > 0) return { pending: Buffer.alloc(0), skipLeft: this.skipLeft, skipLength: this.skipLength }
    if (this.body !== null) {
      const prefix = Buffer.alloc(HEADER_BYTES)
      prefix.writeUInt32BE(this.bodyLength, 0)
      return { pending: Buffer.concat([prefix, this.body.subarray(0, this.bodyFill)]), skipLeft: 0, skipLength: 0 }
    }
    return { pending: Buffer.from(this.header.subarray(0, this.headerFill)), skipLeft: 0, skipLength: 0 }
  }

  /** The other half of snapshot() for a frame being read past: the next `left` bytes belong to it. */
  resumeSkip(left: number, length: number): void {
    if (this.inFrame) throw new RangeError('resumeSkip: the framer is already inside a frame')
    if (!Number.isInteger(left) || left < 0 || !Number.isInteger(length) || length < left) throw new RangeError(`invalid skip: ${left} of ${length}`)
    this.skipLeft = left
    this.skipLength = length
  }

  /**
   * Hands each complete frame in `chunk` to the sink, in order, so frames before a bad length are delivered
   * before the FrameError for it is thrown. Frames wholly inside one chunk are handed over as offsets into it.
   */
  push(chunk: Buffer, sink: FrameSink): void {
    let pos = 0
    while (pos < chunk.length) {
      if (this.skipLeft > 0) {
        const take = Math.min(this.skipLeft, chunk.length - pos)
        this.skipLeft -= take
        pos += take
        if (this.skipLeft === 0) {
          this.framesDone++
          sink.skipped(this.skipLength)
        }
        continue
      }
      if (this.body !== null) {
        const take = Math.min(this.bodyLength - this.bodyFill, chunk.length - pos)
        if (this.bodyFill + take > this.body.length) this.grow(this.bodyFill + take)
        chunk.copy(this.body, this.bodyFill, pos, pos + take)
        this.bodyFill += take
        pos += take
        if (this.bodyFill === this.bodyLength) {
          const body = this.body
          this.body = null
          this.framesDone++
          sink.frame(body, 0, body.length)
        }
        continue
      }
      let length: number
      if (this.headerFill === 0 && chunk.length - pos >= HEADER_BYTES) {
        length = chunk.readUInt32BE(pos)
        pos += HEADER_BYTES
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - pos)
        chunk.copy(this.header, this.headerFill, pos, pos + take)
        this.headerFill += take
        pos += take
        if (this.headerFill < HEADER_BYTES) break
        this.headerFill = 0
        length = this.header.readUInt32BE(0)
      }
      if (length === 0) throw new FrameError('FRAME_EMPTY', 'zero-length frame')
      if (length > MAX_PLAUSIBLE_FRAME_BYTES) {
        throw new FrameError('FRAME_LENGTH_INVALID', `length prefix of ${length} bytes: beyond any log record (${MAX_PLAUSIBLE_FRAME_BYTES}), so not SocketHandler framing`)
      }
      if (length > this.maxFrameBytes) {
        this.skipLeft = this.skipLength = length
      } else if (chunk.length - pos >= length) {
        const start = pos
        pos += length
        this.framesDone++
        sink.frame(chunk, start, pos)
      } else {
        this.bodyLength = length
        this.body = Buffer.allocUnsafe(Math.min(length, Math.max(FIRST_BODY_BYTES, chunk.length - pos)))
        this.bodyFill = 0
      }
    }
  }

  /** At least `need` bytes, doubling (so the copies stay linear), never past the declared length. */
  private grow(need: number): void {
    const body = this.body as Buffer
    const bigger = Buffer.allocUnsafe(Math.min(this.bodyLength, Math.max(need, body.length * 2)))
    body.copy(bigger, 0, 0, this.bodyFill)
    this.body = bigger
  }
}
