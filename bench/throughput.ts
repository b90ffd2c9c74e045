// End-to-end throughput of the real server: records/s from socket to central file.
//   1. replay: genuine SocketHandler frames (made once by CPython) blasted over N connections by Node,
//      so the figure is the server's, not the clients';
//   2. python: N real CPython processes with SocketHandler, as users run it.
// usage: npm run bench [-- --records 100000 --connections 4]
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { runClient } from '../test/support/python.js'
import { getJson, sendRaw, startServer } from '../test/support/server.js'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '4' },
    only: { type: 'string' },
    // A Prometheus scrape of /metrics this often during the replay (0: none), to see what scraping costs ingest.
    'scrape-every': { type: 'string', default: '0' },
  },
})
const scrapeEveryMs = Number(values['scrape-every'])
const records = Number(values.records)
const connections = Number(values.connections)

/** One frame per distinct message, made by CPython's own SocketHandler.makePickle. */
function pythonFrames(count: number, tag: string): Buffer {
  const script = `
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('localhost', 1)
out = sys.stdout.buffer
for i in range(${count}):
    r = logging.LogRecord('bench.${tag}', logging.INFO, '/srv/app/bench.py', 42, 'record %s %d', ('${tag}', i), None, 'run')
    out.write(h.makePickle(r))
`
  const r = spawnSync('python3', ['-c', script], { maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(r.stderr.toString())
  return r.stdout
}

async function writtenCount(port: number): Promise<number> {
  const { body } = await getJson(port, '/api/status')
  return (body as { file: { recordsWritten: number } }).file.recordsWritten
}

async function waitWritten(port: number, total: number): Promise<void> {
  while ((await writtenCount(port)) < total) await new Promise((r) => setTimeout(r, 20))
}

async function replay(): Promise<void> {
  const per = Math.floor(records / connections)
  const streams = Array.from({ length: connections }, (_, i) => pythonFrames(per, `c${i}`))
  const bytes = streams.reduce((n, b) => n + b.length, 0)
  const server = await startServer()
  let scrapes = 0
  const scraper = scrapeEveryMs > 0
    ? setInterval(() => void fetch(`http://127.0.0.1:${server.webPort}/metrics`).then((r) => r.text()).then(() => scrapes++), scrapeEveryMs)
    : null
  try {
    const t0 = performance.now()
    const failures = (await Promise.all(streams.map((s) => sendRaw(server.logPort, s)))).filter((e) => e !== null)
    if (failures.length > 0) throw failures[0]!
    await waitWritten(server.webPort, per * connections)
    const seconds = (performance.now() - t0) / 1000
    if (scraper !== null) clearInterval(scraper)
    const rss = server.child.pid ? Number(spawnSync('ps', ['-o', 'rss=', '-p', String(server.child.pid)]).stdout.toString().trim()) : NaN
    console.log(`replay: ${per * connections} records (${(bytes / 1e6).toFixed(1)} MB of genuine SocketHandler frames) over ${connections} connections: ` +
      `${seconds.toFixed(2)} s, ${Math.round((per * connections) / seconds)} records/s, server RSS ${Math.round(rss / 1024)} MiB` +
      (scraper !== null ? `, ${scrapes} scrapes of /metrics (every ${scrapeEveryMs} ms)` : ''))
  } finally {
    if (scraper !== null) clearInterval(scraper)
    await server.stop()
    server.cleanup()
  }
}

async function python(): Promise<void> {
  const per = Math.floor(records / connections)
  const server = await startServer()
  try {
    const t0 = performance.now()
    await Promise.all(Array.from({ length: connections }, (_, i) => runClient(server.logPort, per, `py${i}`)))
    await waitWritten(server.webPort, per * connections)
    const seconds = (performance.now() - t0) / 1000
    console.log(`python: ${per * connections} records from ${connections} CPython SocketHandler processes: ${seconds.toFixed(2)} s, ${Math.round((per * connections) / seconds)} records/s end to end`)
  } finally {
    await server.stop()
    server.cleanup()
  }
}

if (values.only !== 'python') await replay()
if (values.only !== 'replay') await python()
