// The HTTPHandler input as one thing with counters: who may send (log.allow), turning a request's fields into
// a record for the dispatcher (file, ring, stats), and counting what it refuses. The web room owns the HTTP
// side (path, methods, auth, sizes) and calls this; the status page lists it through status().
import type { Dispatcher } from '../dispatcher.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import { diagnosticCodeOf, type RejectCode } from '../errors.js'
import { PeerAllow } from '../peer-allow.js'
import type { InputStatusJson } from '../status/io-status.js'
import type { Stats } from '../status/stats.js'
import { FormError, formToLogRecord } from './form-record.js'

export interface HttpInputContext {
  dispatcher: Pick<Dispatcher, 'accept'>
  stats: Pick<Stats, 'reject'>
  diagnostics: Diagnostics
}

export class HttpInput {
  private records = 0
  private rejected = 0
  private allow: PeerAllow | null
  /** Bytes reserved by request bodies being received (their declared length, or the limit when chunked). */
  private bodyBytes = 0
  /** "POST /log on 127.0.0.1:9021", once the status port listens. */
  address: string

  constructor(private readonly context: HttpInputContext, readonly path: string, allow: readonly string[] | null) {
    this.allow = PeerAllow.from(allow)
    this.address = `POST ${path}`
  }

  /** SIGHUP: log.allow applies to this input too. */
  reconfigure(allow: readonly string[] | null): void {
    this.allow = PeerAllow.from(allow)
  }

  /** `socketAddress` as the socket reports it (::ffff:10.0.0.1 on a dual-stack socket matches 10.0.0.0/8). */
  allows(socketAddress: string): boolean {
    return this.allow === null || this.allow.allows(socketAddress)
  }

  /**
   * Room for a body about to be read, within `maxBytes` for all requests together (log.max_partial_bytes, as
   * the log port's half-received frames): each body is bounded, their sum must be too. One body always fits.
   */
  reserveBody(bytes: number, maxBytes: number): boolean {
    if (this.bodyBytes > 0 && this.bodyBytes + bytes > maxBytes) return false
    this.bodyBytes += bytes
    return true
  }

  releaseBody(bytes: number): void {
    this.bodyBytes -= bytes
  }

  /** One request's fields: null when the record went to the dispatcher, else why not (already counted). */
  accept(form: URLSearchParams, peer: string): string | null {
    let record
    try {
      record = formToLogRecord(form, peer, Date.now() / 1000)
    } catch (err) {
      if (!(err instanceof FormError)) throw err
      this.reject('HTTP_BAD_REQUEST', peer, err.message)
      return err.message
    }
    this.records++
    this.context.dispatcher.accept(record)
    return null
  }

  /** Counts a refused request in this input's row and the server's reject reasons, with a rate-limited line. */
  reject(code: RejectCode, peer: string, detail: string): void {
    this.rejected++
    this.context.stats.reject(code)
    this.context.diagnostics.reportLimited(diagnosticCodeOf(code), `HTTP record from ${peer} refused: ${detail}`)
  }

  status(): InputStatusJson {
    return { kind: 'http', address: this.address, records: this.records, rejected: this.rejected, open: null }
  }
}
