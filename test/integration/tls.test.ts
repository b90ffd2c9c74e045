// log.tls (issue 10, item 1): a TLS port beside the plain one. Real CPython clients through
// examples/tls_socket_handler.py; certificates made with the openssl CLI for each run.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeCerts, makeLeaf, type TestCerts } from '../support/certs.js'
import { runClient, runPythonAsync } from '../support/python.js'
import { closedByServer, getJson, tempDir, repoRoot, reported, type RunningServer, startServer, waitFor } from '../support/server.js'
import { recordsOf, runTlsClient, serverCertName } from '../support/tls.js'

type Status = { rejected: Record<string, number>; connectionsOpen: number }
const status = async (server: RunningServer): Promise<Status> => (await getJson(server.webPort, '/api/status')).body as Status

function tlsYaml(certs: TestCerts, tls: Record<string, unknown> = {}, log: Record<string, unknown> = {}): string {
  return JSON.stringify({ log: { ...log, tls: { port: 0, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, ...tls } } })
}

describe('log.tls', () => {
  let certs: TestCerts
  const servers: RunningServer[] = []
  const start = async (yaml: string): Promise<RunningServer> => {
    const server = await startServer(yaml)
    servers.push(server)
    return server
  }
  before(() => {
    certs = makeCerts(tempDir('loggingserver-certs-'))
  })
  after(() => {
    for (const s of servers) s.cleanup()
    if (certs) rmSync(certs.dir, { recursive: true, force: true })
  })

  it('carries every record of the example TLSSocketHandler, and the plain port works beside it', async () => {
    const server = await start(tlsYaml(certs))
    assert.ok(server.tlsPort !== null && server.tlsPort !== server.logPort)
    await Promise.all([runTlsClient(server.tlsPort, 1000, 'overtls', ['--ca', certs.ca]), runClient(server.logPort, 300, 'plain')])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'overtls', 1000), 1000)
    assert.equal(recordsOf(text, 'plain', 300), 300)
    assert.match(text, /127\.0\.0\.1 +client\.overtls +INFO +overtls 0\n/, 'a TLS record names its peer as a plain one does')
  })

  it('loses nothing when a TLS client closes without close_notify (TLS 1.2 by default: no tickets after the handshake)', async () => {
    const server = await start(tlsYaml(certs))
    for (let run = 0; run < 3; run++) await runTlsClient(server.tlsPort!, 1000, `abrupt${run}`, ['--ca', certs.ca, '--abrupt'])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let run = 0; run < 3; run++) assert.equal(recordsOf(text, `abrupt${run}`, 1000), 1000, `run ${run}`)
  })

  it('a stop right after a TLS client sent 20,000 records writes them all (no half-close of TLS connections)', async () => {
    // Much of it is still unread when the stop begins. A close_notify sent then made 10-17 % of it vanish.
    for (let round = 0; round < 3; round++) {
      const server = await start(tlsYaml(certs))
      await runTlsClient(server.tlsPort!, 20_000, `beforestop${round}`, ['--ca', certs.ca, '--abrupt'])
      assert.equal(await server.stop(), 0)
      assert.equal(recordsOf(readFileSync(server.file, 'utf8'), `beforestop${round}`, 20_000), 20_000, `round ${round}`)
    }
  })

  it('with max_version TLSv1.3, the example handler still delivers every record (it closes with close_notify)', async () => {
    const server = await start(tlsYaml(certs, { max_version: 'TLSv1.3' }))
    for (let run = 0; run < 3; run++) await runTlsClient(server.tlsPort!, 1000, `tls13run${run}`, ['--ca', certs.ca])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let run = 0; run < 3; run++) assert.equal(recordsOf(text, `tls13run${run}`, 1000), 1000, `run ${run}`)
  })

  it('refuses a plain SocketHandler on the TLS port, counts and reports it, and stays up', async () => {
    const server = await start(tlsYaml(certs))
    await runTlsClient(server.tlsPort!, 20, 'plainontls', ['--plain'])
    await waitFor(async () => ((await status(server)).rejected['tls_handshake'] ?? 0) >= 1, 5000, 'a tls_handshake reject')
    assert.match(reported(server.stderr(), 'LS-TLS-HANDSHAKE').join('\n'), /TLS log connection from 127\.0\.0\.1 refused: /)
    await runClient(server.logPort, 100, 'plainafter')
    await runTlsClient(server.tlsPort!, 100, 'tlsafter', ['--ca', certs.ca])
    // The status page's inputs panel counts each port for itself (issue 11 item 5).
    type Inputs = { inputs: { kind: string; address: string; records: number; rejected: number }[] }
    let inputs: Inputs['inputs'] = []
    await waitFor(async () => {
      inputs = ((await getJson(server.webPort, '/api/status')).body as Inputs).inputs
      return inputs.reduce((n, i) => n + i.records, 0) >= 200
    }, 5000, 'both inputs counting their records')
    assert.deepEqual(inputs.map((i) => [i.kind, i.address.endsWith(`:${i.kind === 'tls' ? server.tlsPort : server.logPort}`), i.records, i.rejected > 0]), [['tcp', true, 100, false], ['tls', true, 100, true]])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'plainontls', 20), 0)
    assert.equal(recordsOf(text, 'plainafter', 100), 100)
    assert.equal(recordsOf(text, 'tlsafter', 100), 100)
  })

  it('with require_client_cert, refuses a client without a certificate or with one from another CA', async () => {
    const server = await start(tlsYaml(certs, { require_client_cert: true }))
    // SocketHandler reconnects after each refusal (the handshake succeeded on its side), so each client
    // may be refused more than once.
    const refused = async (): Promise<number> => (await status(server)).rejected['tls_handshake'] ?? 0
    await runTlsClient(server.tlsPort!, 50, 'nocert', ['--ca', certs.ca])
    await waitFor(async () => (await refused()) >= 1, 5000, 'the client without a certificate refused')
    assert.match(reported(server.stderr(), 'LS-TLS-HANDSHAKE').join('\n'), /client certificate not accepted: UNABLE_TO_GET_ISSUER_CERT/)
    const before = await refused()
    await runTlsClient(server.tlsPort!, 50, 'stranger', ['--ca', certs.ca, '--cert', certs.strangerCert, '--key', certs.strangerKey])
    await waitFor(async () => (await refused()) > before, 5000, 'the stranger refused')
    assert.match(reported(server.stderr(), 'LS-TLS-HANDSHAKE').join('\n'), /client certificate not accepted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/)
    await runTlsClient(server.tlsPort!, 200, 'member', ['--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'nocert', 50), 0)
    assert.equal(recordsOf(text, 'stranger', 50), 0)
    assert.equal(recordsOf(text, 'member', 200), 200)
    const lines = reported(server.stderr(), 'LS-TLS-HANDSHAKE')
    assert.ok(lines.length >= 2 && lines.every((l) => /from 127\.0\.0\.1 refused: /.test(l)), lines.join('\n'))
  })

  it('closes a peer that connects to the TLS port and says nothing, within the handshake bound', async () => {
    const server = await start(tlsYaml(certs, {}, { frame_timeout_seconds: 1 }))
    const silent = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(server.tlsPort!, '127.0.0.1', () => resolve(s))
      s.on('error', reject)
    })
    assert.equal(await closedByServer(silent, 8000), true, 'the silent peer was not closed')
    assert.equal((await status(server)).rejected['tls_handshake'], 1)
    assert.match(reported(server.stderr(), 'LS-TLS-HANDSHAKE').join('\n'), /ERR_TLS_HANDSHAKE_TIMEOUT/)
  })

  it('re-reads the certificate files on SIGHUP, and keeps the ones in use when a file is bad', async () => {
    const dir = tempDir('loggingserver-reload-certs-')
    const cert = path.join(dir, 'server.crt')
    const key = path.join(dir, 'server.key')
    copyFileSync(certs.serverCert, cert)
    copyFileSync(certs.serverKey, key)
    const server = await start(tlsYaml(certs, { cert, key }))
    try {
      assert.equal(await serverCertName(server.tlsPort!, certs.ca), 'localhost')
      const renewed = makeLeaf(certs.dir, 'ca', 'renewed', 'serverAuth', 'renewed.localhost')
      copyFileSync(renewed.cert, cert)
      copyFileSync(renewed.key, key)
      server.child.kill('SIGHUP')
      await waitFor(async () => (await serverCertName(server.tlsPort!, certs.ca)) === 'renewed.localhost', 10000, 'the renewed certificate')

      writeFileSync(cert, 'not a certificate\n')
      server.child.kill('SIGHUP')
      await waitFor(() => reported(server.stderr(), 'LS-RELOAD-REFUSED').some((l) => l.includes(cert)), 10000, 'the bad certificate reported')
      assert.equal(await serverCertName(server.tlsPort!, certs.ca), 'renewed.localhost')
      await runTlsClient(server.tlsPort!, 100, 'afterreload', ['--ca', certs.ca])
      assert.equal(await server.stop(), 0)
      assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'afterreload', 100), 100)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('counts log.max_connections across both ports, TLS connections in their handshake included', async () => {
    const server = await start(tlsYaml(certs, {}, { max_connections: 2 }))
    const connect = (port: number): Promise<net.Socket> =>
      new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s))
        s.on('error', reject)
      })
    const plain = await connect(server.logPort)
    const handshaking = await connect(server.tlsPort!) // says nothing: still in its handshake
    await waitFor(async () => (await status(server)).connectionsOpen === 1, 5000, 'the plain connection open')
    const third = await connect(server.logPort)
    assert.equal(await closedByServer(third, 3000), true, 'a third connection was admitted')
    const fourth = await connect(server.tlsPort!)
    assert.equal(await closedByServer(fourth, 3000), true, 'a third connection on the TLS port was admitted')
    assert.equal((await status(server)).rejected['connection_limit'], 2)
    plain.destroy()
    handshaking.destroy()
    await waitFor(async () => (await status(server)).connectionsOpen === 0, 5000, 'both gone')
    await runTlsClient(server.tlsPort!, 100, 'admitted', ['--ca', certs.ca])
    assert.equal(await server.stop(), 0)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'admitted', 100), 100)
  })

  it('drains an open TLS connection at a stop: what it sent is written, then it is closed', async () => {
    const server = await start(tlsYaml(certs))
    // A long-lived SocketHandler: sends, says so, and keeps its connection open until the server closes it.
    const client = runPythonAsync(
      `import sys, logging, time
sys.path.insert(0, sys.argv[3])
from tls_socket_handler import TLSSocketHandler
h = TLSSocketHandler("127.0.0.1", int(sys.argv[1]), cafile=sys.argv[2])
log = logging.getLogger("client.longlived"); log.propagate = False; log.addHandler(h); log.setLevel(logging.INFO)
for i in range(2000): log.info("longlived %d", i)
print("sent", flush=True)
h.sock.settimeout(30)
closed = h.sock.recv(1) == b""
print("closed by server" if closed else "data?", flush=True)`,
      [String(server.tlsPort), certs.ca, path.join(repoRoot, 'examples')],
    )
    await waitFor(async () => (await status(server)).connectionsOpen === 1, 10000, 'the TLS connection open')
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { recordsReceived: number }).recordsReceived > 0, 10000, 'records arriving')
    assert.equal(await server.stop(), 0)
    assert.match(await client, /sent\nclosed by server\n/)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'longlived', 2000), 2000)
  })

  it('with log.port null, listens on the TLS port only', async () => {
    const server = await start(tlsYaml(certs, {}, { port: null }))
    assert.match(reported(server.stderr(), 'LS-STARTED')[0] ?? '', /listening on 127\.0\.0\.1:\d+ \(tls\) and 127\.0\.0\.1:\d+ \(web\), ports bound by the server;/)
    const listening = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`pid=${server.child.pid},`))
      .map((l) => Number(/:(\d+)\s/.exec(l.split(/\s+/)[3] + ' ')?.[1]))
      .sort()
    assert.deepEqual(listening, [server.tlsPort!, server.webPort].sort(), 'only the TLS and web ports listen')
    await runTlsClient(server.tlsPort!, 100, 'tlsonly', ['--ca', certs.ca])
    assert.equal(await server.stop(), 0)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'tlsonly', 100), 100)
  })

  it('exits 78 at start when a certificate file cannot be used, naming the file', async () => {
    const bad = path.join(certs.dir, 'garbage.crt')
    writeFileSync(bad, 'not a certificate\n')
    await assert.rejects(start(tlsYaml(certs, { cert: bad })), (err: Error) => {
      assert.match(err.message, /exited with 78 before starting/)
      assert.match(err.message, new RegExp(`\\[LS-CONFIG-INVALID\\] invalid configuration: log\\.tls\\.cert: ${bad.replaceAll('.', '\\.')}: `))
      return true
    })
  })
})
