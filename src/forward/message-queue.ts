// The bounded FIFO of encoded messages waiting for one target. `bytes` counts what it holds; the bound is
// the target's (it also counts RELP's unacknowledged messages, held elsewhere).

export class MessageQueue {
  private items: Buffer[] = []
  private head = 0
  bytes = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(message: Buffer): void {
    this.items.push(message)
    this.bytes += message.length
  }

  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined
    const message = this.items[this.head]!
    this.items[this.head++] = EMPTY
    this.bytes -= message.length
    // Compact once the consumed half is large: shift() stays O(1) amortised without Array.prototype.shift's copy.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return message
  }

  /** Puts `messages` back in front, in their order (RELP's unacknowledged ones, after a reconnect). */
  unshiftAll(messages: readonly Buffer[]): void {
    if (messages.length === 0) return
    this.items = [...messages, ...this.items.slice(this.head)]
    this.head = 0
    for (const m of messages) this.bytes += m.length
  }

  clear(): number {
    const n = this.length
    this.items = []
    this.head = 0
    this.bytes = 0
    return n
  }
}

const EMPTY = Buffer.alloc(0)
