// The writer's backlog, already in UTF-8: each entry is encoded once, as it arrives, straight into a pool of
// maxBytes, and handed to write(2) as a view of that pool. Its byte length comes from the encoding itself, so
// nothing is measured twice, and no string of a whole bucket is ever built (V8 flattened such a rope of a
// thousand lines, then encoded it: twice the copying, measured at about 0.7 µs a line).
// A pool whose every bucket has been written is kept for the next one: at 400k records a second a fresh 1 MiB
// pool every 10 ms was external memory that V8 counts towards its next full collection.

/** Buffer.prototype's own UTF-8 encoder, what write(string, offset) calls once it has checked its arguments
 *  (that wrapper cost a third as much as the encoding). Not in the typings; present since Node 0.x. */
interface Utf8Writer {
  utf8Write(text: string, offset: number): number
}

export class ChunkQueue {
  /** Buckets handed over or sealed and not yet shifted, oldest first, with their entry counts. */
  private readonly sealed: Buffer[] = []
  private readonly sealedCounts: number[] = []
  /** Entries not yet shifted are pool[start, end), `count` of them; the pool fills from `end`. */
  private pool: Buffer
  private start = 0
  private end = 0
  private count = 0
  /** A written pool, ready to be filled again. */
  private spare: Buffer | null = null

  constructor(private readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError(`maxWriteBytes must be positive: ${maxBytes}`)
    this.pool = newPool(maxBytes)
  }

  get length(): number {
    return this.sealed.length + (this.count > 0 ? 1 : 0)
  }

  /** Appends `data` as UTF-8 and returns its byte length; an entry larger than maxBytes gets a bucket of its
   *  own, whole. */
  push(data: string): number {
    // A UTF-16 unit never takes more than 3 bytes: only an entry near the pool's end is measured first.
    if (data.length * 3 > this.pool.length - this.end) {
      const measured = Buffer.byteLength(data)
      if (!this.fits(measured)) return this.ownBucket(Buffer.from(data), 1)
    }
    const bytes = (this.pool as unknown as Utf8Writer).utf8Write(data, this.end)
    this.end += bytes
    this.count += 1
    return bytes
  }

  /** push() of `entries` records' lines already in UTF-8 (copied: `bytes` may be reused). */
  pushBytes(bytes: Uint8Array, entries: number): number {
    const n = bytes.byteLength
    if (!this.fits(n)) return this.ownBucket(Buffer.from(bytes), entries)
    this.pool.set(bytes, this.end)
    this.end += n
    this.count += entries
    return n
  }

  /** The oldest bucket plus how many entries it holds, or null when empty. The bucket is a view of the pool
   *  that nothing writes over: the pool only fills past it. */
  shift(): { buf: Buffer; count: number } | null {
    if (this.sealed.length === 0) this.seal()
    const buf = this.sealed.shift()
    if (buf === undefined) return null
    return { buf, count: this.sealedCounts.shift()! }
  }

  /**
   * `buf`, a bucket shift() gave, is written: once no bucket still queued is in its pool (and that pool is no
   * longer filling), the pool is kept as the spare. Any queued bucket, not only the next: a bucket of its own
   * (an entry over maxBytes) can stand between two buckets of one pool.
   */
  written(buf: Buffer): void {
    const memory = buf.buffer
    if (memory === this.pool.buffer || memory.byteLength !== this.maxBytes) return // the pool filling now, or a bucket of its own
    for (const queued of this.sealed) if (queued.buffer === memory) return
    this.spare = Buffer.from(memory)
  }

  /** Whether `bytes` go into the pool: they fit after it, or the pool is sealed and a fresh one started; false
   *  (the pool sealed) for more than a pool holds. */
  private fits(bytes: number): boolean {
    if (bytes <= this.pool.length - this.end) return true
    this.seal()
    if (bytes > this.maxBytes) return false
    this.pool = this.spare ?? newPool(this.maxBytes)
    this.spare = null
    this.start = 0
    this.end = 0
    return true
  }

  /** A bucket of its own for `buf`, after what is sealed. */
  private ownBucket(buf: Buffer, entries: number): number {
    this.sealed.push(buf)
    this.sealedCounts.push(entries)
    return buf.length
  }

  private seal(): void {
    if (this.count === 0) return // an empty entry still counts: its bucket may be empty, not missing
    this.sealed.push(this.pool.subarray(this.start, this.end))
    this.sealedCounts.push(this.count)
    this.start = this.end
    this.count = 0
  }
}

/** Memory of its own (never a slice of Node's shared pool, which other Buffers use): it is filled again. */
function newPool(bytes: number): Buffer {
  return Buffer.allocUnsafeSlow(bytes)
}
