// npm run bench: this server beside the Python receivers and the raw ceiling, in one run (see USAGE, and
// README "Performance"). Markdown by default, JSON with --json; exits 1 when a record was lost or doubled.
import { blastRun, senderAlone, type RunResult } from './blast-run.js'
import { coldStart, type ColdStart, type ColdStartTarget } from './cold-start.js'
import { averageFrameBytes, makeFrames, streamsOf } from './frames.js'
import { manyClientsRun, type ManyClientsResult } from './many-clients.js'
import { parseOptions, USAGE, type BenchOptions } from './options.js'
import { machine, openFilesLimit } from './proc-stats.js'
import { realClientRun, type RealClientResult } from './real-clients.js'
import { failedRuns, passed, renderJson, renderMarkdown, type BenchResults } from './report.js'

/** Progress goes to stderr, so stdout is the table (or the JSON) alone. */
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`)

async function blastSection(o: BenchOptions, frames: Buffer[], results: BenchResults): Promise<void> {
  const runOptions = { dir: o.dir, pollMs: o.pollMs, stallMs: 10_000, timeoutMs: Math.max(120_000, o.records), scrapeEveryMs: o.scrapeEveryMs }
  for (const c of o.connections) {
    const streams = streamsOf(frames, c)
    results.senderAlone[c] = await senderAlone(streams, frames.length)
    progress(`sender alone, C=${c}: ${Math.round(results.senderAlone[c]!)} records/s`)
  }
  for (let round = 1; round <= o.rounds; round++) {
    for (const c of o.connections) {
      const streams = streamsOf(frames, c)
      for (const target of o.targets) {
        const run = await blastRun(target, streams, frames.length, { ...runOptions, pollApi: o.apiPoll })
        results.blast.push(run)
        progress(`round ${round}, C=${c}, ${target}: ${Math.round(run.recordsPerSecond)} records/s, ${passed(run) ? 'exactly once' : `FAILED ${JSON.stringify({ ...run.tally, stalledAt: run.stalledAt })}`}`)
      }
    }
  }
  if (o.recv4 && o.targets.includes('cookbook')) {
    for (const c of o.connections) {
      // The published loop drops connections, so the run ends when the file stops growing.
      const run: RunResult = await blastRun('cookbook-recv4', streamsOf(frames, c), frames.length, { ...runOptions, stallMs: 2000, pollApi: false, scrapeEveryMs: 0 })
      results.recv4.push(run)
      progress(`published recv(4) cookbook receiver, C=${c}: ${run.tally.distinct} of ${run.records} records arrived`)
    }
  }
}

async function realSection(o: BenchOptions, results: BenchResults): Promise<void> {
  for (let round = 1; round <= o.rounds; round++) {
    for (const target of o.targets) {
      const run: RealClientResult = await realClientRun(target, o.realClients, o.realRecords, { dir: o.dir, pollMs: o.pollMs, timeoutMs: Math.max(120_000, o.realRecords) })
      results.real.push(run)
      progress(`real clients, round ${round}, ${target}: ${Math.round(run.recordsPerSecond)} records/s, ${run.cpuSecondsPerMillion.toFixed(1)} CPU-s/1M`)
    }
  }
}

async function coldSection(o: BenchOptions, results: BenchResults): Promise<void> {
  const kinds: ColdStartTarget[] = ['server', 'asyncio', 'cookbook']
  for (let i = 0; i < o.coldStarts; i++) {
    for (const kind of kinds) {
      const start: ColdStart = await coldStart(kind)
      ;(results.cold[kind] ??= []).push(start)
    }
  }
  progress(`cold starts done (${o.coldStarts} of each)`)
}

async function manySection(o: BenchOptions, frames: Buffer[], results: BenchResults): Promise<void> {
  // The bench and the server (which inherits this process's limit) each hold one fd per connection.
  const needed = o.manyConnections + 256
  if (openFilesLimit() < needed) throw new Error(`many small clients: the open files limit (${openFilesLimit()}) is below ${needed}; raise it (ulimit -n) first`)
  for (const target of o.manyTargets) {
    const run: ManyClientsResult = await manyClientsRun(target, frames, { connections: o.manyConnections, rate: o.manyRate, seconds: o.manySeconds, dir: o.dir, pollMs: o.pollMs, senders: o.manySenders })
    results.many.push(run)
    progress(`many small clients, ${target}: p99 ${run.latencyMs.p99.toFixed(1)} ms, ${passed(run) ? 'exactly once' : `FAILED ${JSON.stringify({ ...run.tally, stalledAt: run.stalledAt })}`}`)
  }
}

let options: BenchOptions
try {
  options = parseOptions(process.argv.slice(2))
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`)
  process.exit(2)
}
const results: BenchResults = {
  machine: machine(),
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  options,
  frames: { count: 0, averageBytes: 0 },
  senderAlone: {},
  blast: [],
  recv4: [],
  real: [],
  cold: {},
  many: [],
}
const needsFrames = options.only.includes('blast') || options.only.includes('many')
const frames = needsFrames ? await makeFrames(options.records) : []
results.frames = { count: frames.length, averageBytes: frames.length > 0 ? averageFrameBytes(frames) : 0 }
if (needsFrames) progress(`${frames.length} frames made by CPython's SocketHandler.makePickle, average ${results.frames.averageBytes.toFixed(0)} B`)

if (options.only.includes('blast')) await blastSection(options, frames, results)
if (options.only.includes('real')) await realSection(options, results)
if (options.only.includes('cold')) await coldSection(options, results)
if (options.only.includes('many')) await manySection(options, frames, results)

console.log(options.json ? renderJson(results) : renderMarkdown(results))
if (failedRuns(results).length > 0) process.exitCode = 1
