// Many small clients: K connections (1,000 by default) sending a steady R records/s in total for S seconds,
// one frame per write as a SocketHandler does (bench/paced-sender.ts, in worker threads). Reports the
// target's peak RSS and CPU, and the time from each record's write to its appearance in the file (the bench
// tails the file every pollMs, so figures are rounded up to that).
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FromSender, PacedSenderData, ToSender } from './paced-sender.js'
import { cpuSeconds, peakRssMiB } from './proc-stats.js'
import { FileTail, RidTally, waitForRecords, type TallySummary } from './rid-tally.js'
import { percentile } from './stats.js'
import { startTarget, type TargetName } from './targets.js'

export interface ManyClientsOptions { connections: number; rate: number; seconds: number; dir: string; pollMs: number; senders: number }

export interface ManyClientsResult {
  target: TargetName
  connections: number
  targetRate: number
  /** What the bench managed to send: records / (first write → last write). Below targetRate, the bench lagged. */
  sentRate: number
  /** Records / (first write → last record on disk). */
  achievedRate: number
  records: number
  peakRssMiB: number
  cpuSeconds: number
  /** CPU seconds per wall second of the run: 1.0 is one core busy. */
  cpuCores: number
  latencyMs: { p50: number; p99: number; max: number }
  tally: TallySummary
  /** Records on disk when the file stopped growing; the rest came only at the stop (SIGTERM drains). */
  stalledAt: number | null
}

const senderJs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'paced-sender.js')
// One monotonic clock for every thread: a worker's performance.now() + timeOrigin is not comparable with the
// main thread's (Node counts a worker's now() from the worker's start).
const wallNow = (): number => Number(process.hrtime.bigint()) / 1e6

function nextMessage(worker: Worker): Promise<FromSender> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
}

export async function manyClientsRun(target: TargetName, templates: Buffer[], options: ManyClientsOptions): Promise<ManyClientsResult> {
  const records = Math.round(options.rate * options.seconds)
  const dir = mkdtempSync(path.join(options.dir, `bench-many-${target}-`))
  const file = path.join(dir, 'out.log')
  const running = await startTarget(target, file)
  const workers: Worker[] = []
  try {
    const shared = new SharedArrayBuffer(records * 8)
    const sentAt = new Float64Array(shared)
    const latency = new Float64Array(records)
    const tally = new RidTally(records, (rid) => (latency[rid] = wallNow() - sentAt[rid]!))
    const tail = new FileTail(file, tally)
    const senders = Math.min(options.senders, options.connections)
    for (let w = 0; w < senders; w++) {
      const data: PacedSenderData = {
        port: running.port, connections: Math.floor(options.connections / senders) + (w < options.connections % senders ? 1 : 0),
        rate: options.rate / senders, records, worker: w, workers: senders, templates: templates.slice(0, 5000), sentAt: shared,
      }
      workers.push(new Worker(senderJs, { workerData: data }))
    }
    await Promise.all(workers.map(nextMessage))
    const cpu0 = cpuSeconds(running.pid)
    const t0 = wallNow()
    const lastSent = Promise.all(workers.map(nextMessage))
    for (const worker of workers) worker.postMessage({ start: t0 } satisfies ToSender)
    let lastSentAt = NaN
    void lastSent.then((done) => (lastSentAt = Math.max(...done.map((m) => (m === 'ready' ? NaN : m.lastSentAt)))))
    const arrival = await waitForRecords(tail, tally, { pollMs: options.pollMs, stallMs: 30_000, timeoutMs: options.seconds * 1000 + 120_000, sendersDone: () => !Number.isNaN(lastSentAt) })
    const end = wallNow() - (performance.now() - arrival.at)
    const stalledAt = arrival.complete ? null : tally.distinct
    const cpu = cpuSeconds(running.pid) - cpu0
    const rss = peakRssMiB(running.pid)
    await lastSent
    for (const worker of workers) worker.postMessage('end' satisfies ToSender)
    await running.stop()
    await tail.poll()
    await tail.close()
    // Records never seen keep no latency: the tally reports them as missing.
    const seen = latency.filter((ms) => ms > 0)
    return {
      target,
      connections: options.connections,
      targetRate: options.rate,
      sentRate: records / ((lastSentAt - t0) / 1000),
      achievedRate: records / ((end - t0) / 1000),
      records,
      peakRssMiB: rss,
      cpuSeconds: cpu,
      cpuCores: cpu / ((end - t0) / 1000),
      latencyMs: { p50: percentile(seen, 50), p99: percentile(seen, 99), max: percentile(seen, 100) },
      tally: tally.summary(),
      stalledAt,
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
