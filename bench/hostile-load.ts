// npm run load:hostile — issue 10 item 2 at full size: 3,000 idle connections, 300 connections each declaring
// a 1 MiB frame and sending half of it, slowloris peers sending a byte a second, and a genuine CPython
// SocketHandler at 1,000 records/s. Prints send-to-disk latency and the server's peak RSS (target < 300 MiB).
// Options: --idle N --half N --slowloris N --records N --rate N
import { parseArgs } from 'node:util'
import { HOSTILE_LOAD_CONFIG, runHostileLoad } from '../test/support/hostile-load.js'
import { startServer } from '../test/support/server.js'

const { values } = parseArgs({
  options: {
    idle: { type: 'string', default: '3000' },
    half: { type: 'string', default: '300' },
    slowloris: { type: 'string', default: '5' },
    records: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
  },
})
const options = {
  idle: Number(values.idle),
  halfFrames: Number(values.half),
  halfFrameBytes: 1024 * 1024,
  slowloris: Number(values.slowloris),
  records: Number(values.records),
  recordsPerSecond: Number(values.rate),
}
const server = await startServer(HOSTILE_LOAD_CONFIG, { timeoutMs: 30_000 })
try {
  const r = await runHostileLoad(server, options)
  console.log(`hostile load: ${options.idle} idle, ${options.halfFrames} × half of 1 MiB, ${options.slowloris} slowloris; ${options.records} records at ${options.recordsPerSecond}/s`)
  console.log(`| records landed | duplicates | p50 ms | p99 ms | max ms | peak RSS MiB | idle closed | half-frames closed | slowloris closed |`)
  console.log(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|`)
  console.log(`| ${r.recordsLanded}/${r.recordsSent} | ${r.duplicates} | ${r.latencyMs.p50.toFixed(0)} | ${r.latencyMs.p99.toFixed(0)} | ${r.latencyMs.max.toFixed(0)} | ${r.peakRssMiB} | ${r.idleClosed} | ${r.halfFramesClosed} | ${r.slowlorisClosed} |`)
  const ok = r.recordsLanded === r.recordsSent && r.duplicates === 0 && r.latencyMs.p99 < 1000 && r.peakRssMiB < 300 && r.idleClosed === 0
  console.log(ok ? 'PASS' : 'FAIL')
  process.exitCode = ok ? 0 : 1
  await server.stop()
} finally {
  server.cleanup()
}
