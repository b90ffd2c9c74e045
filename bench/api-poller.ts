// The status page under load: GET /api/records (the page's first load) every 100 ms while the bench runs,
// one request at a time, each timed to its last byte.
export interface ApiPoller { stop(): Promise<number[]> }

export function pollApiRecords(webPort: number, everyMs = 100): ApiPoller {
  const times: number[] = []
  let stopping = false
  const loop = (async () => {
    while (!stopping) {
      const t0 = performance.now()
      const res = await fetch(`http://127.0.0.1:${webPort}/api/records`)
      await res.arrayBuffer()
      if (!res.ok) throw new Error(`/api/records answered ${res.status}`)
      const took = performance.now() - t0
      times.push(took)
      if (!stopping) await new Promise((r) => setTimeout(r, Math.max(0, everyMs - took)))
    }
  })()
  return {
    async stop() {
      stopping = true
      await loop
      return times
    },
  }
}

/** Polls /metrics every `everyMs` (a Prometheus scrape), to see what scraping costs ingest; returns a stop. */
export function scrapeMetrics(webPort: number, everyMs: number): () => number {
  let scrapes = 0
  const timer = setInterval(() => void fetch(`http://127.0.0.1:${webPort}/metrics`).then((r) => r.text()).then(() => scrapes++, () => {}), everyMs)
  return () => {
    clearInterval(timer)
    return scrapes
  }
}
