// The decoder fuzzer: fast-check generates mutated seed pickles (see mutations.ts) and runs each through the
// connection's code path (frame-harness.ts). Fails on a crash (anything thrown that is not an outcome), an
// input slower than the bound, or memory growth past the bound; prints the seed and the shrunk input in hex.
import fc from 'fast-check'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { repoRoot } from '../support/server.js'
import { fastPathTaken, FrameHarness, type StreamOutcome } from './frame-harness.js'
import { Watchdog } from './watchdog.js'
import { buildStream, fuzzInputArb, MUTATION_KINDS, type FuzzInput, type MutationKind } from './mutations.js'
import { loadSeeds, REFUSED_SEED, type Seed } from './seeds.js'

export interface DecoderFuzzOptions {
  seed: number
  runs: number
  /** Fail when one input takes longer than this. */
  maxInputMs: number
  /** Fail when RSS grows past the baseline by more than this. */
  maxGrowthMiB: number
  /** fast-check's replay path, printed with a failure. */
  path?: string
  /** Refused frames (a sample) asked of CPython's own Unpickler afterwards. */
  crossCheck: number
}

/** Small, so the over-limit length lie (read past, connection kept) costs little per input. */
export const FUZZ_MAX_FRAME_BYTES = 64 * 1024
const MiB = 1024 * 1024

class SlowInput extends Error {}

