// The bench's CI smoke: every section of `npm run bench`, tiny, so the bench cannot rot. Each target must
// have every record exactly once in its file (the bench's own check, made on the file after the run).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { repoRoot } from '../support/server.js'

interface Tally { expected: number; distinct: number; exactlyOnce: boolean }
interface Smoke {
  frames: { count: number; averageBytes: number }
  senderAlone: Record<string, number>
  blast: { target: string; records: number; recordsPerSecond: number; peakRssMiB: number; cpuSecondsPerMillion: number; targetCores: number; machineCores: number; tally: Tally; api: { requests: number } | null }[]
  recv4: { tally: Tally }[]
  real: { target: string; recordsPerSecond: number; tally: Tally }[]
  cold: Record<string, { acceptingMs: number; readyMs: number | null }[]>
  many: { connections: number; latencyMs: { p99: number }; tally: Tally }[]
}

function runBench(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/bench/bench.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, out, err }))
  })
}

describe('npm run bench (smoke)', () => {
  it('runs every section and finds every record exactly once in every target', { timeout: 60_000 }, async () => {
    const { code, out, err } = await runBench(['--records', '3000', '--rounds', '1', '--connections', '1', '--json', '--real-records', '2000',
      '--cold-starts', '1', '--many-connections', '50', '--many-rate', '1000', '--many-seconds', '2'])
    assert.equal(code, 0, err)
    const r = JSON.parse(out) as Smoke
    assert.equal(r.frames.count, 3000)
    assert.ok(r.frames.averageBytes > 400 && r.frames.averageBytes < 1200, `average frame ${r.frames.averageBytes} B`)
    assert.ok(r.senderAlone['1']! > 0)
    assert.deepEqual(r.blast.map((run) => run.target), ['server', 'asyncio', 'cookbook', 'raw'])
    for (const run of r.blast) {
      assert.deepEqual(run.tally, { ...run.tally, expected: 3000, distinct: 3000, exactlyOnce: true }, run.target)
      assert.ok(run.recordsPerSecond > 0 && run.peakRssMiB > 0 && run.cpuSecondsPerMillion > 0, JSON.stringify(run))
      // /proc counts in 10 ms ticks: a run of 3,000 records may round either way, but never below 0.
      assert.ok(Number.isFinite(run.targetCores) && run.targetCores >= 0 && Number.isFinite(run.machineCores) && run.machineCores >= 0, JSON.stringify(run))
    }
    assert.ok(r.blast[0]!.api!.requests > 0, '/api/records was polled during the server run')
    assert.equal(r.recv4.length, 1)
    assert.ok(r.recv4[0]!.tally.distinct <= 3000)
    assert.deepEqual(r.real.map((run) => [run.target, run.tally.exactlyOnce]), [['server', true], ['asyncio', true], ['cookbook', true], ['raw', true]])
    assert.deepEqual(Object.keys(r.cold).sort(), ['asyncio', 'cookbook', 'server'])
    assert.ok(r.cold['server']![0]!.readyMs! > 0 && r.cold['server']![0]!.acceptingMs > 0)
    assert.equal(r.many.length, 1)
    assert.equal(r.many[0]!.tally.exactlyOnce, true)
    assert.ok(r.many[0]!.latencyMs.p99 > 0)
  })

  it('prints the Markdown table with the machine line', { timeout: 60_000 }, async () => {
    const { code, out, err } = await runBench(['--records', '2000', '--rounds', '1', '--connections', '1,2', '--only', 'blast', '--targets', 'server,raw', '--no-recv4'])
    assert.equal(code, 0, err)
    assert.match(out, /^machine: \d+ CPUs \(nproc\), .+; node v\d+.+; python 3\.\d+/m)
    assert.match(out, /^\| \*\*this server\*\* \| [\d.]+k \| [\d.]+k \|$/m)
    assert.match(out, /^\| this server ÷ raw \| [\d.]+ \| [\d.]+ \|$/m)
    assert.match(out, /^### Cores busy during each run: the target's \/ the whole machine's \(of \d+\), every round$/m)
    assert.match(out, /^\| this server \| [\d.]+\/[\d.]+ \| [\d.]+\/[\d.]+ \|$/m)
    assert.match(out, /Every record of every run \(4 runs\) was found exactly once/)
  })
})
