// The Koa app of the status port. It only reads: statistics, the recent ring and the writer's health
// arrive through a ServerView that main builds. Security headers, optional basic auth, then the routes.
import Router from '@koa/router'
import Koa from 'koa'
import type { Diagnostics } from '../diagnostic-codes.js'
import { BasicAuth } from './basic-auth.js'
import { httpHandlerRoute } from './http-handler-route.js'
import type { WebAdmissions } from './limits.js'
import type { MetricsExposition } from './metrics.js'
import { createRecordJson, WHOLE_TEXT_CHARS } from './record-json.js'
import { apiRoutes, healthRoutes } from './routes/api.js'
import { eventRoutes, RecordStream } from './routes/events.js'
import { pageRoutes } from './routes/page.js'
import type { ServerView } from './server-view.js'

/**
 * No inline script or style anywhere (the page's script and CSS are files), so log-derived text that
 * somehow became markup still could not run. connect-src 'self' covers fetch and EventSource.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Open without credentials even when web.auth is set: load balancers and systemd probes have none. */
const OPEN_PATHS = new Set(['/healthz'])

/** Codes of a peer that reset, closed early or stopped reading: routine on a public port, not a server fault. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SLOW_READER'])

export function isClientGone(err: Error & { code?: unknown }): boolean {
  return (typeof err.code === 'string' && CLIENT_GONE.has(err.code)) || err.message === 'aborted'
}

/** Server faults are reported with their stack; clients that went away (or were cut off) at debug. */
export function createApp(view: ServerView, diagnostics: Diagnostics, admissions: WebAdmissions, metrics: MetricsExposition): Koa {
  const app = new Koa()
  const onError = (err: Error): void => diagnostics.report('LS-WEB-INTERNAL-ERROR', `status page: ${err.stack ?? err.message}`)
  app.on('error', (err: Error & { code?: unknown }, ctx?: Koa.Context) => {
    if (!isClientGone(err)) return onError(err)
    const code = typeof err.code === 'string' && !err.message.includes(err.code) ? `${err.code}: ` : ''
    diagnostics.report('LS-WEB-CLIENT-GONE', `status page: ${ctx ? `${ctx.method} ${ctx.url} from ${ctx.ip}: ` : ''}${code}${err.message}`)
  })
  const { config } = view
  const time = { datefmt: config.file.datefmt, utc: config.file.utc }
  const toJson = createRecordJson(time)
  const toWholeJson = createRecordJson(time, WHOLE_TEXT_CHARS)
  const stream = new RecordStream(view.ring, toJson)
  const { heavy, streams: subscribers } = admissions
  const auth = config.web.auth ? new BasicAuth(config.web.auth) : null

  app.use(async (ctx, next) => {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.set('X-Frame-Options', 'DENY')
    ctx.set('Referrer-Policy', 'no-referrer')
    try {
      await next()
    } catch (err) {
      // koa's rule: a 4xx carries its message to the client; anything else is a bare 500, details to onError.
      const e = err as Error & { status?: number; expose?: boolean }
      const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500
      ctx.status = status
      ctx.set('Cache-Control', 'no-store')
      ctx.body = { error: status < 500 && e.expose ? e.message : 'internal error' }
      if (status >= 500) onError(e instanceof Error ? e : new Error(String(e)))
    }
  })

  // Before the page's auth: senders are checked against their own users (web.http_handler_auth), never the readers'.
  if (view.httpInput) {
    const senders = config.web.http_handler_auth ? new BasicAuth(config.web.http_handler_auth) : null
    app.use(httpHandlerRoute({ input: view.httpInput, auth: senders, maxBodyBytes: config.web.http_handler_max_bytes, maxBodiesBytes: config.log.max_partial_bytes, backpressure: view.backpressure }))
  }

  if (auth) {
    app.use(async (ctx, next) => {
      const user = await auth.check(ctx.get('Authorization') || undefined)
      ctx.state['authenticated'] = user !== null
      if (user === null && !OPEN_PATHS.has(ctx.path)) {
        ctx.status = 401
        ctx.set('WWW-Authenticate', auth.challenge)
        ctx.body = { error: 'authentication required' }
        return
      }
      await next()
    })
  }

  const router = new Router()
  healthRoutes(router, view)
  apiRoutes(router, { view, toJson, toWholeJson, heavy, streamClients: () => stream.size, metrics })
  eventRoutes(router, stream, subscribers)
  pageRoutes(router, { cssFile: config.web.css_file, diagnostics })
  app.use(router.routes()).use(router.allowedMethods())
  return app
}
