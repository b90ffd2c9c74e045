// A trickling client (CPython's SocketHandler, one small frame per send, a frame every ~100 µs or 1 ms) is read in
// batches: after two small reads in a row the connection rests (FlowControl's `rest`) so the kernel gathers the next frames
// into one read; every record still arrives, in order, promptly. Reads are counted by the ingest histogram
// (one observation per read that completed frames).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { runPythonAsync } from '../support/python.js'
import { getJson, startServer, waitFor, type RunningServer } from '../support/server.js'

const RECORDS = 3000

/** Sends `records` records, spinning `periodSeconds` between them (a sleep would be ≥ 1 ms on a busy box). */
function trickle(records: number, periodSeconds: number): string {
  return String.raw`
import logging, logging.handlers, sys, time
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
log = logging.getLogger('trickle')
log.propagate = False
log.addHandler(h)
log.setLevel(logging.INFO)
for i in range(${records}):
    log.info('trickle %d', i)
    t = time.perf_counter()
    while time.perf_counter() - t < ${periodSeconds}:
        pass
h.close()
`
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)
  assert.ok(m, `${name} not in /metrics`)
  return Number(m[1])
}

describe('read coalescing', () => {
  let server: RunningServer | undefined
  after(() => server?.cleanup())

  /** A fresh server takes `records` trickled `periodSeconds` apart; every record is checked in the file, in order.
   *  Returns the reads that completed frames. */
  async function readsForTrickle(records: number, periodSeconds: number): Promise<number> {
    server?.cleanup()
    const running = (server = await startServer())
    await runPythonAsync(trickle(records, periodSeconds), [String(running.logPort)])
    await waitFor(async () => ((await getJson(running.webPort, '/api/status')).body as { file: { recordsWritten: number } }).file.recordsWritten >= records, 20000, 'all records written')
    const lines = readFileSync(running.file, 'utf8').trimEnd().split('\n')
    assert.equal(lines.length, records)
    lines.forEach((line, i) => assert.ok(line.endsWith(` trickle ${i}`), `line ${i} out of order: ${line}`))
    return metric(running.webPort, 'loggingserver_ingest_batch_seconds_count')
  }

  it('reads a trickling SocketHandler several frames at a time, losing nothing and keeping order', async () => {
    const reads = await readsForTrickle(RECORDS, 0.0001)
    // Read as it arrives, each frame would be a read of its own (about RECORDS reads on an idle machine); a 4 ms
    // rest (REST_MS) gathers dozens of frames of this client per read.
    assert.ok(reads <= RECORDS / 3, `${reads} reads for ${RECORDS} frames: reads are not coalesced`)
  })

  it('keeps resting a client that sends a frame every millisecond: the read after a rest does not end the resting', async () => {
    // A 4 ms rest gathers about 4 frames of this client, so about records / 5 reads at most; timing the read after
    // a rest from the previous read (which the rest itself delayed) ended every other rest: ~records / 3 (651 of 2000, measured).
    const records = 2000
    const reads = await readsForTrickle(records, 0.001)
    assert.ok(reads <= records / 5, `${reads} reads for ${records} frames a millisecond apart: rests end too soon`)
  })
})
