// The status page under load: GET /api/records (the page's first load) every 100 ms while the bench runs,
// one request at a time, each timed to its last byte. The requests run in a worker thread: on the bench's
// main thread they waited behind its own work (tallying the target's growing file every 10 ms), which showed
// up as tens of milliseconds of "latency" the server never spent (the server's first answer under load is
// 12 ms, measured from a separate process).
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { parentPort, Worker, workerData } from 'node:worker_threads'

export interface ApiPoller { stop(): Promise<number[]> }

interface PollerData { apiPoller: true; webPort: number; everyMs: number }

/** Starts polling; resolves once the worker is ready to send its first request. */
export async function pollApiRecords(webPort: number, everyMs = 100): Promise<ApiPoller> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { apiPoller: true, webPort, everyMs } satisfies PollerData })
  const failed = new Promise<never>((_, reject) => worker.once('error', reject))
  await Promise.race([new Promise((resolve) => worker.once('message', resolve)), failed])
  const times = new Promise<number[]>((resolve) => worker.once('message', resolve))
  worker.postMessage('start')
  return {
    async stop() {
      worker.postMessage('stop')
      const result = await Promise.race([times, failed])
      await worker.terminate()
      return result
    },
  }
}

/** Keeps the connection between requests, as the page's browser does (and fetch did here before). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

/** One GET, timed to its last byte; rejects on a non-2xx. */
function timedGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume()
      res.on('end', () => ((res.statusCode ?? 0) >= 300 ? reject(new Error(`${path} answered ${res.statusCode}`)) : resolve(performance.now() - t0)))
      res.on('error', reject)
    }).on('error', reject)
  })
}

async function runPoller(port: NonNullable<typeof parentPort>, data: PollerData): Promise<void> {
  // This thread's own first request (module setup, first sockets) must not count: warm up against a local server.
  const warm = http.createServer((_req, res) => res.end('x'.repeat(64 * 1024)))
  await new Promise<void>((resolve) => warm.listen(0, '127.0.0.1', resolve))
  const warmPort = (warm.address() as { port: number }).port
  for (let i = 0; i < 3; i++) await timedGet(warmPort, '/')
  await new Promise((resolve) => warm.close(resolve))
  let stopping = false
  port.on('message', (m) => {
    if (m === 'stop') stopping = true
  })
  port.postMessage('ready')
  await new Promise((resolve) => port.once('message', resolve)) // 'start'
  const times: number[] = []
  while (!stopping) {
    const took = await timedGet(data.webPort, '/api/records')
    times.push(took)
    if (!stopping) await new Promise((r) => setTimeout(r, Math.max(0, data.everyMs - took)))
  }
  agent.destroy()
  port.postMessage(times)
}

if (parentPort !== null && (workerData as Partial<PollerData> | null)?.apiPoller === true) await runPoller(parentPort, workerData as PollerData)

/** Polls /metrics every `everyMs` (a Prometheus scrape), to see what scraping costs ingest; returns a stop. */
export function scrapeMetrics(webPort: number, everyMs: number): () => number {
  let scrapes = 0
  const timer = setInterval(() => void fetch(`http://127.0.0.1:${webPort}/metrics`).then((r) => r.text()).then(() => scrapes++, () => {}), everyMs)
  return () => {
    clearInterval(timer)
    return scrapes
  }
}
