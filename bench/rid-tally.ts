// The exactly-once check: every record's message starts with "rid=" and 9 digits (bench/record_mix.py), in
// whatever a target writes (text lines or raw pickles). The tally counts each id as the file grows, so it is
// also the bench's clock for "the last record is on disk".
import { open, type FileHandle } from 'node:fs/promises'

const MARK = Buffer.from('rid=')
const TOKEN = MARK.length + 9

export class RidTally {
  private readonly counts: Uint8Array
  private carry: Buffer = Buffer.alloc(0)
  distinct = 0
  duplicates = 0
  /** "rid=" tokens whose id is out of range or not 9 digits: a mangled record. */
  unknown = 0

  constructor(readonly expected: number, private readonly onFirstSeen?: (rid: number) => void) {
    this.counts = new Uint8Array(expected)
  }

  get missing(): number { return this.expected - this.distinct }
  get complete(): boolean { return this.distinct === this.expected }
  get exactlyOnce(): boolean { return this.complete && this.duplicates === 0 && this.unknown === 0 }

  /** Feeds the next bytes of the file; a token cut by the end of `chunk` is finished by the next call. */
  feed(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    let at = buf.indexOf(MARK)
    let end = Math.max(0, buf.length - (MARK.length - 1))
    while (at >= 0) {
      if (at + TOKEN > buf.length) {
        end = at
        break
      }
      this.count(buf, at + MARK.length)
      at = buf.indexOf(MARK, at + TOKEN)
    }
    this.carry = Buffer.from(buf.subarray(end))
  }

  private count(buf: Buffer, from: number): void {
    let rid = 0
    for (let i = from; i < from + 9; i++) {
      const digit = buf[i]! - 0x30
      if (digit < 0 || digit > 9) {
        this.unknown++
        return
      }
      rid = rid * 10 + digit
    }
    if (rid >= this.expected) {
      this.unknown++
      return
    }
    const seen = this.counts[rid]!
    if (seen === 0) {
      this.distinct++
      this.onFirstSeen?.(rid)
    } else {
      this.duplicates++
    }
    if (seen < 255) this.counts[rid] = seen + 1
  }

  summary(): TallySummary {
    return { expected: this.expected, distinct: this.distinct, missing: this.missing, duplicates: this.duplicates, unknown: this.unknown, exactlyOnce: this.exactlyOnce }
  }
}

export interface TallySummary { expected: number; distinct: number; missing: number; duplicates: number; unknown: number; exactlyOnce: boolean }

/** Reads what was appended to `path` since the last call (the file may not exist yet) into `tally`. */
export class FileTail {
  private offset = 0
  private handle: FileHandle | null = null
  private readonly buffer = Buffer.alloc(4 << 20)

  constructor(private readonly path: string, private readonly tally: RidTally) {}

  /** Returns the number of bytes read. */
  async poll(): Promise<number> {
    if (this.handle === null) {
      try {
        this.handle = await open(this.path, 'r')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
        throw err
      }
    }
    let total = 0
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.offset)
      if (bytesRead === 0) return total
      this.offset += bytesRead
      total += bytesRead
      this.tally.feed(this.buffer.subarray(0, bytesRead))
    }
  }

  async close(): Promise<void> {
    await this.handle?.close()
    this.handle = null
  }
}

export interface WaitOptions {
  pollMs: number
  /** Give up once nothing new arrived for this long after `sendersDone()` turned true. */
  stallMs: number
  sendersDone: () => boolean
  /** Fails the run past this long in all (a target that hangs). */
  timeoutMs: number
}

export interface Arrival {
  /** performance.now() of the poll that saw the last record, or of the last growth when `complete` is false. */
  at: number
  /** false: the file stopped growing, short of records, for stallMs after the senders were done. */
  complete: boolean
}

/** Polls until every record is in the file, or it stops growing once the senders are done. */
export async function waitForRecords(tail: FileTail, tally: RidTally, options: WaitOptions): Promise<Arrival> {
  const start = performance.now()
  let lastGrowth = start
  for (;;) {
    if (performance.now() - start > options.timeoutMs) throw new Error(`only ${tally.distinct} of ${tally.expected} records after ${options.timeoutMs} ms`)
    if ((await tail.poll()) > 0) lastGrowth = performance.now()
    if (tally.complete) return { at: performance.now(), complete: true }
    if (options.sendersDone() && performance.now() - lastGrowth > options.stallMs) return { at: lastGrowth, complete: false }
    await new Promise((r) => setTimeout(r, options.pollMs))
  }
}
