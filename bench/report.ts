// The bench's output: Markdown tables (medians of the rounds, ratios per C) or the same as JSON.
import type { RunResult } from './blast-run.js'
import type { ColdStart } from './cold-start.js'
import type { ManyClientsResult } from './many-clients.js'
import type { BenchOptions } from './options.js'
import { machineLine, type Machine } from './proc-stats.js'
import type { RealClientResult } from './real-clients.js'
import type { TallySummary } from './rid-tally.js'
import { median, percentile } from './stats.js'
import { TARGET_LABELS, type TargetName } from './targets.js'

export interface BenchResults {
  machine: Machine
  command: string
  options: BenchOptions
  frames: { count: number; averageBytes: number }
  /** records/s of the sender into a discarding sink, by C. */
  senderAlone: Record<number, number>
  blast: RunResult[]
  recv4: RunResult[]
  real: RealClientResult[]
  cold: Partial<Record<string, ColdStart[]>>
  many: ManyClientsResult[]
}

const k = (perSecond: number): string => (Number.isFinite(perSecond) ? `${(perSecond / 1000).toFixed(perSecond < 10_000 ? 1 : 0)}k` : '–')
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '–')
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '–')
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`
const header = (cells: string[], align: string[]): string => `${row(cells)}\n${row(align)}`

/** Median of `pick` over the blast runs of `target` at `c`; NaN when there are none. */
function blastMedian(r: BenchResults, target: TargetName, c: number, pick: (run: RunResult) => number): number {
  return median(r.blast.filter((run) => run.target === target && run.connections === c).map(pick))
}

interface Checked { target: string; tally: TallySummary; stalledAt: number | null }

/** A run passes when every record is in the file exactly once, and got there without the stop's drain. */
export const passed = (run: Checked): boolean => run.tally.exactlyOnce && run.stalledAt === null

const checkMark = (runs: Checked[]): string => (runs.every(passed) ? '' : ' ✗')

function blastTables(r: BenchResults): string[] {
  const cs = r.options.connections
  const targets = r.options.targets
  const cols = cs.map((c) => `C=${c}`)
  const align = ['---', ...cs.map(() => '---:')]
  const out: string[] = []
  out.push(`### Blast: records/s, median of ${r.options.rounds} round(s), from the first byte sent to the last record on disk`)
  if (r.options.rounds < 3) out.push('', `(${r.options.rounds} round: a smoke run, not figures to publish; those take --rounds 3 or more)`, '')
  out.push(header(['receiver', ...cols], align))
  for (const t of targets) {
    const cells = cs.map((c) => k(blastMedian(r, t, c, (run) => run.recordsPerSecond)) + checkMark(r.blast.filter((run) => run.target === t && run.connections === c)))
    out.push(row([t === 'server' ? `**${TARGET_LABELS[t]}**` : TARGET_LABELS[t], ...cells]))
  }
  if (targets.includes('server')) {
    for (const other of targets.filter((t) => t !== 'server')) {
      out.push(row([`this server ÷ ${other}`, ...cs.map((c) => ratio(blastMedian(r, 'server', c, (x) => x.recordsPerSecond), blastMedian(r, other, c, (x) => x.recordsPerSecond)))]))
    }
  }
  out.push('', '### Per target: peak RSS (MiB) and server CPU-seconds per 1M records, medians')
  out.push(header(['receiver', ...cols], align))
  for (const t of targets) {
    out.push(row([TARGET_LABELS[t], ...cs.map((c) => `${ms(blastMedian(r, t, c, (x) => x.peakRssMiB))} MiB, ${blastMedian(r, t, c, (x) => x.cpuSecondsPerMillion).toFixed(1)} CPU-s`)]))
  }
  out.push('', `### Cores busy during each run: the target's / the whole machine's (of ${r.machine.nproc}), every round`)
  out.push(header(['receiver', ...cols], align))
  for (const t of targets) {
    // Each pair from one run. The two come from different kernel counters (the process's and /proc/stat's), so a
    // pair can disagree by a few hundredths: a target's figure a little above the machine's.
    out.push(row([TARGET_LABELS[t], ...cs.map((c) => r.blast.filter((run) => run.target === t && run.connections === c).map((run) => `${run.targetCores.toFixed(2)}/${run.machineCores.toFixed(2)}`).join(', '))]))
  }
  const api = cs.map((c) => r.blast.filter((run) => run.target === 'server' && run.connections === c).flatMap((run) => run.apiMs ?? []))
  if (api.some((times) => times.length > 0)) {
    out.push('', '### `/api/records` while this server runs flat out (polled every 100 ms, all rounds; target p99 < 50 ms)')
    out.push(header(['', ...cols], align))
    out.push(row(['requests', ...api.map((t) => String(t.length))]))
    out.push(row(['p50 ms', ...api.map((t) => ms(percentile(t, 50)))]))
    out.push(row(['p99 ms', ...api.map((t) => ms(percentile(t, 99)))]))
    out.push(row(['max ms', ...api.map((t) => ms(percentile(t, 100)))]))
    const server = cs.map((c) => r.blast.filter((run) => run.target === 'server' && run.connections === c).map((run) => run.apiServerWithin50Ms).filter((x) => x != null))
    out.push(row(['answered by the server within 50 ms (its own histogram)', ...server.map((xs) => `${xs.reduce((n, x) => n + x.within, 0)} of ${xs.reduce((n, x) => n + x.of, 0)}`)]))
  }
  const scrapes = r.blast.filter((run) => run.scrapes !== null)
  if (scrapes.length > 0) out.push('', `/metrics scraped every ${r.options.scrapeEveryMs} ms during this server's runs (${scrapes.reduce((n, run) => n + run.scrapes!, 0)} scrapes).`)
  if (r.recv4.length > 0) {
    out.push('', '### The cookbook receiver as published (bare `recv(4)`): what it loses, one round')
    out.push(header(['', ...r.recv4.map((run) => `C=${run.connections}`)], ['---', ...r.recv4.map(() => '---:')]))
    out.push(row(['records written', ...r.recv4.map((run) => `${run.tally.distinct} of ${run.records}`)]))
    out.push(row(['lost', ...r.recv4.map((run) => `${((run.tally.missing / run.records) * 100).toFixed(1)} %`)]))
  }
  return out
}

