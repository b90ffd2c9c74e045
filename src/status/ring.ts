// A fixed-capacity ring of the most recent records (array + head index: no shifting on the hot path).
// An item may be deferred (a record a decode thread handled, kept as its frame): it is resolved when first read,
// through `finish`, and kept resolved. A deferred item is a place in a source (a run of records), not an object
// of its own: at hundreds of thousands of records a second, nearly all of them pass through unread.

/** Where deferred items come from: item `index`, numbered `seq`, made when first read. The ring holds the source
 *  once per deferred item it keeps, and lets go when the item is resolved or pushed out. */
export interface DeferredSource<T> {
  resolve(index: number, seq: number): T
  hold?(): void
  letGo?(): void
}

export class Ring<T> {
  private readonly items: (T | DeferredSource<T> | undefined)[]
  /** For a deferred item: its index in its source and its seq. */
  private readonly deferredIndex: Float64Array
  private readonly deferredSeq: Float64Array
  private head = 0
  private count = 0

  /** `finish`: what a deferred item becomes once resolved (the recent view of a record). */
  constructor(readonly capacity: number, private readonly finish: (item: T) => T = (item) => item) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`invalid ring capacity: ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
    this.deferredIndex = new Float64Array(capacity)
    this.deferredSeq = new Float64Array(capacity)
  }

  get size(): number {
    return this.count
  }

  push(item: T): void {
    this.put(item)
  }

  /** Item `index` of `source`, numbered `seq`, resolved when first read. */
  pushDeferred(source: DeferredSource<T>, index: number, seq: number): void {
    source.hold?.()
    this.deferredIndex[this.head] = index
    this.deferredSeq[this.head] = seq
    this.put(source)
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.latest(this.count)
  }

  /** The newest item, or undefined while empty. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.at((this.head - 1 + this.capacity) % this.capacity)
  }

  /** The newest `n` items (fewer while the ring holds fewer), oldest first: O(n), not O(capacity). */
  latest(n: number): T[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.count))
    const out: T[] = new Array<T>(k)
    const start = (this.head - k + this.capacity) % this.capacity
    for (let i = 0; i < k; i++) out[i] = this.at((start + i) % this.capacity)
    return out
  }

  private put(item: T | DeferredSource<T>): void {
    const old = this.items[this.head]
    if (old !== undefined && isDeferred(old)) old.letGo?.()
    this.items[this.head] = item
    this.head = (this.head + 1) % this.capacity
    if (this.count < this.capacity) this.count++
  }

  private at(index: number): T {
    const item = this.items[index] as T | DeferredSource<T>
    if (!isDeferred(item)) return item
    const resolved = this.finish(item.resolve(this.deferredIndex[index]!, this.deferredSeq[index]!))
    this.items[index] = resolved
    item.letGo?.()
    return resolved
  }
}

function isDeferred<T>(item: T | DeferredSource<T>): item is DeferredSource<T> {
  return typeof item === 'object' && item !== null && typeof (item as Partial<DeferredSource<T>>).resolve === 'function'
}
