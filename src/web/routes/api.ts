// The JSON API: /api/status (every statistic), /api/records (recent records with filters and after= paging),
// /metrics (the same numbers for Prometheus) and /healthz (the writer's health).
import type Router from '@koa/router'
import type { LogRecord } from '../../record.js'
import type { RecordJson } from '../record-json.js'
import { parseQuery, selectRecords } from '../record-query.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics-text.js'
import type { ServerView } from '../server-view.js'
import { statusSnapshot } from '../status-snapshot.js'

export interface ApiOptions {
  view: ServerView
  toJson(r: LogRecord): RecordJson
  streamClients(): number
}

export function apiRoutes(router: Router, { view, toJson, streamClients }: ApiOptions): void {
  router.get('/api/status', (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    ctx.body = statusSnapshot(view, streamClients())
  })

  router.get('/api/records', (ctx) => {
    const query = parseQuery(ctx.query, view.ring.capacity)
    const found = selectRecords(view.ring, query)
    const records = found.records.map(toJson)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = {
      records,
      lastSeq: found.lastSeq,
      // Ask again with after=next to continue (with after=, records come oldest first, `limit` at a time).
      // Clamped: an `after` beyond the newest record (e.g. from before a restart) must not page on for ever.
      next: records.length > 0 ? records[records.length - 1]!.seq : Math.min(query.after ?? found.lastSeq, found.lastSeq),
      more: found.more,
      missed: found.missed,
      capacity: view.ring.capacity,
    }
  })

  router.get('/metrics', (ctx) => {
    ctx.type = METRICS_CONTENT_TYPE
    ctx.set('Cache-Control', 'no-store')
    ctx.body = renderMetrics(statusSnapshot(view, streamClients()))
  })
}

/** 200 while the central file is writable, 503 with the writer's last error otherwise. */
export function healthRoutes(router: Router, view: ServerView): void {
  router.get('/healthz', (ctx) => {
    const file = view.file()
    ctx.set('Cache-Control', 'no-store')
    ctx.status = file.healthy ? 200 : 503
    // Without credentials (when web.auth is set) only the verdict is shown; the reason can name paths.
    const reason = file.healthy ? null : ctx.state['authenticated'] === false ? 'writer unhealthy' : file.lastError ?? 'writer unhealthy'
    ctx.body = { status: file.healthy ? 'ok' : 'unhealthy', reason }
  })
}
