// RELP framing (librelp's doc/relp.html): `TXNR SP COMMAND SP DATALEN [SP DATA] LF`. Encoding our commands,
// and reading the server's replies (`rsp`, `serverclose`) out of a byte stream that may split them anywhere.

/** Transaction numbers run 1…999,999,999 and wrap to 1 (0 is the server's own, for serverclose). */
export const MAX_TXNR = 999_999_999

export function nextTxnr(txnr: number): number {
  return txnr >= MAX_TXNR ? 1 : txnr + 1
}

export function encodeFrame(txnr: number, command: string, data: Buffer | null): Buffer {
  if (data === null || data.length === 0) return Buffer.from(`${txnr} ${command} 0\n`, 'ascii')
  return Buffer.concat([Buffer.from(`${txnr} ${command} ${data.length} `, 'ascii'), data, Buffer.from('\n', 'ascii')])
}

/** What we offer in `open`: protocol version 0 and the one command we use. */
export const OPEN_OFFERS = Buffer.from('relp_version=0\nrelp_software=loggingserver\ncommands=syslog', 'ascii')

export interface RelpFrame {
  txnr: number
  command: string
  data: Buffer
}

/** A reply's status: `200 OK` → 200; anything unreadable → 0. */
export function responseCode(data: Buffer): number {
  const m = /^(\d{3})(?: |\n|$)/.exec(data.subarray(0, 16).toString('latin1'))
  return m ? Number(m[1]) : 0
}

export class RelpProtocolError extends Error {}

/** The longest header we accept ("999999999 serverclose 999999999 "): anything longer is not RELP. */
const MAX_HEADER = 64
/** Replies are short ("200 OK", or the open's offers): a receiver claiming more is broken. */
const MAX_REPLY_DATA = 64 * 1024

/** Splits a byte stream into frames; throws RelpProtocolError on anything that is not RELP. */
export class RelpReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): RelpFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const frames: RelpFrame[] = []
    for (;;) {
      const frame = this.next()
      if (frame === null) return frames
      frames.push(frame)
    }
  }

  private next(): RelpFrame | null {
    const buf = this.pending
    // The header is three space-separated tokens; DATALEN ends at SP (data follows) or LF (no data).
    let spaces = 0
    let end = -1
    for (let i = 0; i < Math.min(buf.length, MAX_HEADER); i++) {
      const c = buf[i]!
      if (c === 0x20) spaces++
      if ((spaces === 3 && c === 0x20) || (spaces === 2 && c === 0x0a)) {
        end = i
        break
      }
    }
    if (end < 0) {
      if (buf.length >= MAX_HEADER) throw new RelpProtocolError(`not a RELP header: ${JSON.stringify(buf.subarray(0, 32).toString('latin1'))}`)
      return null
    }
    const m = /^(\d{1,9}) ([a-z]{1,32}) (\d{1,9})$/.exec(buf.subarray(0, end).toString('latin1'))
    if (!m) throw new RelpProtocolError(`not a RELP header: ${JSON.stringify(buf.subarray(0, end).toString('latin1'))}`)
    const length = Number(m[3])
    if (length > MAX_REPLY_DATA) throw new RelpProtocolError(`a reply of ${length} bytes (at most ${MAX_REPLY_DATA})`)
    const hasData = buf[end] === 0x20
    if (!hasData && length !== 0) throw new RelpProtocolError(`DATALEN ${length} without data`)
    const dataStart = end + 1
    const trailer = dataStart + length
    if (!hasData) {
      this.pending = buf.subarray(dataStart)
      return { txnr: Number(m[1]), command: m[2]!, data: Buffer.alloc(0) }
    }
    if (buf.length <= trailer) return null
    if (buf[trailer] !== 0x0a) throw new RelpProtocolError('frame without its LF trailer')
    this.pending = buf.subarray(trailer + 1)
    return { txnr: Number(m[1]), command: m[2]!, data: buf.subarray(dataStart, trailer) }
  }
}
