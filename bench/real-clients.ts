// What applications see: K CPython processes, each logging through a genuine SocketHandler (bench/
// real_client.py, the same record mix), timed from their spawn to the last record in the target's file.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import { benchDir } from './frames.js'
import { cpuSeconds, peakRssMiB } from './proc-stats.js'
import { FileTail, RidTally, waitForRecords, type TallySummary } from './rid-tally.js'
import { startTarget, type TargetName } from './targets.js'

export interface RealClientResult {
  target: TargetName
  clients: number
  records: number
  seconds: number
  recordsPerSecond: number
  cpuSecondsPerMillion: number
  peakRssMiB: number
  tally: TallySummary
  /** Records on disk when the file stopped growing; the rest came only at the stop (SIGTERM drains). */
  stalledAt: number | null
}

function runRealClient(port: number, start: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(benchDir, 'real_client.py'), String(port), String(start), String(count)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`real_client.py exited with ${code}: ${err}`))))
  })
}

export async function realClientRun(target: TargetName, clients: number, records: number, options: { dir: string; pollMs: number; timeoutMs: number }): Promise<RealClientResult> {
  const dir = mkdtempSync(path.join(options.dir, `bench-real-${target}-`))
  const file = path.join(dir, 'out.log')
  const running = await startTarget(target, file)
  try {
    const tally = new RidTally(records)
    const tail = new FileTail(file, tally)
    const per = Math.ceil(records / clients)
    const cpu0 = cpuSeconds(running.pid)
    const t0 = performance.now()
    let clientsDone = false
    const clientsRun = Promise.all(Array.from({ length: clients }, (_, i) => runRealClient(running.port, i * per, Math.max(0, Math.min(per, records - i * per)))))
    const clientsExit = clientsRun.then(() => (clientsDone = true))
    const arrival = await Promise.race([
      waitForRecords(tail, tally, { pollMs: options.pollMs, stallMs: 10_000, timeoutMs: options.timeoutMs, sendersDone: () => clientsDone }),
      clientsRun.then(() => new Promise<never>(() => {})), // a client's failure fails the run at once
    ])
    await clientsExit
    const stalledAt = arrival.complete ? null : tally.distinct
    const cpu = cpuSeconds(running.pid) - cpu0
    const rss = peakRssMiB(running.pid)
    await running.stop()
    await tail.poll()
    await tail.close()
    const seconds = (arrival.at - t0) / 1000
    return { target, clients, records, seconds, recordsPerSecond: tally.distinct / seconds, cpuSecondsPerMillion: (cpu / Math.max(1, tally.distinct)) * 1e6, peakRssMiB: rss, tally: tally.summary(), stalledAt }
  } finally {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
