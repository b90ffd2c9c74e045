// Mutated frames (the decoder fuzzer's inputs, same seed) through the real server over TCP, each on its own
// connection, while a genuine SocketHandler client sends: the server stays up, loses none of the client's
// records, and its reject counters match, code by code, what the in-process harness says of each frame.
// FUZZ_SEED and FUZZ_SERVER_FRAMES (set by fuzz.js) choose the inputs.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { runClient } from '../support/python.js'
import { getJson, sendRaw, startServer, waitFor, type RunningServer } from '../support/server.js'
import { FrameHarness } from './frame-harness.js'
import { FUZZ_MAX_FRAME_BYTES } from './fuzz-decoder.js'
import { buildStream, fuzzInputArb } from './mutations.js'
import { loadSeeds, type Seed } from './seeds.js'

const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31)
const FRAMES = Number(process.env['FUZZ_SERVER_FRAMES'] ?? 2000)
const GOOD = 2000
const CANARY = '/tmp/loggingserver-pwned'

interface Status {
  recordsReceived: number
  rejected: Record<string, number>
  rejectedTotal: number
  connectionsOpen: number
  connectionsTotal: number
}

describe(`mutated frames through the real server (seed ${SEED}, ${FRAMES} frames)`, () => {
  let server: RunningServer
  before(async () => {
    server = await startServer(`log: {max_frame_bytes: ${FUZZ_MAX_FRAME_BYTES}}`)
  })
  after(() => server?.cleanup())

  it('stays up, keeps every genuine record, and counts each bad frame as the decoder harness classifies it', async () => {
    const seeds = loadSeeds()
    const harness = new FrameHarness(FUZZ_MAX_FRAME_BYTES)
    const streams = fc.sample(fuzzInputArb(seeds.length), { seed: SEED, numRuns: FRAMES }).map((input) => buildStream((seeds[input.seed] as Seed).payload, input.mutations, FUZZ_MAX_FRAME_BYTES))
    let decoded = 0
    const rejected = new Map<string, number>()
    const count = (code: string): void => void rejected.set(code.toLowerCase(), (rejected.get(code.toLowerCase()) ?? 0) + 1)
    for (const stream of streams) {
      const outcome = harness.run(stream, [])
      decoded += outcome.decoded
      outcome.placeholders.forEach(count)
      if (outcome.closed !== null) count(outcome.closed)
    }

    const good = runClient(server.logPort, GOOD, 'good', ['--pause-every', '200', '--pause', '0.02'])
    let next = 0
    const sender = async (): Promise<void> => {
      while (next < streams.length) await sendRaw(server.logPort, Buffer.from(streams[next++] as Uint8Array))
    }
    await Promise.all(Array.from({ length: 16 }, sender))
    await good
    const rejectedTotal = [...rejected.values()].reduce((a, b) => a + b, 0)
    let status = {} as Status
    await waitFor(async () => {
      status = (await getJson(server.webPort, '/api/status')).body as Status
      return status.connectionsOpen === 0 && status.rejectedTotal >= rejectedTotal
    }, 30_000, 'every connection to be done')
    assert.equal((await getJson(server.webPort, '/healthz')).status, 200)
    assert.equal(status.connectionsTotal, FRAMES + 1)
    assert.deepEqual(Object.fromEntries(Object.entries(status.rejected).filter(([, n]) => n > 0).sort()), Object.fromEntries([...rejected].sort()))
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    const placeholders = text.split('\n').filter((l) => / WARNING +undecodable record from 127\.0\.0\.1: /.test(l)).length
    assert.equal(status.recordsReceived, GOOD + decoded + placeholders, 'records: the client\'s, the decoded frames\' and the placeholders written')
    for (let i = 0; i < GOOD; i++) assert.ok(text.includes(` good ${i}\n`), `good record ${i} missing`)
    assert.equal(existsSync(CANARY), false, 'a frame executed code')
    console.log(`# ${FRAMES} mutated frames: ${decoded} decoded, rejected ${JSON.stringify(Object.fromEntries(rejected))}, ${placeholders} placeholders written (rate-limited)`)
  })
})
