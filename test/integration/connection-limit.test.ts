// log.max_connections: past it a new log connection is closed at once, counted and reported, while the open
// ones (idle SocketHandler connections are normal) are kept and the status page still answers.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { runClient } from '../support/python.js'
import { closedByServer, getJson, reported, type RunningServer, startServer, waitFor } from '../support/server.js'

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
    socket.on('error', reject)
  })
}

describe('log.max_connections', () => {
  let server: RunningServer
  after(() => server?.cleanup())

  it('refuses a connection beyond the limit at once, keeps the open ones, and admits again once one leaves', async () => {
    server = await startServer('log: {max_connections: 5}')
    const idle = await Promise.all(Array.from({ length: 5 }, () => connect(server.logPort)))
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { connectionsOpen: number }).connectionsOpen === 5, 5000, '5 open connections')
    const extra = await connect(server.logPort)
    assert.equal(await closedByServer(extra, 2000), true, 'the sixth connection was not closed')
    const stillOpen = await Promise.all(idle.map((s) => closedByServer(s, 300)))
    assert.deepEqual(stillOpen, [false, false, false, false, false], 'open connections are never shed')
    assert.equal((await getJson(server.webPort, '/healthz')).status, 200)
    const status = (await getJson(server.webPort, '/api/status')).body as { rejected: Record<string, number> }
    assert.equal(status.rejected['connection_limit'], 1)
    assert.match(reported(server.stderr(), 'LS-CONNECTION-LIMIT').join('\n'), /log connection from 127\.0\.0\.1 refused: 5 open/)

    idle[0]!.destroy()
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { connectionsOpen: number }).connectionsOpen === 4, 5000, 'one connection gone')
    await runClient(server.logPort, 200, 'admitted')
    for (const s of idle) s.destroy()
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let i = 0; i < 200; i++) assert.ok(text.includes(` admitted ${i}\n`), `record ${i} missing`)
  })
})
