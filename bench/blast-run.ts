// One timed run of the side-by-side table: a fresh target, C connections blasting pre-built frames, timed
// from the first byte sent to the poll that finds the last record in the target's file; every record checked.
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { pollApiRecords, scrapeMetrics } from './api-poller.js'
import { cpuSeconds, machineBusySeconds, peakRssMiB } from './proc-stats.js'
import { FileTail, RidTally, waitForRecords, type TallySummary } from './rid-tally.js'
import { blast } from './sender.js'
import { rawSinkJs, spawnListening, startTarget, type TargetName } from './targets.js'

export interface RunOptions {
  /** Where the targets write (a fresh directory per run, removed after). */
  dir: string
  pollMs: number
  stallMs: number
  timeoutMs: number
  /** Poll /api/records every 100 ms while this server runs (the status page under load). */
  pollApi: boolean
  /** Scrape /metrics this often while this server runs (0: never). */
  scrapeEveryMs: number
}

export interface RunResult {
  target: TargetName | 'cookbook-recv4'
  connections: number
  records: number
  seconds: number
  recordsPerSecond: number
  peakRssMiB: number
  cpuSecondsPerMillion: number
  /** CPU cores the target kept busy over the run (its CPU-seconds / the run's seconds). */
  targetCores: number
  /** CPU cores busy on the whole machine over the run (target, sender, bench, kernel): with the target's, it
   *  tells a target held back by its own threads (machine below nproc) from one held back by the machine. */
  machineCores: number
  tally: TallySummary
  senderErrors: number
  /** /api/records response times (ms) during the run, this server only. */
  apiMs: number[] | null
  /** The server's own view of the same requests (its loggingserver_api_records_response_seconds histogram):
   *  how many it answered within 50 ms, of how many. The client's times above also hold the bench's own delays. */
  apiServerWithin50Ms: { within: number; of: number } | null
  scrapes: number | null
  /** Records on disk when the file stopped growing; the rest came only at the stop (SIGTERM drains). */
  stalledAt: number | null
}

export async function blastRun(target: TargetName | 'cookbook-recv4', streams: Buffer[], records: number, options: RunOptions): Promise<RunResult> {
  const dir = mkdtempSync(path.join(options.dir, `bench-${target}-`))
  const file = path.join(dir, 'out.log')
  const running = await startTarget(target, file)
  try {
    const tally = new RidTally(records)
    const tail = new FileTail(file, tally)
    const poller = options.pollApi && running.webPort !== null ? await pollApiRecords(running.webPort) : null
    const scraper = options.scrapeEveryMs > 0 && running.webPort !== null ? scrapeMetrics(running.webPort, options.scrapeEveryMs) : null
    const cpu0 = cpuSeconds(running.pid)
    const busy0 = machineBusySeconds()
    const load = await blast(running.port, streams)
    const arrival = await waitForRecords(tail, tally, { pollMs: options.pollMs, stallMs: options.stallMs, timeoutMs: options.timeoutMs, sendersDone: load.done })
    const stalledAt = arrival.complete ? null : tally.distinct
    const cpu = cpuSeconds(running.pid) - cpu0
    const busy = machineBusySeconds() - busy0
    // Over the same span as the two samples: a stalled run waits stallMs past its last record.
    const sampledSeconds = (performance.now() - load.startedAt) / 1000
    const rss = peakRssMiB(running.pid)
    const apiMs = poller === null ? null : await poller.stop()
    const apiServerWithin50Ms = poller === null || running.webPort === null ? null : await serverAnswersWithin50Ms(running.webPort)
    const scrapes = scraper === null ? null : scraper()
    const errors = await load.closed
    await running.stop()
    await tail.poll()
    await tail.close()
    const seconds = (arrival.at - load.startedAt) / 1000
    return {
      target,
      connections: streams.length,
      records,
      seconds,
      recordsPerSecond: tally.distinct / seconds,
      peakRssMiB: rss,
      cpuSecondsPerMillion: (cpu / Math.max(1, tally.distinct)) * 1e6,
      targetCores: cpu / sampledSeconds,
      machineCores: busy / sampledSeconds,
      tally: tally.summary(),
      senderErrors: errors.length,
      apiMs,
      apiServerWithin50Ms,
      scrapes,
      stalledAt,
    }
  } finally {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The sender's own rate: the same streams into a sink that reads and discards, until it has read the last byte. */
export async function senderAlone(streams: Buffer[], records: number): Promise<number> {
  const { child, port } = await spawnListening(process.execPath, [rawSinkJs, '--discard'])
  try {
    const load = await blast(port, streams)
    const errors = await load.closed
    if (errors.length > 0) throw errors[0]!
    return records / ((load.finishedAt() - load.startedAt) / 1000)
  } finally {
    child.kill('SIGKILL')
  }
}

/** From the server's /metrics: /api/records answers within 50 ms (a bucket bound of its histogram), and all. */
async function serverAnswersWithin50Ms(webPort: number): Promise<{ within: number; of: number }> {
  const text = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text()
  const value = (pattern: RegExp): number => {
    const m = pattern.exec(text)
    if (m === null) throw new Error(`/metrics has no ${pattern.source}`)
    return Number(m[1])
  }
  return {
    within: value(/^loggingserver_api_records_response_seconds_bucket\{le="0\.05"\} (\d+)$/m),
    of: value(/^loggingserver_api_records_response_seconds_count (\d+)$/m),
  }
}