function realTable(r: BenchResults): string[] {
  const targets = r.options.targets.filter((t) => r.real.some((run) => run.target === t))
  const m = (t: TargetName, pick: (x: RealClientResult) => number): number => median(r.real.filter((x) => x.target === t).map(pick))
  const out = [`### Real clients: ${r.options.realClients} CPython processes with a genuine SocketHandler, ${r.options.realRecords} records in total, median of ${r.options.rounds} round(s)`]
  out.push(header(['receiver', 'records/s', 'server CPU-s per 1M records', 'peak RSS MiB'], ['---', '---:', '---:', '---:']))
  for (const t of targets) {
    out.push(row([t === 'server' ? `**${TARGET_LABELS[t]}**` : TARGET_LABELS[t], k(m(t, (x) => x.recordsPerSecond)) + checkMark(r.real.filter((x) => x.target === t)), m(t, (x) => x.cpuSecondsPerMillion).toFixed(1), ms(m(t, (x) => x.peakRssMiB))]))
  }
  if (targets.includes('server') && targets.includes('asyncio')) {
    out.push('', `This server ÷ asyncio: records/s ${ratio(m('server', (x) => x.recordsPerSecond), m('asyncio', (x) => x.recordsPerSecond))}, ` +
      `CPU per record ${ratio(m('server', (x) => x.cpuSecondsPerMillion), m('asyncio', (x) => x.cpuSecondsPerMillion))}.`)
  }
  return out
}

