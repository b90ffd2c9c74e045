// Splits a TCP byte stream into SocketHandler frames: a 4-byte big-endian length, then that many bytes.
// Pure: bytes in, frames out. The length is checked against the limit before a byte is allocated for it.
import { FrameError } from '../errors.js'

const HEADER_BYTES = 4

export class Framer {
  /** Header bytes of a frame whose 4-byte prefix arrived split across reads. */
  private header = Buffer.alloc(HEADER_BYTES)
  private headerFill = 0
  /** The body being assembled when a frame spans reads; null between frames. */
  private body: Buffer | null = null
  private bodyFill = 0

  constructor(readonly maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) throw new RangeError(`invalid maxFrameBytes: ${maxFrameBytes}`)
  }

  /** True while a frame is partly received: EOF now means a truncated frame. */
  get inFrame(): boolean {
    return this.headerFill > 0 || this.body !== null
  }

  /**
   * Calls `onFrame` with each complete frame in `chunk` (payload without the prefix), in order, so frames
   * before a bad one are delivered before the FrameError for a zero or oversize length is thrown. Frames
   * wholly inside one chunk are zero-copy views of it, valid only during the call.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let pos = 0
    while (pos < chunk.length) {
      if (this.body !== null) {
        const take = Math.min(this.body.length - this.bodyFill, chunk.length - pos)
        chunk.copy(this.body, this.bodyFill, pos, pos + take)
        this.bodyFill += take
        pos += take
        if (this.bodyFill === this.body.length) {
          const body = this.body
          this.body = null
          onFrame(body)
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
      this.checkLength(length)
      if (chunk.length - pos >= length) {
        const start = pos
        pos += length
        onFrame(chunk.subarray(start, pos))
      } else {
        this.body = Buffer.allocUnsafe(length)
        this.bodyFill = 0
      }
    }
  }

  private checkLength(length: number): void {
    if (length === 0) throw new FrameError('FRAME_EMPTY', 'zero-length frame')
    if (length > this.maxFrameBytes) {
      throw new FrameError('FRAME_TOO_LARGE', `frame of ${length} bytes is over the limit of ${this.maxFrameBytes} (log.max_frame_bytes)`)
    }
  }
}
