// `npm run fuzz` (long) and `npm run test:fuzz` (the CI slice): the decoder fuzzer in process, then the
// fuzz tests against the real server (*.test.js here), all from one seed.
// Options (or env): --seed N (FUZZ_SEED), --runs N (FUZZ_RUNS, decoder inputs), --server-frames N
// (FUZZ_SERVER_FRAMES, mutated frames over TCP), --records N (FUZZ_RECORDS, random valid records),
// --cross-check N (FUZZ_CROSS_CHECK, refused frames asked of CPython), --max-input-ms N, --max-growth-mib N,
// --path P (fast-check replay), --decoder-only.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fuzzDecoder } from './fuzz-decoder.js'

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string' },
    'server-frames': { type: 'string' },
    records: { type: 'string' },
    'max-input-ms': { type: 'string' },
    'max-growth-mib': { type: 'string' },
    path: { type: 'string' },
    'cross-check': { type: 'string' },
    'decoder-only': { type: 'boolean' },
  },
})

function int(flag: string | undefined, env: string | undefined, fallback: number): number {
  const text = flag ?? env
  if (text === undefined || text === '') return fallback
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number: ${text}`)
  return n
}

const seed = int(values.seed, process.env['FUZZ_SEED'], (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0)
const ok = fuzzDecoder({
  seed,
  runs: int(values.runs, process.env['FUZZ_RUNS'], 20_000),
  maxInputMs: int(values['max-input-ms'], undefined, 1000),
  maxGrowthMiB: int(values['max-growth-mib'], undefined, 256),
  crossCheck: int(values['cross-check'], process.env['FUZZ_CROSS_CHECK'], 1000),
  ...(values.path === undefined ? {} : { path: values.path }),
})
let serverOk = true
if (!values['decoder-only'] && ok) {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const tests = readdirSync(here).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(here, f))
  const env = {
    ...process.env,
    FUZZ_SEED: String(seed),
    FUZZ_SERVER_FRAMES: String(int(values['server-frames'], process.env['FUZZ_SERVER_FRAMES'], 2000)),
    FUZZ_RECORDS: String(int(values.records, process.env['FUZZ_RECORDS'], 300)),
  }
  console.log(`server fuzz: seed ${seed}, ${env.FUZZ_SERVER_FRAMES} mutated frames over TCP, ${env.FUZZ_RECORDS} random valid records`)
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...tests], { stdio: 'inherit', env })
  serverOk = r.status === 0
}
if (!ok || !serverOk) console.log(`fuzz FAILED (seed ${seed})`)
process.exit(ok && serverOk ? 0 : 1)
