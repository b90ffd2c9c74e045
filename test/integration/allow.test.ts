// log.allow (issue 10, item 1): a peer outside the list is closed at accept, counted and reported with its
// address, on the plain and the TLS port alike; an allowed peer on another loopback address (127.0.0.2)
// gets every record through. Real CPython clients, bound to their source address before connecting.
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import { makeCerts, type TestCerts } from '../support/certs.js'
import { getJson, reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'
import { recordsOf, runTlsClient } from '../support/tls.js'

type Status = { rejected: Record<string, number>; connectionsTotal: number }
const status = async (server: RunningServer): Promise<Status> => (await getJson(server.webPort, '/api/status')).body as Status
const notAllowed = async (server: RunningServer): Promise<number> => (await status(server)).rejected['not_allowed'] ?? 0

describe('log.allow', () => {
  let certs: TestCerts
  const servers: RunningServer[] = []
  const start = async (log: Record<string, unknown>): Promise<RunningServer> => {
    const server = await startServer(JSON.stringify({ log }))
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

  it('refuses 127.0.0.1 and lets 127.0.0.2 send every record, on the plain and the TLS port', async () => {
    const server = await start({ allow: ['127.0.0.2/32'], tls: { port: 0, cert: certs.serverCert, key: certs.serverKey } })
    const tls = ['--ca', certs.ca]
    await runTlsClient(server.logPort, 50, 'outsider', ['--plain', '--source', '127.0.0.1'])
    await waitFor(async () => (await notAllowed(server)) >= 1, 5000, 'the plain outsider refused')
    const afterPlain = await notAllowed(server)
    await runTlsClient(server.tlsPort!, 50, 'tlsoutsider', [...tls, '--source', '127.0.0.1'])
    await waitFor(async () => (await notAllowed(server)) > afterPlain, 5000, 'the TLS outsider refused')
    await Promise.all([
      runTlsClient(server.logPort, 2000, 'insider', ['--plain', '--source', '127.0.0.2']),
      runTlsClient(server.tlsPort!, 2000, 'tlsinsider', [...tls, '--source', '127.0.0.2']),
    ])
    const { rejected } = await status(server)
    assert.equal(rejected['tls_handshake'], undefined, 'a refused TLS peer is refused before its handshake')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'outsider', 50), 0)
    assert.equal(recordsOf(text, 'tlsoutsider', 50), 0)
    assert.equal(recordsOf(text, 'insider', 2000), 2000)
    assert.equal(recordsOf(text, 'tlsinsider', 2000), 2000)
    assert.match(text, /127\.0\.0\.2 +client\.insider +INFO +insider 0\n/)
    assert.match(reported(server.stderr(), 'LS-NOT-ALLOWED')[0] ?? '', /^log connection from 127\.0\.0\.1 refused: not in log\.allow/)
  })

  it('matches IPv6 peers, and IPv4 peers on a dual-stack socket as IPv4', async () => {
    const server = await start({ host: '::', allow: ['::1', '127.0.0.2'] })
    await runTlsClient(server.logPort, 50, 'mapped', ['--plain', '--host', '127.0.0.1', '--source', '127.0.0.1'])
    await waitFor(async () => (await notAllowed(server)) >= 1, 5000, 'the IPv4 outsider refused')
    assert.match(reported(server.stderr(), 'LS-NOT-ALLOWED')[0] ?? '', /^log connection from 127\.0\.0\.1 refused/)
    await runTlsClient(server.logPort, 500, 'viav6', ['--plain', '--host', '::1'])
    await runTlsClient(server.logPort, 500, 'viamapped', ['--plain', '--host', '127.0.0.1', '--source', '127.0.0.2'])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'mapped', 50), 0)
    assert.equal(recordsOf(text, 'viav6', 500), 500)
    assert.equal(recordsOf(text, 'viamapped', 500), 500)
  })

  it('applies a changed list on SIGHUP to connections made afterwards', async () => {
    const server = await start({ allow: ['127.0.0.2'] })
    await runTlsClient(server.logPort, 20, 'before', ['--plain', '--source', '127.0.0.1'])
    await waitFor(async () => (await notAllowed(server)) >= 1, 5000, 'the outsider refused')
    const configFile = path.join(server.dir, 'loggingserver.yaml')
    const config = parse(readFileSync(configFile, 'utf8')) as { log: Record<string, unknown> }
    config.log['allow'] = ['127.0.0.0/8']
    writeFileSync(configFile, stringify(config))
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD').length >= 1, 5000, 'the reload')
    const refusedBefore = await notAllowed(server)
    await waitFor(async () => {
      await runTlsClient(server.logPort, 1, 'probe', ['--plain', '--source', '127.0.0.1'])
      return readFileSync(server.file, 'utf8').includes(' probe 0\n')
    }, 10000, 'the new list in force')
    await runTlsClient(server.logPort, 300, 'afterreload', ['--plain', '--source', '127.0.0.1'])
    assert.equal(await server.stop(), 0)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'afterreload', 300), 300)
    assert.equal(reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART').length, 0, 'log.allow is reloadable')
    assert.ok(refusedBefore >= 1)
  })
})