/** mulberry32: a small seeded generator, so a run's CPython sample follows from its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Slow {
  ms: number
  index: number
  input: FuzzInput
  stream: Uint8Array
}

export function fuzzDecoder(o: DecoderFuzzOptions): boolean {
  const started = performance.now()
  const seeds = loadSeeds()
  const harness = new FrameHarness(FUZZ_MAX_FRAME_BYTES)
  if (!checkSeeds(seeds, harness)) return false

  const perMutation = new Map<MutationKind, number>(MUTATION_KINDS.map((k) => [k, 0]))
  const frames = { decoded: 0, placeholder: new Map<string, number>() }
  const closed = new Map<string, number>()
  const inputs = { decoded: 0, placeholder: 0, closed: 0 }
  const slowest: Slow[] = []
  const baseline = process.memoryUsage()
  const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed }
  let count = 0
  let retimed = 0
  let attempts = 0
  let failing = false
  // An input that never returns cannot fail the property: the watchdog reports it and kills the run.
  const watchdog = new Watchdog(o.seed, Math.max(10_000, 10 * o.maxInputMs))
  // A reservoir sample of the refused frames: every refusal equally likely to be asked of CPython.
  const refusedSample: { payload: Buffer; message: string }[] = []
  let refusedSeen = 0
  const random = seededRandom(o.seed) // the same seed asks CPython about the same frames
  // CPython hashes a shared tuple key once per reference, in C, where no alarm stops it: not worth asking.
  let hashBomb = false
  harness.onRefused = (payload, code, message) => {
    if (failing || code !== 'UNPICKLE_FAILED' || o.crossCheck === 0 || hashBomb) return
    const i = refusedSeen++ < o.crossCheck ? refusedSample.length : Math.floor(random() * refusedSeen)
    if (i < o.crossCheck) refusedSample[i] = { payload: Buffer.from(payload), message }
  }

  const property = fc.property(fuzzInputArb(seeds.length), (input) => {
    try {
      const stream = buildStream((seeds[input.seed] as Seed).payload, input.mutations, FUZZ_MAX_FRAME_BYTES)
      hashBomb = input.mutations.some((m) => m.kind === 'memo-fanout' && m.asKey)
      watchdog.input(++attempts, stream)
      const t0 = performance.now()
      const outcome = harness.run(stream, input.cuts)
      const ms = performance.now() - t0
      if (ms > o.maxInputMs) {
        // On a shared 2-core machine a GC pause or a busy neighbour can stretch one timing: only an input that
        // is slow again (best of two more runs) fails.
        const again = Math.min(timed(stream, input.cuts), timed(stream, input.cuts))
        if (again > o.maxInputMs) throw new SlowInput(`one input took ${ms.toFixed(0)} ms, and ${again.toFixed(0)} ms run again (bound ${o.maxInputMs} ms)`)
        if (!failing) retimed++
      }
      if (failing) return
      count++
      tally(outcome)
      for (const m of input.mutations) perMutation.set(m.kind, (perMutation.get(m.kind) ?? 0) + 1)
      if (slowest.length < 5 || ms > (slowest[slowest.length - 1] as Slow).ms) {
        slowest.push({ ms, index: count, input, stream })
        slowest.sort((a, b) => b.ms - a.ms)
        slowest.length = Math.min(slowest.length, 5)
      }
      if (count % 256 === 0) sample()
    } catch (err) {
      failing = true
      throw err
    }
  })
  const timed = (stream: Uint8Array, cuts: readonly number[]): number => {
    const t0 = performance.now()
    harness.run(stream, cuts)
    return performance.now() - t0
  }
  const tally = (outcome: StreamOutcome): void => {
    frames.decoded += outcome.decoded
    for (const code of outcome.placeholders) frames.placeholder.set(code, (frames.placeholder.get(code) ?? 0) + 1)
    if (outcome.closed !== null) closed.set(outcome.closed, (closed.get(outcome.closed) ?? 0) + 1)
    if (outcome.closed !== null) inputs.closed++
    else if (outcome.placeholders.length > 0) inputs.placeholder++
    else inputs.decoded++
  }
  const sample = (): void => {
    const m = process.memoryUsage()
    peak.rss = Math.max(peak.rss, m.rss)
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed)
  }

  console.log(`decoder fuzz: seed ${o.seed}, ${o.runs} inputs, ${seeds.length} CPython seed pickles, max frame ${FUZZ_MAX_FRAME_BYTES} bytes`)
  const details = fc.check(property, { seed: o.seed, numRuns: o.runs, ...(o.path === undefined ? {} : { path: o.path }) })
  void watchdog.stop()
  sample()
  const seconds = (performance.now() - started) / 1000
  const growth = (peak.rss - baseline.rss) / MiB
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0)
  const list = (m: Map<string, number>): string => [...m].map(([k, v]) => `${k.toLowerCase()} ${v}`).join(', ') || 'none'
  console.log(`  inputs:            ${count} in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s)`)
  console.log(`  mutations applied: ${[...perMutation].map(([k, v]) => `${k} ${v}`).join(', ')}`)
  console.log(`  inputs by outcome: decoded ${inputs.decoded}, placeholder ${inputs.placeholder}, closed ${inputs.closed}`)
  console.log(`  frames decoded:    ${frames.decoded} (${fastPathTaken} by the fast path, each checked against the strict decoder)`)
  console.log(`  placeholders:      ${sum(frames.placeholder)} (${list(frames.placeholder)})`)
  console.log(`  closed:            ${sum(closed)} (${list(closed)})`)
  console.log(`  crashes:           ${details.failed && !(details.errorInstance instanceof SlowInput) ? 1 : 0}${details.failed && details.errorInstance instanceof SlowInput ? ' (but one input too slow)' : ''}`)
  // Timed again alone (best of 3): a GC pause or a busy neighbour makes a single timing noisy.
  const again = (s: Slow): number => Math.min(timed(s.stream, s.input.cuts), timed(s.stream, s.input.cuts), timed(s.stream, s.input.cuts))
  if (retimed > 0) console.log(`  over ${o.maxInputMs} ms once: ${retimed} input(s), each within it when run again`)
  console.log(`  slowest inputs:    ${slowest.map((s) => `${s.ms.toFixed(1)} ms, again ${again(s).toFixed(1)} ms (#${s.index}, ${seeds[s.input.seed]?.name}, ${s.input.mutations.map((m) => m.kind).join('+')}, ${s.stream.length} bytes)`).join('; ')}`)
  console.log(`  memory:            peak RSS ${(peak.rss / MiB).toFixed(0)} MiB (baseline ${(baseline.rss / MiB).toFixed(0)} MiB, growth ${growth.toFixed(0)} MiB, bound ${o.maxGrowthMiB}), peak heapUsed ${(peak.heapUsed / MiB).toFixed(0)} MiB`)
  let ok = true
  if (details.failed) {
    ok = false
    const input = details.counterexample?.[0]
    console.log(`FAILED after ${details.numRuns} inputs (${details.numShrinks} shrinks): ${String(details.errorInstance)}`)
    if (input !== undefined) {
      const stream = buildStream((seeds[input.seed] as Seed).payload, input.mutations, FUZZ_MAX_FRAME_BYTES)
      console.log(`  seed pickle: ${seeds[input.seed]?.name}`)
      console.log(`  mutations:   ${JSON.stringify(input.mutations, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`)
      console.log(`  cuts:        ${JSON.stringify(input.cuts)}`)
      console.log(`  stream (hex, ${stream.length} bytes): ${Buffer.from(stream).toString('hex')}`)
    }
    console.log(`  replay: npm run fuzz -- --seed ${o.seed} --runs ${o.runs} --path ${details.counterexamplePath ?? ''}`)
  }
  if (!crossCheck(refusedSample)) ok = false
  if (growth > o.maxGrowthMiB) {
    ok = false
    console.log(`FAILED: RSS grew by ${growth.toFixed(0)} MiB (bound ${o.maxGrowthMiB} MiB)`)
  }
  return ok
}

/** Every genuine seed decodes to one record, but those CPython's plain Unpickler refuses as well. */
function checkSeeds(seeds: readonly Seed[], harness: FrameHarness): boolean {
  let ok = true
  let refused = 0
  for (const s of seeds) {
    const outcome = harness.run(buildStream(s.payload, [], FUZZ_MAX_FRAME_BYTES), [])
    const expectRefused = REFUSED_SEED.test(s.name)
    const good = expectRefused ? outcome.placeholders.length === 1 && outcome.decoded === 0 : outcome.decoded === 1 && outcome.closed === null
    if (expectRefused) refused++
    if (!good) {
      ok = false
      console.log(`FAILED: seed ${s.name} (genuine CPython pickle) gave ${JSON.stringify(outcome)}: ${Buffer.from(s.payload).toString('hex')}`)
    }
  }
  if (ok) console.log(`seeds: ${seeds.length - refused} decode to a record; ${refused} refused as CPython's plain Unpickler refuses them (out-of-band buffers, EXT codes, persistent ids)`)
  return ok
}

