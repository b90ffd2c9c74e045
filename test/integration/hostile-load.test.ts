// The quick slice of the hostile-connections load (the full one: `npm run load:hostile`): idle connections,
// half-sent 1 MiB frames and a slowloris must cost the genuine client nothing: every record lands, quickly.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { HOSTILE_LOAD_CONFIG, runHostileLoad } from '../support/hostile-load.js'
import { startServer, type RunningServer } from '../support/server.js'

describe('hostile connections beside a genuine client (slice)', () => {
  let server: RunningServer
  after(() => server?.cleanup())

  it('lands every record within 1 s (p99) while idle, half-frame and slowloris peers hold connections', async () => {
    server = await startServer(HOSTILE_LOAD_CONFIG)
    const result = await runHostileLoad(server, { idle: 600, halfFrames: 60, halfFrameBytes: 1024 * 1024, slowloris: 2, records: 1000, recordsPerSecond: 500 })
    console.log(JSON.stringify(result))
    assert.equal(result.recordsLanded, 1000)
    assert.equal(result.duplicates, 0)
    assert.ok(result.latencyMs.p99 < 1000, `p99 send-to-disk ${result.latencyMs.p99} ms`)
    assert.equal(result.idleClosed, 0, 'idle connections are never shed')
    assert.equal(result.halfFramesClosed, 0, 'within log.max_partial_bytes half frames are kept (until their deadline)')
    assert.ok(result.peakRssMiB < 300, `peak RSS ${result.peakRssMiB} MiB`)
    assert.equal(await server.stop(), 0)
  })
})
