// /metrics against the real thing (Debian's prometheus and promtool): a Prometheus on loopback scrapes the
// server every second while genuine SocketHandler traffic flows; rates and latency quantiles come back; every
// expression of the shipped dashboard and alert rules runs without error; promtool accepts a scrape, the rule
// file, and the rule unit tests (the "host stopped logging" and "file unhealthy" alerts fire when they should).
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { runClient } from '../support/python.js'
import { repoRoot, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

const RULES = path.join(repoRoot, 'examples/loggingserver.rules.yml')
const DASHBOARD = path.join(repoRoot, 'examples/grafana-dashboard.json')

interface QueryResult {
  status: string
  error?: string
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

/** Grafana's variables, as a fixed range and a match-all selector. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '10s').replaceAll('$__interval', '5s').replaceAll('$__range', '1m').replaceAll('$instance', '.*')
}

describe('Prometheus scraping /metrics', () => {
  let server: RunningServer
  let prometheus: ChildProcess
  let promUrl = ''
  let promLog = ''

  before(async () => {
    server = await startServer()
    const dir = tempDir('loggingserver-prometheus-')
    const port = await freePort()
    promUrl = `http://127.0.0.1:${port}`
    const config = path.join(dir, 'prometheus.yml')
    writeFileSync(config, [
      'global: {scrape_interval: 1s, evaluation_interval: 1s}',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      '  - job_name: loggingserver',
      `    static_configs: [{targets: ["127.0.0.1:${server.webPort}"]}]`,
      '',
    ].join('\n'))
    prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] })
    prometheus.stderr!.setEncoding('utf8').on('data', (d: string) => (promLog += d))
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.status === 200, 20_000, `Prometheus to be ready: ${promLog}`)
  })

  after(() => {
    prometheus?.kill()
    server?.cleanup()
  })

  const query = async (expr: string): Promise<QueryResult> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)
    return (await res.json()) as QueryResult
  }

  it('has the record rate and the write latency quantiles from genuine traffic', async () => {
    // About 1,000 records/s for about 15 s, while the page's API is asked now and then; queried meanwhile.
    const client = runClient(server.logPort, 15_000, 'prom', ['--pause-every', '100', '--pause', '0.1'])
    const poller = setInterval(() => void fetch(`http://127.0.0.1:${server.webPort}/api/records?limit=50`).then((r) => r.arrayBuffer()).catch(() => {}), 200)
    try {
      await waitFor(async () => Number((await query('up{job="loggingserver"}')).data?.result[0]?.value[1]) === 1, 10_000, `the target to be up: ${promLog}`)
      let rate = 0
      await waitFor(async () => {
        const r = await query('rate(loggingserver_records_received_total[10s])')
        rate = Number(r.data?.result[0]?.value[1] ?? 0)
        return rate > 0
      }, 20_000, 'a non-zero rate of records received')
      assert.ok(rate > 50 && rate < 5000, `rate ${rate}/s`)
      let p99 = NaN
      await waitFor(async () => {
        const r = await query('histogram_quantile(0.99, sum by (le) (rate(loggingserver_write_latency_seconds_bucket[10s])))')
        p99 = Number(r.data?.result[0]?.value[1] ?? NaN)
        return Number.isFinite(p99)
      }, 20_000, 'a write latency p99')
      assert.ok(p99 > 0 && p99 < 1, `write latency p99 ${p99} s`)
      await client
      const responses = await query('sum(loggingserver_api_records_response_seconds_count)')
      assert.ok(Number(responses.data?.result[0]?.value[1] ?? 0) > 0, '/api/records response times are recorded')
      await waitFor(async () => Number((await query('loggingserver_client_records_total{client="127.0.0.1"}')).data?.result[0]?.value[1]) === 15_000, 5000, 'the per-client counter to reach 15,000')
      const lastSeen = await query('time() - loggingserver_client_last_seen_timestamp_seconds{client="127.0.0.1"}')
      assert.ok(Number(lastSeen.data?.result[0]?.value[1]) < 60)
      const fds = await query('process_open_fds / process_max_fds')
      assert.ok(Number(fds.data?.result[0]?.value[1]) > 0, 'process metrics are there')
    } finally {
      clearInterval(poller)
    }
  })

  it('runs every expression of the shipped dashboard and rules without error', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] }
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, withoutGrafanaVariables(t.expr)] as const)),
      ...rules.groups.flatMap((g) => g.rules.map((r) => [r.alert, r.expr] as const)),
    ]
    assert.ok(exprs.length >= 15)
    for (const [what, expr] of exprs) {
      const r = await query(expr)
      assert.equal(r.status, 'success', `${what}: ${expr}: ${r.error}`)
    }
    // The dashboard's panels show data from this server (CPU, records by level, write latency among them).
    for (const title of ['Records per second by level', 'Write latency (arrival to disk)', 'CPU (cores used)', 'Event-loop lag']) {
      const panel = dashboard.panels.find((p) => p.title === title)!
      const r = await query(withoutGrafanaVariables(panel.targets[0]!.expr))
      assert.ok((r.data?.result.length ?? 0) > 0, `${title}: no data`)
    }
    // Prometheus loaded the rules and evaluates them without error.
    await waitFor(async () => {
      const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { health: string; lastEvaluation: string }[] }[] } }
      const all = res.data.groups.flatMap((g) => g.rules)
      return all.length === 5 && all.every((r) => r.health === 'ok')
    }, 10_000, 'the 5 rules to be evaluated with health ok')
  })

  it('passes promtool: check metrics on a scrape, check rules, and the rule unit tests', async () => {
    const scrape = await (await fetch(`http://127.0.0.1:${server.webPort}/metrics`)).text()
    const metrics = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' })
    assert.equal(metrics.status, 0, `promtool check metrics: ${metrics.stdout}${metrics.stderr}`)
    const rules = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' })
    assert.equal(rules.status, 0, rules.stdout + rules.stderr)
    const unit = spawnSync('promtool', ['test', 'rules', 'rules-test.yml'], { cwd: path.join(repoRoot, 'test/fixtures/prometheus'), encoding: 'utf8' })
    assert.equal(unit.status, 0, unit.stdout + unit.stderr)
  })
})