/**
 * Strictness on purpose: CPython's load() stops at STOP and returns the top of the stack whatever lies
 * around it, but no pickler writes a frame like that, and a SocketHandler frame is exactly one pickle.
 */
const DELIBERATE = /bytes after STOP|STOP with a MARK open or not exactly one value/

/** Asks CPython's own Unpickler (classes stubbed, nothing run) about refused frames: does it accept any? */
function crossCheck(sample: readonly { payload: Buffer; message: string }[]): boolean {
  if (sample.length === 0) return true
  const script = path.join(repoRoot, 'test/fuzz/cpython_oracle.py')
  const verdicts: string[] = []
  let hangs = 0
  while (verdicts.length < sample.length) {
    const rest = sample.slice(verdicts.length)
    const r = spawnSync('python3', [script], { input: rest.map((s) => s.payload.toString('hex')).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 5_000 + 5 * rest.length, killSignal: 'SIGKILL' })
    const lines = r.stdout.split('\n').filter((l) => l !== '')
    verdicts.push(...lines)
    if (r.status === 0) break
    // Killed (a hang in C) or died: the payload after the last verdict is the culprit; CPython refused it by
    // never finishing.
    if (r.signal === null && r.status !== 0 && lines.length === rest.length) break
    verdicts.push('refused Hang')
    hangs++
  }
  let deliberate = 0
  const cOnly = verdicts.filter((v) => v.startsWith('c-only')).length
  const wrong: string[] = []
  sample.forEach((s, i) => {
    if (verdicts[i] !== 'ok') return
    if (DELIBERATE.test(s.message)) deliberate++
    else wrong.push(`${s.message}: ${s.payload.toString('hex')}`)
  })
  const refused = sample.length - deliberate - wrong.length
  console.log(`  CPython cross-check: ${sample.length} refused frames (a random sample); CPython refuses ${refused} too (${hangs} by never finishing, ${cOnly} only in pickle.py: its C reader's quirks), accepts ${deliberate} we refuse on purpose (bytes after STOP, not one value at STOP), ${wrong.length} others`)
  for (const w of wrong.slice(0, 10)) console.log(`FAILED: CPython accepts a pickle we refuse: ${w}`)
  return wrong.length === 0
}
