// Web-side limits, in one place: how many heavy responses (and SSE subscribers) may be in flight, from
// everyone and from one address, and how long a response may wait for a reader. A client that asks for
// megabytes and never reads must cost a bounded amount of memory and time, and never stall /healthz.
import type { Context } from 'koa'
import type { ServerResponse } from 'node:http'
import type { ErrorBody } from './api-contract.js'

export interface AdmissionLimits {
  /** In flight at once, from all clients together. */
  total: number
  /** In flight at once from one remote address (behind a reverse proxy, that is the proxy's). */
  perClient: number
}

/**
 * /api/records and /api/records/:seq. The page has one of these open at a time; a list is at most
 * recent_records × LISTED_TEXT_CHARS (../text-caps.ts) of text, so 16 cover a busy office without letting one host hog them.
 */
export const HEAVY_RESPONSES: AdmissionLimits = { total: 16, perClient: 4 }

/** /api/stream: one per open page; `web.max_streams` in all (browsers open at most 6 connections per host). */
export const STREAMS_PER_CLIENT = 8

/** The stream limits for a config's `web.max_streams`. */
export function streamLimits(maxStreams: number): AdmissionLimits {
  return { total: maxStreams, perClient: Math.min(STREAMS_PER_CLIENT, maxStreams) }
}

/** The status port's admissions, kept by the port across app rebuilds. */
export interface WebAdmissions {
  heavy: Admission
  streams: Admission
}

/**
 * Slow HTTP cannot hold a socket: request headers must be in within HEADERS_TIMEOUT_MS and a whole request
 * within REQUEST_TIMEOUT_MS (Node checks every CONNECTIONS_CHECK_MS; its defaults are 60 s, 300 s and 30 s).
 */
export const HEADERS_TIMEOUT_MS = 10_000
export const REQUEST_TIMEOUT_MS = 30_000
export const CONNECTIONS_CHECK_MS = 1000

/**
 * A response whose socket took no byte for this long is destroyed: the reader has stopped reading. Node's
 * idle timer lets a write that was still moving at the first expiry run one period more: cut after 10–20 s.
 */
export const STALL_MS = 10_000

/** ... and one still unfinished after this long is destroyed too: a trickle reader holds it for ever otherwise. */
export const RESPONSE_DEADLINE_MS = 60_000

/** What a refused client is told to wait: long enough for a slot to free, short enough for a page's poll. */
export const RETRY_AFTER_SECONDS = 2

/** The error a cut-off response is destroyed with; the app logs it at debug, like a client reset. */
export class SlowReaderError extends Error {
  readonly code = 'ERR_SLOW_READER'
}

/**
 * Counts what is in flight, in total and per client, and admits up to the limits. Outlives the app it serves
 * (a SIGHUP rebuilds the app), so what is still open on an old app keeps counting; new limits apply to new
 * admissions.
 */
export class Admission {
  private readonly byClient = new Map<string, number>()
  private count = 0

  constructor(readonly what: string, public limits: AdmissionLimits) {}

  get inFlight(): number {
    return this.count
  }

  /** A release function (calling it twice releases once), or null when the total or the client's share is taken. */
  tryAdmit(client: string): (() => void) | null {
    const mine = this.byClient.get(client) ?? 0
    if (this.count >= this.limits.total || mine >= this.limits.perClient) return null
    this.count++
    this.byClient.set(client, mine + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.count--
      const left = (this.byClient.get(client) ?? 1) - 1
      if (left === 0) this.byClient.delete(client)
      else this.byClient.set(client, left)
    }
  }
}

/**
 * Admits this request until its response closes (finished, failed or cut off), or answers
 * 503 + Retry-After + a JSON error and returns false.
 */
export function admitRequest(ctx: Context, admission: Admission): boolean {
  const release = admission.tryAdmit(ctx.ip)
  if (release === null) {
    ctx.status = 503
    ctx.set('Retry-After', String(RETRY_AFTER_SECONDS))
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { error: `too many ${admission.what} in flight; retry in ${RETRY_AFTER_SECONDS} s` } satisfies ErrorBody
    return false
  }
  ctx.res.once('close', release)
  return true
}

/**
 * Destroys the response once its reader makes no progress for stallMs (the socket's idle timer: writes
 * that the kernel cannot take are no activity) or it is still unfinished after deadlineMs.
 */
export function cutOffSlowReader(res: ServerResponse, { stallMs = STALL_MS, deadlineMs = RESPONSE_DEADLINE_MS } = {}): void {
  const cut = (why: string): void => void res.destroy(new SlowReaderError(`${why}, cut off`))
  res.setTimeout(stallMs, () => cut(`no progress for ${stallMs / 1000} s`))
  const deadline = setTimeout(() => cut(`unfinished after ${deadlineMs / 1000} s`), deadlineMs)
  deadline.unref()
  res.once('close', () => clearTimeout(deadline))
}
