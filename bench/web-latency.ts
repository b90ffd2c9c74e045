// Response time of GET /api/records (300 records, the page's initial load) while N CPython SocketHandler
// clients send flat out: the status page must stay usable when the server is busiest.
// usage: npm run build && node dist/bench/web-latency.js [--clients 4] [--requests 200]
import { spawn, type ChildProcess } from 'node:child_process'
import { parseArgs } from 'node:util'
import { clientPy, runClient } from '../test/support/python.js'
import { getJson, startServer, waitFor } from '../test/support/server.js'

const { values } = parseArgs({ options: { clients: { type: 'string', default: '4' }, requests: { type: 'string', default: '200' } } })
const clients = Number(values.clients)
const requests = Number(values.requests)

interface Status { recordsReceived: number; connectionsOpen: number; ring: { size: number } }
const status = async (port: number): Promise<Status> => (await getJson(port, '/api/status')).body as Status

/** Times `requests` sequential GETs; returns milliseconds, sorted. */
async function timeRecords(port: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now()
    const res = await fetch(`http://127.0.0.1:${port}/api/records`)
    const body = (await res.json()) as { records: unknown[] }
    times.push(performance.now() - t0)
    if (body.records.length !== 300) throw new Error(`expected 300 records, got ${body.records.length}`)
  }
  return times.sort((a, b) => a - b)
}

const pct = (sorted: number[], p: number): string => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2)
const line = (label: string, t: number[]): string => `${label}: median ${pct(t, 50)} ms, p90 ${pct(t, 90)} ms, max ${t[t.length - 1]!.toFixed(2)} ms (${t.length} requests)`

const server = await startServer()
const senders: ChildProcess[] = []
try {
  await runClient(server.logPort, 300, 'fill')
  await waitFor(async () => (await status(server.webPort)).ring.size === 300, 10_000, '300 records in the ring')
  console.log(line('idle', await timeRecords(server.webPort)))

  // Each client logs "flat out" until killed (count far beyond the measurement's length).
  for (let i = 0; i < clients; i++) senders.push(spawn('python3', [clientPy, String(server.logPort), '100000000', `load${i}`], { stdio: 'ignore' }))
  await waitFor(async () => (await status(server.webPort)).connectionsOpen === clients, 10_000, `${clients} clients connected`)
  const before = await status(server.webPort)
  const t0 = performance.now()
  const busy = await timeRecords(server.webPort)
  const after = await status(server.webPort)
  const rate = (after.recordsReceived - before.recordsReceived) / ((performance.now() - t0) / 1000)
  console.log(line(`under load (${clients} CPython SocketHandler clients, ${Math.round(rate)} records/s arriving)`, busy))
} finally {
  for (const child of senders) child.kill('SIGKILL')
  server.cleanup()
}
