// A forward target that is not a syslog receiver (issue 11, item 3): a RELP target answered with garbage is
// treated as down, with the reason, and retried; the server stays up and the central file gets everything.
import assert from 'node:assert/strict'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { runClient } from '../support/python.js'
import { reported, startServer, waitFor, type RunningServer } from '../support/server.js'

const servers: RunningServer[] = []
const peers: net.Server[] = []
after(() => {
  servers.forEach((s) => s.cleanup())
  peers.forEach((p) => p.close())
})

/** A TCP peer on a free loopback port that answers every connection with `reply` and counts connections. */
async function peer(reply: Buffer): Promise<{ port: number; connections: () => number }> {
  let n = 0
  const server = net.createServer((socket) => {
    n++
    socket.on('error', () => {})
    socket.end(reply)
  })
  peers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as net.AddressInfo).port, connections: () => n }
}

describe('forward to a receiver that is not one', () => {
  it('a RELP target answered with HTTP is down with the reason, retried with backoff, and costs the file nothing', async () => {
    const http = await peer(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'))
    const url = `relp://127.0.0.1:${http.port}`
    const s = await startServer(`forward:\n  - {url: "${url}"}\n`)
    servers.push(s)
    await runClient(s.logPort, 200, 'notrelp')
    await waitFor(() => http.connections() >= 3, 15_000, 'three connection attempts (backoff 0.25 s, 0.5 s, …)')
    const down = reported(s.stderr(), 'LS-FORWARD-DOWN')
    assert.equal(down.length, 1, 'one message per outage, not per attempt')
    assert.match(down[0]!, /does not speak RELP: not a RELP header: "HTTP\/1\.1 400/)
    assert.deepEqual(reported(s.stderr(), 'LS-FORWARD-UP'), [])
    const status = (await (await fetch(`http://127.0.0.1:${s.webPort}/metrics`)).text())
    assert.match(status, new RegExp(`^loggingserver_forward_queued_records\\{target="${url.replace(/[/.]/g, '\\$&')}"\\} 200$`, 'm'))
    assert.equal(await s.stop(), 0)
    assert.match(reported(s.stderr(), 'LS-FORWARD-LOST-AT-STOP')[0] ?? '', /200 records still queued/)
    assert.match(reported(s.stderr(), 'LS-STOPPED')[0] ?? '', /200 records received, 200 written/)
  })

  it('a TCP receiver that accepts and closes at once is retried ever more slowly, not in a loop', async () => {
    const slam = await peer(Buffer.alloc(0))
    const url = `tcp://127.0.0.1:${slam.port}`
    const s = await startServer(`forward:\n  - {url: "${url}"}\n`)
    servers.push(s)
    await runClient(s.logPort, 50, 'slammed')
    const began = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 4000))
    const seconds = (Date.now() - began) / 1000
    // Backoff 0.25, 0.5, 1, 2 s…: about 5 connections in 4 s; a reset at each connect would make ~16.
    assert.ok(slam.connections() <= 7, `${slam.connections()} connections in ${seconds.toFixed(1)} s`)
    assert.ok(reported(s.stderr(), 'LS-FORWARD-DOWN').length <= 7)
    assert.equal(await s.stop(), 0)
  })
})
