// The global bound on memory held by half-received frames. Each connection's own limits (max_frame_bytes, the
// frame deadline) bound one frame, not the sum: 1,000 peers each sending 99 % of a 1 MiB frame held 1.1 GB.
// Past `log.max_partial_bytes` the connections holding the largest partial frames are closed first: they cost
// the most, and a genuine SocketHandler record is almost always far smaller than an attacker's half-frame.

/** A connection that can give up its partial frame (by closing). */
export interface PartialFrameHolder {
  shedPartialFrame(heldBytes: number, totalBytes: number): void
}

export class PartialFrames {
  private readonly held = new Map<PartialFrameHolder, number>()
  private total = 0

  constructor(public maxBytes: number) {}

  /** Bytes held across all connections. */
  get totalBytes(): number {
    return this.total
  }

  /** Records what `holder` holds now (0 between frames), shedding the largest holders while over the bound. */
  update(holder: PartialFrameHolder, bytes: number): void {
    const before = this.held.get(holder) ?? 0
    if (bytes === before) return
    if (bytes === 0) this.held.delete(holder)
    else this.held.set(holder, bytes)
    this.total += bytes - before
    if (this.total > this.maxBytes) this.shed()
  }

  /** Sorting happens only when over the bound, which a normal log host never is. */
  private shed(): void {
    const largestFirst = [...this.held].sort((a, b) => b[1] - a[1])
    const totalBefore = this.total
    const victims: [PartialFrameHolder, number][] = []
    for (const entry of largestFirst) {
      if (this.total <= this.maxBytes) break
      // Forgotten before the holder is told, so a close that reports back (update(holder, 0)) changes nothing.
      this.held.delete(entry[0])
      this.total -= entry[1]
      victims.push(entry)
    }
    for (const [holder, bytes] of victims) holder.shedPartialFrame(bytes, totalBefore)
  }
}
