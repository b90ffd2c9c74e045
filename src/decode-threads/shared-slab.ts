// Memory the event loop and the decode threads share (a SharedArrayBuffer): a read's frames are copied in once and
// the thread reads them where they are, and the thread writes the formatted lines where the loop copies them to
// the file. Nothing is allocated per read: at a few thousand reads a second, fresh buffers (and the copies
// postMessage makes of them) kept V8 running full collections for their external memory, a tenth of a second
// in every second (measured: 24 mark-compacts in 2.4 s, with a heap of 20 MB).
// Regions are handed out in order, round the slab, and come back in the same order (the dispatcher releases reads
// in the order they were read), so a FIFO of regions is the whole allocator; a region a keeper still holds
// (the ring keeps its records' frames to decode when the page asks) stays until let go.

export class Region {
  /** Handed to a thread and not yet released. */
  inUse = true
  /** Holds by keepers (the ring's records), each let go once. */
  holds = 0

  constructor(readonly slab: SharedSlab, readonly start: number, public end: number) {}

  get bytes(): Uint8Array {
    return new Uint8Array(this.slab.buffer, this.start, this.end - this.start)
  }

  hold(): void {
    this.holds++
  }

  letGo(): void {
    this.holds--
    this.slab.reclaim()
  }

  /** The work on it is done; it stays while holds remain. */
  finish(): void {
    this.inUse = false
    this.slab.reclaim()
  }
}

export class SharedSlab {
  readonly buffer: SharedArrayBuffer
  /** Live regions, oldest first, from `first` on (an index, not shift()). */
  private regions: Region[] = []
  private first = 0
  /** Where the next region starts. */
  private next = 0

  constructor(readonly size: number) {
    this.buffer = new SharedArrayBuffer(size)
  }

  /** `length` contiguous bytes, or null when the slab has no such room now (the caller copies instead). */
  take(length: number): Region | null {
    if (length <= 0 || length > this.size) return null
    let start: number
    if (this.first === this.regions.length) start = 0
    else {
      const oldest = this.regions[this.first]!.start
      // Regions are never empty (shrink keeps a byte), so next === oldest means wrapped and full.
      if (this.next > oldest) {
        // Not wrapped: room at the end, else from 0 up to the oldest.
        if (this.next + length <= this.size) start = this.next
        else if (length <= oldest) start = 0
        else return null
      } else if (this.next + length <= oldest) start = this.next
      else return null
    }
    const region = new Region(this, start, start + length)
    this.regions.push(region)
    this.next = start + length
    return region
  }

  /** The newest region keeps only its first `length` bytes (a read's frames took less than was reserved). */
  shrink(region: Region, length: number): void {
    if (this.regions[this.regions.length - 1] !== region) return
    region.end = region.start + Math.max(1, length)
    this.next = region.end
  }

  /** Frees the oldest regions no one uses or holds any more. */
  reclaim(): void {
    const { regions } = this
    while (this.first < regions.length && !regions[this.first]!.inUse && regions[this.first]!.holds === 0) this.first++
    if (this.first === regions.length) {
      this.regions = []
      this.first = 0
      this.next = 0
    } else if (this.first > 256 && this.first * 2 > regions.length) {
      this.regions = regions.slice(this.first)
      this.first = 0
    }
  }
}
