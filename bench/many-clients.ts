// Many small clients: K connections (1,000 by default) sending a steady R records/s in total for S seconds,
// one frame per write as a SocketHandler does. Reports the target's peak RSS and CPU, and the time from each
// record's send to its appearance in the file (the bench tails the file every pollMs, so figures are
// rounded up to that).
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { withRid } from './frames.js'
import { cpuSeconds, peakRssMiB } from './proc-stats.js'
import { FileTail, RidTally, waitForRecords, type TallySummary } from './rid-tally.js'
import { connectAll } from './sender.js'
import { percentile } from './stats.js'
import { startTarget, type TargetName } from './targets.js'

export interface ManyClientsOptions { connections: number; rate: number; seconds: number; dir: string; pollMs: number }

export interface ManyClientsResult {
  target: TargetName
  connections: number
  targetRate: number
  achievedRate: number
  records: number
  peakRssMiB: number
  cpuSeconds: number
  /** CPU seconds per wall second of the run: 1.0 is one core busy. */
  cpuCores: number
  latencyMs: { p50: number; p99: number; max: number }
  tally: TallySummary
}

export async function manyClientsRun(target: TargetName, templates: Buffer[], options: ManyClientsOptions): Promise<ManyClientsResult> {
  const records = Math.round(options.rate * options.seconds)
  const dir = mkdtempSync(path.join(options.dir, `bench-many-${target}-`))
  const file = path.join(dir, 'out.log')
  const running = await startTarget(target, file)
  try {
    const sentAt = new Float64Array(records)
    const latency = new Float64Array(records)
    const tally = new RidTally(records, (rid) => (latency[rid] = performance.now() - sentAt[rid]!))
    const tail = new FileTail(file, tally)
    const sockets = await connectAll(running.port, options.connections)
    for (const socket of sockets) socket.on('error', () => {}).resume()
    const cpu0 = cpuSeconds(running.pid)
    const t0 = performance.now()
    let sent = 0
    // Each tick sends what is due by the clock, each record on the next connection in turn.
    const pacer = setInterval(() => {
      const due = Math.min(records, Math.floor(((performance.now() - t0) / 1000) * options.rate))
      for (; sent < due; sent++) {
        sentAt[sent] = performance.now()
        sockets[sent % sockets.length]!.write(withRid(templates[sent % templates.length]!, sent))
      }
      if (sent === records) clearInterval(pacer)
    }, 5)
    const finishedAt = await waitForRecords(tail, tally, { pollMs: options.pollMs, stallMs: 5000, timeoutMs: options.seconds * 1000 + 120_000, sendersDone: () => sent === records })
    clearInterval(pacer)
    const cpu = cpuSeconds(running.pid) - cpu0
    const rss = peakRssMiB(running.pid)
    for (const socket of sockets) socket.end()
    await running.stop()
    await tail.poll()
    await tail.close()
    // Records never seen keep no latency: the tally reports them as missing.
    const seen = latency.filter((ms) => ms > 0)
    return {
      target,
      connections: options.connections,
      targetRate: options.rate,
      achievedRate: records / ((finishedAt - t0) / 1000),
      records,
      peakRssMiB: rss,
      cpuSeconds: cpu,
      cpuCores: cpu / ((finishedAt - t0) / 1000),
      latencyMs: { p50: percentile(seen, 50), p99: percentile(seen, 99), max: percentile(seen, 100) },
      tally: tally.summary(),
    }
  } finally {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
