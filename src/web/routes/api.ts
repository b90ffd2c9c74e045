// The JSON API: /api/status (every statistic), /api/rates (records per second by level, 15 min), /api/records (recent records with filters and after= paging,
// texts cut short), /api/records/:seq (one record whole), /metrics (the same numbers for Prometheus) and
// /healthz (the writer's health). The record routes are heavy: admitted and timed by ../limits.ts.
import type Router from '@koa/router'
import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import type { LogRecord } from '../../record.js'
import { admitRequest, cutOffSlowReader, type Admission } from '../limits.js'
import type { ErrorBody, HealthBody, RatesResponse, RecordJson, StatusSnapshot } from '../api-contract.js'
import { recordsBody } from '../records-body.js'
import { findRecord, parseQuery, parseSeq, QueryError, selectRecords } from '../record-query.js'
import { METRICS_CONTENT_TYPE, type MetricsExposition } from '../metrics.js'
import type { ServerView } from '../server-view.js'
import { statusSnapshot } from '../status-snapshot.js'

export interface ApiOptions {
  view: ServerView
  /** Texts cut at LISTED_TEXT_CHARS, for lists. */
  toJson(r: LogRecord): RecordJson
  /** Texts as whole as the ring keeps them, for one record. */
  toWholeJson(r: LogRecord): RecordJson
  heavy: Admission
  streamClients(): number
  metrics: MetricsExposition
}

export function apiRoutes(router: Router, { view, toJson, toWholeJson, heavy, streamClients, metrics }: ApiOptions): void {
  router.get('/api/status', (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    ctx.body = statusSnapshot(view, streamClients()) satisfies StatusSnapshot
  })

  // Bounded by the ring's 900 seconds × its columns (about 30 KB at most): light, like /api/status.
  router.get('/api/rates', (ctx) => {
    const seconds = parseRateSeconds(ctx.query['seconds'], view.levelRates.windowSeconds)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = view.levelRates.window(seconds) satisfies RatesResponse
  })

  router.get('/api/records', (ctx) => {
    // Until the response is sent or abandoned: a slow reader's time counts, as a page would feel it.
    const stopTimer = view.telemetry.recordsResponseSeconds.startTimer()
    ctx.res.once('close', () => stopTimer())
    const query = parseQuery(ctx.query, view.ring.capacity)
    if (!admitRequest(ctx, heavy)) return
    cutOffSlowReader(ctx.res)
    const found = selectRecords(view.ring, query)
    const { records } = found
    ctx.set('Cache-Control', 'no-store')
    ctx.body = recordsBody(
      {
        records,
        lastSeq: found.lastSeq,
        // Ask again with after=next to continue (with after=, records come oldest first, `limit` at a time).
        // Clamped: an `after` beyond the newest record (e.g. from before a restart) must not page on for ever.
        next: records.length > 0 ? records[records.length - 1]!.seq : Math.min(query.after ?? found.lastSeq, found.lastSeq),
        more: found.more,
        missed: found.missed,
        capacity: view.ring.capacity,
      },
      toJson,
    )
    ctx.type = 'application/json; charset=utf-8'
  })

  router.get('/api/records/:seq', (ctx) => {
    const seq = parseSeq(ctx.params['seq'])
    ctx.set('Cache-Control', 'no-store')
    const record = findRecord(view.ring, seq)
    if (record === null) {
      ctx.status = 404
      ctx.body = { error: `record ${seq} is not (or no longer) in the ring` } satisfies ErrorBody
      return
    }
    if (!admitRequest(ctx, heavy)) return
    cutOffSlowReader(ctx.res)
    ctx.body = toWholeJson(record) satisfies RecordJson
  })

  router.get('/metrics', async (ctx) => {
    ctx.type = METRICS_CONTENT_TYPE
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await metrics.render(statusSnapshot(view, streamClients()))
  })
}

function parseRateSeconds(v: string | string[] | undefined, max: number): number {
  if (v === undefined) return max
  if (typeof v !== 'string' || !/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new QueryError(`seconds must be a whole number from 1 to ${max}, not ${JSON.stringify(v)}`)
  }
  return Number(v)
}

/** 200 while the central file is writable, 503 with the writer's last error otherwise; a config problem does not fail it. */
export function healthRoutes(router: Router, view: ServerView): void {
  router.get('/healthz', async (ctx) => {
    const file = view.file()
    ctx.set('Cache-Control', 'no-store')
    ctx.status = file.healthy ? 200 : 503
    // Without credentials (when web.auth is set) only the verdict is shown; the reason can name paths.
    const reason = file.healthy ? null : ctx.state['authenticated'] === false ? 'writer unhealthy' : file.lastError ?? 'writer unhealthy'
    const { problem } = view.configState()
    const config = problem === null ? null : ctx.state['authenticated'] === false ? 'running on the last valid configuration' : `running on the last valid configuration: ${problem}`
    const cssProblem = await stylesheetProblem(view.config.web.css_file)
    const stylesheet = cssProblem === null ? null : ctx.state['authenticated'] === false ? 'web.css_file cannot be read' : cssProblem
    ctx.body = { status: file.healthy ? 'ok' : 'unhealthy', reason, config, stylesheet } satisfies HealthBody
  })
}

/** Why the operator's stylesheet cannot be read now, or null (also when none is set). */
async function stylesheetProblem(cssFile: string | null): Promise<string | null> {
  if (cssFile === null) return null
  try {
    await access(cssFile, constants.R_OK)
    return null
  } catch (err) {
    return `web.css_file ${cssFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the default stylesheet is served`
  }
}
