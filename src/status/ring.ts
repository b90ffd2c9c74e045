// A fixed-capacity ring of the most recent records (array + head index: no shifting on the hot path).

export class Ring<T> {
  private readonly items: (T | undefined)[]
  private head = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`invalid ring capacity: ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.count
  }

  push(item: T): void {
    this.items[this.head] = item
    this.head = (this.head + 1) % this.capacity
    if (this.count < this.capacity) this.count++
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.latest(this.count)
  }

  /** The newest item, or undefined while empty. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head - 1 + this.capacity) % this.capacity]
  }

  /** The newest `n` items (fewer while the ring holds fewer), oldest first: O(n), not O(capacity). */
  latest(n: number): T[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.count))
    const out: T[] = new Array<T>(k)
    const start = (this.head - k + this.capacity) % this.capacity
    for (let i = 0; i < k; i++) out[i] = this.items[(start + i) % this.capacity] as T
    return out
  }
}
