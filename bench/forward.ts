// Forwarding throughput beside the plain file's, measured in the same run (issue 11, item 4): genuine
// SocketHandler frames replayed over N connections into the real server, (1) with no forward target: records/s
// into the central file; (2) forwarding to a real rsyslogd on loopback over tcp, (3) over relp: records/s until
// rsyslog's own file has every record (rsyslog with its default queue, as installed).
// usage: npm run bench:forward [-- --records 50000 --connections 4]
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startRsyslog, type Rsyslog } from '../test/support/rsyslog.js'
import { getJson, sendRaw, startServer, tempDir } from '../test/support/server.js'

const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, connections: { type: 'string', default: '4' } } })
const connections = Number(values.connections)
const per = Math.floor(Number(values.records) / connections)
const total = per * connections

/** CPython's own SocketHandler.makePickle frames, one distinct message each. */
function frames(tag: string): Buffer {
  const script = `
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('localhost', 1)
for i in range(${per}):
    sys.stdout.buffer.write(h.makePickle(logging.LogRecord('bench.${tag}', logging.INFO, '/srv/app/bench.py', 42, 'record %s %d', ('${tag}', i), None, 'run')))
`
  const r = spawnSync('python3', ['-c', script], { maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(r.stderr.toString())
  return r.stdout
}

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 600_000
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('bench did not finish within 10 minutes')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const rate = (seconds: number): string => `${Math.round(total / seconds).toLocaleString('en')} records/s (${seconds.toFixed(2)} s)`

/** Replays the frames; resolves with the seconds until the file, and until the receiver, had every record. */
async function run(streams: Buffer[], forward: string, receiver: Rsyslog | null): Promise<{ file: number; forwarded: number | null }> {
  const server = await startServer(forward === '' ? '' : `forward:\n  - {url: "${forward}", queue_bytes: 1073741824}\n`)
  try {
    const t0 = performance.now()
    const failures = (await Promise.all(streams.map((s) => sendRaw(server.logPort, s)))).filter((e) => e !== null)
    if (failures.length > 0) throw failures[0]!
    let file = 0
    let forwarded: number | null = null
    await until(async () => {
      if (file === 0) {
        const { body } = await getJson(server.webPort, '/api/status')
        if ((body as { file: { recordsWritten: number } }).file.recordsWritten >= total) file = (performance.now() - t0) / 1000
      }
      if (receiver !== null && forwarded === null && receiver.lineCount() >= total) forwarded = (performance.now() - t0) / 1000
      return file > 0 && (receiver === null || forwarded !== null)
    })
    return { file, forwarded }
  } finally {
    await server.stop()
    server.cleanup()
  }
}

const streams = Array.from({ length: connections }, (_, i) => frames(`c${i}`))
console.log(`forward bench: ${total} records over ${connections} connections, replayed genuine SocketHandler frames`)
const plain = await run(streams, '', null)
console.log(`  file only:               ${rate(plain.file)}`)
for (const protocol of ['tcp', 'relp'] as const) {
  const dir = tempDir('loggingserver-bench-rsyslog-')
  const rsyslog = await startRsyslog(dir, { direct: false })
  try {
    const r = await run(streams, `${protocol}://127.0.0.1:${rsyslog.ports[protocol]}`, rsyslog)
    console.log(`  forward ${protocol.padEnd(4)} to rsyslog: ${rate(r.forwarded!)} into rsyslog's file; the central file meanwhile ${rate(r.file)}`)
  } finally {
    await rsyslog.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