function coldTable(r: BenchResults): string[] {
  const out = [`### Cold start: median of ${r.options.coldStarts} starts, from spawn`]
  out.push(header(['process', 'to accepting on the log port', 'to READY=1'], ['---', '---:', '---:']))
  for (const [kind, starts] of Object.entries(r.cold)) {
    const ready = starts!.map((s) => s.readyMs).filter((x): x is number => x !== null)
    out.push(row([kind === 'server' ? TARGET_LABELS.server : TARGET_LABELS[kind as TargetName], `${ms(median(starts!.map((s) => s.acceptingMs)))} ms`, ready.length > 0 ? `${ms(median(ready))} ms` : '–']))
  }
  return out
}

function manyTable(r: BenchResults): string[] {
  const out = ['### Many small clients: steady load, one frame per write; send → disk seen by tailing the file every ' + `${r.options.pollMs} ms`]
  out.push(header(['receiver', 'connections', 'rate asked → sent → on disk', 'send→disk p50 / p99 / max ms', 'peak RSS MiB', 'CPU (cores)', 'exactly once'], ['---', '---:', '---:', '---:', '---:', '---:', '---']))
  for (const run of r.many) {
    out.push(row([TARGET_LABELS[run.target], String(run.connections), `${k(run.targetRate)} → ${k(run.sentRate)} → ${k(run.achievedRate)}`, `${ms(run.latencyMs.p50)} / ${ms(run.latencyMs.p99)} / ${ms(run.latencyMs.max)}`,
      ms(run.peakRssMiB), run.cpuCores.toFixed(2), passed(run) ? 'yes' : problem(run)]))
  }
  return out
}

function problem(run: Checked): string {
  const t = run.tally
  const parts = [`${run.target}: ${t.distinct} of ${t.expected} records`]
  if (t.duplicates > 0 || t.unknown > 0) parts.push(`${t.duplicates} doubled, ${t.unknown} mangled`)
  if (run.stalledAt !== null) parts.push(`only ${run.stalledAt} on disk when the file stopped growing after the last send; the rest came at the stop's drain`)
  return parts.join(', ')
}

export const failedRuns = (r: BenchResults): Checked[] => [...r.blast, ...r.real, ...r.many].filter((run) => !passed(run))

function exactlyOnceLine(r: BenchResults): string {
  const runs = [...r.blast, ...r.real, ...r.many]
  const broken = failedRuns(r)
  if (broken.length === 0) return `Every record of every run (${runs.length} runs) was found exactly once in the target's file.`
  return `FAILED ${broken.length} of ${runs.length} runs (✗): ` + broken.map(problem).join('; ')
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [machineLine(r.machine), `command: ${r.command}`]
  if (r.frames.count > 0) out.push(`frames: ${r.frames.count} made by CPython's SocketHandler.makePickle (bench/record_mix.py: 20 loggers, mixed levels, 80–200-character messages with %s/%d args, 1 % tracebacks, 10 % extra, a few non-ASCII), average ${r.frames.averageBytes.toFixed(0)} B`)
  const sender = Object.entries(r.senderAlone)
  if (sender.length > 0) out.push(`sender alone (into a sink that reads and discards): ${sender.map(([c, rate]) => `C=${c} ${k(rate)}`).join(', ')} records/s`)
  if (r.blast.length > 0) out.push('', ...blastTables(r))
  if (r.real.length > 0) out.push('', ...realTable(r))
  if (Object.keys(r.cold).length > 0) out.push('', ...coldTable(r))
  if (r.many.length > 0) out.push('', ...manyTable(r))
  out.push('', exactlyOnceLine(r))
  return out.join('\n')
}

/** The same results as JSON; /api/records times are summarised, not listed. */
export function renderJson(r: BenchResults): string {
  const blast = r.blast.map(({ apiMs, ...run }) => ({ ...run, api: apiMs === null ? null : { requests: apiMs.length, p50Ms: percentile(apiMs, 50), p99Ms: percentile(apiMs, 99), maxMs: percentile(apiMs, 100) } }))
  return JSON.stringify({ ...r, blast, recv4: r.recv4.map(({ apiMs: _, ...run }) => run) }, null, 2)
}
