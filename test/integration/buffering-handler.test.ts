// examples/loggingserver_handler.py (issue 14): BufferingSocketHandler keeps records through a server outage,
// sends them in order, none twice, counts exactly what its bound made it drop, and never blocks the caller.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import tls from 'node:tls'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { repoRoot, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

const support = path.join(repoRoot, 'test/support')

interface Client {
  stdout: () => string
  stderr: () => string
  resume(): void
  /** Resolves with the client's summary line once it exited 0. */
  done: Promise<{ sent: number; dropped: number }>
}

/** test/support/buffered_client.py: "TAG <i>" at `rate`/s through BufferingSocketHandler. */
function startClient(port: number, tag: string, args: string[]): Client {
  const child = spawn('python3', [path.join(support, 'buffered_client.py'), String(port), tag, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const done = new Promise<{ sent: number; dropped: number }>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`buffered_client.py exited with ${code}: ${err}`))
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as { sent: number; dropped: number })
    })
  })
  return { stdout: () => out, stderr: () => err, resume: () => child.stdin.end('go\n'), done }
}

/** The i of every "TAG <i>" line, in file order. */
function sequence(file: string, tag: string): number[] {
  const re = new RegExp(` ${tag} (\\d+)$`)
  return readFileSync(file, 'utf8').split('\n').flatMap((l) => {
    const m = re.exec(l)
    return m ? [Number(m[1])] : []
  })
}

