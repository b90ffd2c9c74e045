import assert from 'node:assert/strict'
import { lstatSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { listenUnix } from '../../../src/ingest/unix-socket.js'

describe('listenUnix', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'loggingserver-unix-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('binds the socket file owner-only whatever the umask, then gives it log.unix_socket_mode', async () => {
    const socketPath = path.join(dir, 'log.sock')
    const previous = process.umask(0)
    const atBind: { mode: number | null } = { mode: null }
    let servers: net.Server[] = []
    try {
      const listening = await listenUnix(socketPath, '0660', null, () => {
        const server = net.createServer((s) => s.destroy())
        // Listeners added before listen() run before listenUnix's own: this sees the file as bind() made it.
        server.once('listening', () => (atBind.mode = lstatSync(socketPath).mode & 0o777))
        return server
      })
      assert.ok(listening)
      servers = listening.servers
      assert.equal(process.umask(), 0, 'the umask is given back')
      assert.equal(atBind.mode, 0o600, `bound with mode ${atBind.mode?.toString(8)}: others could connect before the chmod`)
      assert.equal(lstatSync(socketPath).mode & 0o777, 0o660)
    } finally {
      process.umask(previous)
      for (const server of servers) await new Promise((resolve) => server.close(resolve))
    }
  })
})
