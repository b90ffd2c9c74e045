// Each record's time from arrival to the end of the write that put it on disk. Records reach the disk in the
// order the file accepted them (held records during a rotation included), and the writer counts completed
// records, so a FIFO of arrival times in acceptance order is enough: no time travels with the bytes.

/** Where latencies go (a prom-client Histogram has this shape). */
export interface LatencyObserver {
  observe(seconds: number): void
}

export class WriteLatency {
  private times = new Float64Array(4096)
  /** Records accepted and completed since start: the FIFO holds times[completed .. accepted). */
  private accepted = 0
  private completed = 0

  constructor(private readonly observer: LatencyObserver) {}

  /** A record the file accepted, in order; `receivedSeconds` as LogRecord.received. */
  accept(receivedSeconds: number): void {
    if (this.accepted - this.completed === this.times.length) this.grow()
    this.times[this.accepted % this.times.length] = receivedSeconds
    this.accepted++
  }

  /** The writer has completed `completedTotal` records since start. */
  written(completedTotal: number, nowSeconds: number): void {
    const until = Math.min(completedTotal, this.accepted)
    const { times } = this
    for (; this.completed < until; this.completed++) this.observer.observe(Math.max(0, nowSeconds - times[this.completed % times.length]!))
  }

  /** Doubles, keeping the FIFO's order (its start moves to index completed % newLength). */
  private grow(): void {
    const old = this.times
    const bigger = new Float64Array(old.length * 2)
    for (let i = this.completed; i < this.accepted; i++) bigger[i % bigger.length] = old[i % old.length]!
    this.times = bigger
  }
}
