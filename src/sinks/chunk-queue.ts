// The writer's backlog: strings appended into buckets of at most maxBytes, each bucket's byte length and
// entry count kept as data arrives, so nothing accumulated is ever re-measured (unlike sonic-boom's loop).

export class ChunkQueue {
  private bufs: string[] = []
  private lens: number[] = []
  private counts: number[] = []

  constructor(private readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError(`maxWriteBytes must be positive: ${maxBytes}`)
  }

  get length(): number { return this.bufs.length }

  /** `bytes` is data's UTF-8 length; an entry larger than maxBytes gets a bucket of its own, whole. */
  push(data: string, bytes: number): void {
    const last = this.bufs.length - 1
    const lastLen = this.lens[last]
    if (lastLen !== undefined && lastLen + bytes <= this.maxBytes) {
      this.bufs[last] += data // V8 makes this a rope; Buffer.from() flattens it once, at write time
      this.lens[last] = lastLen + bytes
      this.counts[last]! += 1
    } else {
      this.bufs.push(data)
      this.lens.push(bytes)
      this.counts.push(1)
    }
  }

  /** The oldest bucket as one Buffer plus how many entries it holds, or null when empty. */
  shift(): { buf: Buffer; count: number } | null {
    const data = this.bufs.shift()
    if (data === undefined) return null
    this.lens.shift()
    return { buf: Buffer.from(data), count: this.counts.shift()! }
  }
}
