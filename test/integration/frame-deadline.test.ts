// log.frame_deadline_seconds: a peer that trickles a byte now and then keeps resetting the silence timeout;
// its frame must still be whole within the deadline, or the connection closes — while others flow on.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { runClient } from '../support/python.js'
import { getJson, startServer, type RunningServer } from '../support/server.js'

describe('log.frame_deadline_seconds', () => {
  let server: RunningServer
  after(() => server?.cleanup())

  it('closes a connection whose frame trickles in past the deadline, and loses nothing of a normal client', async () => {
    server = await startServer('log: {frame_deadline_seconds: 1, frame_timeout_seconds: 10}')
    const trickler = net.connect(server.logPort, '127.0.0.1')
    trickler.on('error', () => {})
    const header = Buffer.alloc(4)
    header.writeUInt32BE(1024 * 1024)
    trickler.write(header)
    const started = Date.now()
    const ticker = setInterval(() => trickler.write(Buffer.from('}')), 200)
    const closedAfter = new Promise<number>((resolve) => trickler.on('close', () => resolve(Date.now() - started)))
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), 6000))
    await runClient(server.logPort, 500, 'flowing')
    const ms = await Promise.race([closedAfter, timeout])
    clearInterval(ticker)
    trickler.destroy()
    assert.ok(ms >= 900 && ms < 4000, `the trickling connection closed after ${ms} ms (deadline 1 s)`)
    const status = (await getJson(server.webPort, '/api/status')).body as { rejected: Record<string, number> }
    assert.equal(status.rejected['frame_truncated'], 1)
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let i = 0; i < 500; i++) assert.ok(text.includes(` flowing ${i}\n`), `record ${i} missing`)
  })
})