/** A loopback port nothing listens on (yet): bound by the kernel, then released. */
async function freePort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('BufferingSocketHandler (examples/loggingserver_handler.py)', () => {
  const servers: RunningServer[] = []
  after(() => servers.forEach((s) => s.cleanup()))

  it('keeps 5 s of 1,000 records/s through a server stop and sends them to the next server in order, none twice', async () => {
    const first = await startServer()
    servers.push(first)
    const port = first.logPort
    // 2,000 records, then quiet, so that the current server's stop closes the connection cleanly (its drain
    // closes after 250 ms of quiet). The client's next record must not go into that closed connection: a
    // handler that does not check for the server's close first loses it (seen: record 2000 missing).
    const client = startClient(port, 'outage', ['--rate', '1000', '--seconds', '9', '--pause-after', '2000'])
    await waitFor(() => client.stdout().includes('paused'), 20_000, 'the client to send 2,000 records')
    assert.equal(await first.stop(), 0)
    client.resume()
    await sleep(5000)
    const second = await startServer(`log:\n  port: ${port}\n`)
    servers.push(second)
    const { sent, dropped } = await client.done
    assert.equal(await second.stop(), 0)
    const before = sequence(first.file, 'outage')
    const afterRestart = sequence(second.file, 'outage')
    assert.equal(dropped, 0)
    assert.deepEqual(before, Array.from({ length: 2000 }, (_, i) => i))
    assert.ok(afterRestart.length > 5000, `the second server got ${afterRestart.length} records`)
    const landed = [...before, ...afterRestart]
    assert.equal(landed.length, sent)
    const outOfPlace = landed.findIndex((n, i) => n !== i)
    assert.equal(outOfPlace, -1, `record ${outOfPlace} is ${landed[outOfPlace]}`)
  })

  // The same outage, but the server is stopped while the client keeps sending. The drain half-closes each
  // connection at once (FIN); the handler sees it before its next send and stops writing into it. Before that
  // FIN the drain read until the client fell quiet (never, at 1,000/s) or its deadline, then closed with
  // records still unread, which the kernel threw away (seen: 18 records missing, shutdown_timeout_seconds 3).
  it('keeps every record when the server stops while the client is sending', async () => {
    const first = await startServer('shutdown_timeout_seconds: 3\n')
    servers.push(first)
    const port = first.logPort
    const client = startClient(port, 'steady', ['--rate', '1000', '--seconds', '12'])
    await waitFor(() => sequence(first.file, 'steady').length >= 2000, 20_000, 'the first server to write 2,000 records')
    assert.equal(await first.stop(), 0)
    await sleep(5000)
    const second = await startServer(`log:\n  port: ${port}\n`)
    servers.push(second)
    const { sent, dropped } = await client.done
    assert.equal(await second.stop(), 0)
    const landed = [...sequence(first.file, 'steady'), ...sequence(second.file, 'steady')]
    assert.equal(dropped, 0)
    const outOfPlace = landed.findIndex((n, i) => n !== i)
    assert.equal(outOfPlace, -1, `record ${outOfPlace} is ${landed[outOfPlace]}`)
    assert.equal(landed.length, sent)
  })

  it('counts exactly what its bound dropped: the attribute and the one stderr line equal the records missing', async () => {
    const port = await freePort()
    // No server for the first 3 s at 1,000 records/s, and room for 500: about 2,500 must be dropped.
    const client = startClient(port, 'bounded', ['--rate', '1000', '--seconds', '6', '--max-records', '500'])
    await sleep(3000)
    const server = await startServer(`log:\n  port: ${port}\n`)
    servers.push(server)
    const { sent, dropped } = await client.done
    assert.equal(await server.stop(), 0)
    const landed = sequence(server.file, 'bounded')
    assert.ok(dropped >= 1000, `only ${dropped} dropped: the bound was never hit`)
    assert.equal(sent - landed.length, dropped)
    const lines = client.stderr().split('\n').filter((l) => l.startsWith('loggingserver_handler: '))
    assert.equal(lines.length, 1, client.stderr())
    assert.match(lines[0]!, new RegExp(`^loggingserver_handler: dropped ${dropped} records while 127\\.0\\.0\\.1:${port} was unreachable`))
    // Dropping the newest keeps what is sent one run: 0..499, then the records from the server's return on.
    assert.deepEqual(landed.slice(0, 500), Array.from({ length: 500 }, (_, i) => i))
    assert.ok(landed.every((n, i) => i === 0 || n > landed[i - 1]!), 'records out of order or twice')
  })

  it("never blocks logger.info while connect() hangs, where stock SocketHandler blocks for 1 s (p99 printed)", async () => {
    const measure = (handler: string): Promise<{ calls: number; p50_ms: number; p99_ms: number; max_ms: number }> =>
      new Promise((resolve, reject) => {
        const child = spawn('python3', [path.join(support, 'latency_client.py'), handler, '--seconds', '8'], { stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        let err = ''
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`latency_client.py ${handler}: ${code} ${err}`))))
      })
    const [stock, buffered] = await Promise.all([measure('stock'), measure('buffered')])
    console.log(`logger.info while the server is unreachable (connect hangs), 1 record per 20 ms for 8 s:`)
    console.log(`  stock SocketHandler:     p50 ${stock.p50_ms.toFixed(3)} ms, p99 ${stock.p99_ms.toFixed(3)} ms, max ${stock.max_ms.toFixed(1)} ms (${stock.calls} calls)`)
    console.log(`  BufferingSocketHandler:  p50 ${buffered.p50_ms.toFixed(3)} ms, p99 ${buffered.p99_ms.toFixed(3)} ms, max ${buffered.max_ms.toFixed(1)} ms (${buffered.calls} calls)`)
    // The stock handler proves that connect() really hung here; otherwise the comparison says nothing.
    assert.ok(stock.max_ms >= 900, `stock SocketHandler never blocked (max ${stock.max_ms} ms): the connect did not hang`)
    // Never blocking is the property; the 1 ms target is a figure (0.3-0.5 ms measured on an idle 2-core
    // machine), and a loaded CI machine schedules threads late by a few ms. A handler that waits on the
    // network shows up here as hundreds of ms, as the stock one does.
    assert.ok(buffered.max_ms < 100, `BufferingSocketHandler blocked: max ${buffered.max_ms} ms`)
    assert.ok(buffered.p99_ms < 10, `BufferingSocketHandler p99 ${buffered.p99_ms} ms`)
  })

  it('sends over TLS (ssl_context, checked against server_hostname) and sends nothing to a server it cannot verify', async () => {
    const server = await startServer('file:\n  format: "%(message)s"\n')
    servers.push(server)
    // The log port speaks plain TCP; a TLS terminator in front of it (as stunnel or haproxy would be) stands in
    // for a TLS log port. Its certificate names 127.0.0.1, the host the handler is given.
    const dir = tempDir()
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=loggingserver-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' })
    assert.equal(made.status, 0, made.stderr)
    const terminator = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (clear) => {
      const upstream = net.connect(server.logPort, '127.0.0.1')
      clear.pipe(upstream).pipe(clear)
      clear.on('error', () => upstream.destroy())
      upstream.on('error', () => clear.destroy())
    })
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve))
    const { port } = terminator.address() as net.AddressInfo
    try {
      const send = (cafile: string, tag: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const child = spawn('python3', ['-c', String.raw`
import logging, ssl, sys
sys.path.insert(0, sys.argv[1])
from loggingserver_handler import BufferingSocketHandler
ctx = ssl.create_default_context(cafile=sys.argv[3] or None)
h = BufferingSocketHandler("127.0.0.1", int(sys.argv[2]), ssl_context=ctx)
h.close_timeout = 2.0
log = logging.getLogger("tls"); log.propagate = False; log.addHandler(h); log.setLevel(logging.INFO)
for i in range(100):
    log.info("%s %d", sys.argv[4], i)
h.close()
print(h.dropped)`, path.join(repoRoot, 'examples'), String(port), cafile, tag], { stdio: ['ignore', 'pipe', 'pipe'] })
          let out = ''
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
          child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`TLS client exited with ${code}`))))
        })
      assert.equal(await send(cert, 'trusted'), '0')
      // The system's CAs do not know the test certificate: the handshake fails, and every record is counted.
      assert.equal(await send('', 'untrusted'), '100')
    } finally {
      terminator.close()
      rmSync(dir, { recursive: true, force: true })
    }
    await waitFor(() => readFileSync(server.file, 'utf8').includes('trusted 99\n'), 5000, 'the TLS records to be written')
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').trimEnd().split('\n')
    assert.deepEqual(lines, Array.from({ length: 100 }, (_, i) => `trusted ${i}`))
  })
})
