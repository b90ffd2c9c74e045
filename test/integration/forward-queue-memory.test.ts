// forward[].queue_bytes bounds memory, not only a count: a target that is down while CPython's SocketHandler
// floods the server fills its queue to the bound, and the server's RSS grows by about that much, not a
// multiple of it (one Buffer per ~200-byte message cost 4× the bound, measured).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { runClient } from '../support/python.js'
import { startServer, waitFor, type RunningServer } from '../support/server.js'

const QUEUE_BYTES = 48 * 1024 * 1024
const RECORDS = 400_000 // ~75 MB of RFC 5424 messages: the queue fills and the rest is dropped
/** What the server grows by with no forwarding under the same flood (ring, statistics, V8's heap), measured ~46 MB. */
const BASE_GROWTH_BYTES = 64 * 1024 * 1024

const rssBytes = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024

describe('forward queue memory', () => {
  let s: RunningServer
  after(() => s?.cleanup())

  it('a full queue of a target that is down costs about queue_bytes of RSS, not a multiple of it', async () => {
    s = await startServer(`forward:\n  - {url: "tcp://127.0.0.1:1", queue_bytes: ${QUEUE_BYTES}}\n`)
    const before = rssBytes(s.child.pid!)
    await runClient(s.logPort, RECORDS, 'mem')
    const status = async (): Promise<{ forward: { queuedBytes: number; dropped: number; queuedRecords: number }[] }> =>
      (await (await fetch(`http://127.0.0.1:${s.webPort}/api/status`)).json()) as never
    await waitFor(async () => {
      const f = (await status()).forward[0]!
      return f.queuedRecords + f.dropped === RECORDS
    }, 60_000, 'every record queued or dropped')
    const f = (await status()).forward[0]!
    assert.ok(f.dropped > 0 && f.queuedBytes > QUEUE_BYTES * 0.95, `the queue is full: ${JSON.stringify(f)}`)
    const grew = rssBytes(s.child.pid!) - before
    const limit = QUEUE_BYTES * 1.5 + BASE_GROWTH_BYTES
    assert.ok(grew < limit, `RSS grew ${(grew / 2 ** 20).toFixed(0)} MiB, over ${(limit / 2 ** 20).toFixed(0)} MiB for a ${QUEUE_BYTES / 2 ** 20} MiB queue`)
  })
})
