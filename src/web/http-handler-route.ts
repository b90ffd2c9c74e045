// The HTTP side of the HTTPHandler input (web.http_handler_path): who may send (log.allow, then the senders'
// own basic auth, never the page's), which requests are HTTPHandler's (POST with a form body, or GET with the
// form in the URL), and how much of them is read. Every refusal is answered with its own 4xx and counted.
import getRawBody from 'raw-body'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type Koa from 'koa'
import type { RejectCode } from '../errors.js'
import type { HttpInput } from '../http-input/http-input.js'
import type { BasicAuth } from './basic-auth.js'

/** How long the unread rest of a refused request is read and dropped before the answer. */
const LINGER_MS = 1000
/** A GET carries the whole record in its URL: past this, 414 (nginx's default buffer is as large). */
export const MAX_URL_BYTES = 8 * 1024
/** While the central file is behind, a request waits this long before its body is read (the log port pauses). */
const BACKPRESSURE_WAIT_MS = 10_000
const BACKPRESSURE_POLL_MS = 50

export interface HttpHandlerOptions {
  input: HttpInput
  /** The senders' users (web.http_handler_auth); null = anyone log.allow admits. */
  auth: BasicAuth | null
  maxBodyBytes: number
  /** All bodies being received together, at most (log.max_partial_bytes). */
  maxBodiesBytes: number
  backpressure: () => boolean
}

export function httpHandlerRoute({ input, auth, maxBodyBytes, maxBodiesBytes, backpressure }: HttpHandlerOptions): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== input.path) return next()
    const address = ctx.req.socket.remoteAddress ?? ''
    const peer = peerOf(address)
    ctx.set('Cache-Control', 'no-store')
    const refuse = async (status: number, code: RejectCode, detail: string): Promise<void> => {
      input.reject(code, peer, `${detail} (${status})`)
      await discardBriefly(ctx.req)
      ctx.status = status
      ctx.set('Connection', 'close')
      ctx.body = { error: detail }
    }
    if (!input.allows(address)) return refuse(403, 'NOT_ALLOWED', 'not in log.allow')
    if (auth !== null && (await auth.check(ctx.get('Authorization') || undefined)) === null) {
      ctx.set('WWW-Authenticate', auth.challenge)
      return refuse(401, 'HTTP_UNAUTHORIZED', 'sender credentials required (web.http_handler_auth)')
    }
    let body: string
    if (ctx.method === 'GET') {
      if (Buffer.byteLength(ctx.url) > MAX_URL_BYTES) return refuse(414, 'HTTP_TOO_LARGE', `URL over ${MAX_URL_BYTES} bytes: use method="POST"`)
      body = ctx.querystring
    } else if (ctx.method === 'POST') {
      if (!ctx.is('application/x-www-form-urlencoded')) return refuse(415, 'HTTP_BAD_REQUEST', `content type ${ctx.get('Content-Type') || 'missing'}: HTTPHandler sends application/x-www-form-urlencoded`)
      const declared = Number(ctx.get('Content-Length') || NaN)
      if (declared > maxBodyBytes) return refuse(413, 'HTTP_TOO_LARGE', `body of ${declared} bytes over web.http_handler_max_bytes (${maxBodyBytes})`)
      const reserved = Number.isSafeInteger(declared) ? declared : maxBodyBytes
      if (!input.reserveBody(reserved, maxBodiesBytes)) {
        ctx.set('Retry-After', '1')
        return refuse(503, 'HTTP_TOO_LARGE', `request bodies being received hold over log.max_partial_bytes (${maxBodiesBytes})`)
      }
      try {
        await waitWhile(backpressure)
        body = await getRawBody(ctx.req, { limit: maxBodyBytes, encoding: 'utf-8', ...(Number.isSafeInteger(declared) ? { length: declared } : {}) })
      } catch (err) {
        const e = err as Error & { type?: string }
        if (e.type === 'entity.too.large') return refuse(413, 'HTTP_TOO_LARGE', `body over web.http_handler_max_bytes (${maxBodyBytes})`)
        if (e.type === 'request.aborted' || e.type === 'request.size.invalid') return refuse(400, 'HTTP_BAD_REQUEST', e.message)
        throw err
      } finally {
        input.releaseBody(reserved)
      }
    } else {
      ctx.set('Allow', 'GET, POST')
      return refuse(405, 'HTTP_BAD_REQUEST', `method ${ctx.method}: HTTPHandler sends POST or GET`)
    }
    const problem = input.accept(new URLSearchParams(body), peer)
    if (problem !== null) {
      ctx.status = 400
      ctx.body = { error: problem }
      return
    }
    ctx.status = 204
  }
}

/**
 * Reads and drops what is left of a refused request, up to LINGER_MS: answering with it unread makes the kernel
 * reset the connection at close, which may destroy the answer before the client reads it.
 */
function discardBriefly(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.complete) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      req.off('end', done).off('error', done).off('close', done)
      resolve()
    }
    const timer = setTimeout(done, LINGER_MS)
    req.on('end', done).on('error', done).on('close', done)
    req.on('data', () => {}).resume()
  })
}

/** Node's own answers to requests it cannot parse (what it sends when no 'clientError' listener is set). */
const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
}

/**
 * As Node answers, plus: with the HTTPHandler input on, a request over the 16 KiB header limit is most likely
 * a GET record in its URL, so it is counted (http_too_large) rather than vanish. Node has parsed no path yet.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex, input: HttpInput): void {
  const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request'
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    input.reject('HTTP_TOO_LARGE', peerOf((socket as Socket).remoteAddress), 'request headers (a GET record\'s URL) over 16 KiB (431): use method="POST"')
  }
  if (!socket.writable || (socket as Socket).bytesWritten !== 0) return void socket.destroy(err)
  // Closing with the rest of the request unread makes the kernel reset the connection, and the client may lose
  // this answer with it: half-close after the answer and read on (discarding) for a moment, as nginx lingers.
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
  socket.on('data', () => {}).resume()
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}

/** The client column's spelling of a socket's peer: an IPv4 peer on a dual-stack socket as IPv4. */
function peerOf(address: string | undefined): string {
  if (!address) return 'unknown'
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

/** Holds the request (its body unread, so TCP pushes back on the sender) while the file is behind, up to a bound. */
async function waitWhile(busy: () => boolean): Promise<void> {
  const deadline = Date.now() + BACKPRESSURE_WAIT_MS
  while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, BACKPRESSURE_POLL_MS))
}
