// The bounded FIFO of encoded messages waiting for one target. `bytes` counts what it holds; the bound is
// the target's (it also counts RELP's unacknowledged messages, held elsewhere).
//
// Why chunks and not an array of Buffers: a queue filled while the receiver is down holds hundreds of thousands
// of ~200-byte messages, and one Buffer each costs its object and the pool slab it shares with the encoder's
// garbage: measured, RSS grew 4× queue_bytes. Copied end to end into large chunks, the queue costs what it holds.

/** Messages are copied into chunks of this size (a larger message gets a chunk of its own). */
const CHUNK_BYTES = 64 * 1024
/** Each message is stored as its length (uint32, LE) and its bytes. */
const LENGTH_BYTES = 4

export class MessageQueue {
  /** Oldest first; messages never span chunks. A chunk is only ever appended to, never overwritten. */
  private chunks: Buffer[] = []
  /** Bytes written into each chunk. */
  private used: number[] = []
  /** Where the next message starts in chunks[0]. */
  private readAt = 0
  private count = 0
  bytes = 0

  get length(): number {
    return this.count
  }

  push(message: Buffer): void {
    const need = LENGTH_BYTES + message.length
    let last = this.chunks.length - 1
    if (last < 0 || this.used[last]! + need > this.chunks[last]!.length) {
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, need)))
      this.used.push(0)
      last++
    }
    const chunk = this.chunks[last]!
    const at = this.used[last]!
    chunk.writeUInt32LE(message.length, at)
    message.copy(chunk, at + LENGTH_BYTES)
    this.used[last] = at + need
    this.count++
    this.bytes += message.length
  }

  /** The oldest message: a view of the queue's chunk, valid for as long as it is held (chunks are not reused). */
  shift(): Buffer | undefined {
    if (this.count === 0) return undefined
    while (this.readAt >= this.used[0]!) {
      this.chunks.shift()
      this.used.shift()
      this.readAt = 0
    }
    const chunk = this.chunks[0]!
    const length = chunk.readUInt32LE(this.readAt)
    const start = this.readAt + LENGTH_BYTES
    this.readAt = start + length
    this.count--
    this.bytes -= length
    return chunk.subarray(start, start + length)
  }

  /** Puts `messages` back in front, in their order (RELP's unacknowledged ones, after a reconnect). */
  unshiftAll(messages: readonly Buffer[]): void {
    if (messages.length === 0) return
    const front = Buffer.allocUnsafeSlow(messages.reduce((n, m) => n + LENGTH_BYTES + m.length, 0))
    let at = 0
    for (const m of messages) {
      front.writeUInt32LE(m.length, at)
      m.copy(front, at + LENGTH_BYTES)
      at += LENGTH_BYTES + m.length
      this.bytes += m.length
    }
    if (this.chunks.length > 0) {
      // The head chunk from where reading stopped: a view, so the tail keeps taking appends in place.
      this.chunks[0] = this.chunks[0]!.subarray(this.readAt)
      this.used[0] = this.used[0]! - this.readAt
    }
    this.chunks.unshift(front)
    this.used.unshift(front.length)
    this.readAt = 0
    this.count += messages.length
  }

  clear(): number {
    const n = this.count
    this.chunks = []
    this.used = []
    this.readAt = 0
    this.count = 0
    this.bytes = 0
    return n
  }
}
