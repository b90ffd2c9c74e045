// The Koa app of the status port. It only reads: statistics, the recent ring and the writer's health
// arrive through a ServerView that main builds.
import Router from '@koa/router'
import Koa from 'koa'
import type { Config } from '../config/schema.js'
import type { LogRecord } from '../record.js'
import type { Ring } from '../status/ring.js'
import type { Stats } from '../status/stats.js'

export interface FileView {
  path: string
  sizeBytes: number
  rotations: number
  backlogRecords: number
  backlogBytes: number
  healthy: boolean
  lastError: string | null
  recordsWritten: number
}

export interface ServerView {
  version: string
  config: Readonly<Config>
  stats: Stats
  ring: Ring<LogRecord>
  file(): FileView
  backpressure(): boolean
}

export function createApp(view: ServerView, onError: (err: Error) => void): Koa {
  const app = new Koa()
  const router = new Router()
  app.on('error', onError)
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff')
    await next()
  })

  router.get('/healthz', (ctx) => {
    const file = view.file()
    ctx.status = file.healthy ? 200 : 503
    ctx.body = { status: file.healthy ? 'ok' : 'unhealthy', reason: file.healthy ? null : file.lastError }
  })
  router.get('/api/status', (ctx) => {
    ctx.body = statusJson(view)
  })

  app.use(router.routes()).use(router.allowedMethods())
  return app
}

export function statusJson(view: ServerView): Record<string, unknown> {
  const { stats } = view
  const now = Date.now()
  return {
    version: view.version,
    startedAt: new Date(stats.startedAt).toISOString(),
    uptimeSeconds: Math.floor((now - stats.startedAt) / 1000),
    recordsReceived: stats.recordsReceived,
    recordsByLevel: Object.fromEntries(stats.byLevel),
    ratePerSecond10s: stats.rate(10, now),
    ratePerSecond1m: stats.rate(60, now),
    bytesReceived: stats.bytesReceived,
    connectionsOpen: stats.connectionsOpen,
    connectionsTotal: stats.connectionsTotal,
    rejected: Object.fromEntries([...stats.rejected].map(([code, n]) => [code.toLowerCase(), n])),
    rejectedTotal: stats.rejectedTotal,
    file: view.file(),
    backpressure: view.backpressure(),
  }
}
