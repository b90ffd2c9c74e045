// log.unix_socket (issue 11, item 0): CPython's own SocketHandler(path, None) sends through the same pipeline as
// the log port; the client column says "unix:<pid>" (SO_PEERCRED through our addon, built by npm ci); the socket file gets log.unix_socket_mode; a socket file left by a
// dead process is replaced, anything else at the path stops the start with a clear message; systemd's "unix" fd
// (systemd-socket-activate, as loggingserver-unix.socket passes it) is adopted.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { runPython, runUnixUdpClient } from '../support/python.js'
import { getJson, reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'
import { recordsOf } from '../support/tls.js'

type Status = { rejected: Record<string, number>; recordsReceived: number }
const status = async (server: RunningServer): Promise<Status> => (await getJson(server.webPort, '/api/status')).body as Status

/** A frame (4-byte length + payload) sent on a fresh connection to `socketPath`; resolves once the server closed it or it was ended. */
function sendFrame(socketPath: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const prefix = Buffer.alloc(4)
    prefix.writeUInt32BE(payload.length)
    const socket = net.connect(socketPath, () => socket.end(Buffer.concat([prefix, payload])))
    socket.on('error', reject)
    socket.on('close', () => resolve())
    socket.resume()
  })
}

describe('log.unix_socket', () => {
  const servers: RunningServer[] = []
  const dirs: string[] = []
  const socketDir = (): string => {
    const dir = tempDir('loggingserver-unix-')
    dirs.push(dir)
    return dir
  }
  const start = async (log: Record<string, unknown>, launcher?: string[]): Promise<RunningServer> => {
    const server = await startServer(JSON.stringify({ log }), launcher ? { launcher } : {})
    servers.push(server)
    return server
  }
  after(() => {
    for (const s of servers) s.cleanup()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('takes every record of SocketHandler(path, None), tracebacks included, as client "unix:<pid>", beside the TCP port', async () => {
    const sock = path.join(socketDir(), 'log.sock')
    // log.allow names no local address: it is about network peers, and must not refuse the Unix socket's.
    const server = await start({ unix_socket: sock, allow: ['192.0.2.1'] })
    assert.match(server.startedLine, new RegExp(`${sock} \\(unix\\)`))
    assert.equal(statSync(sock).mode & 0o777, 0o660, 'the default log.unix_socket_mode')
    await Promise.all([runUnixUdpClient('unix', sock, 3000, 'viaunix', ['--exc-every', '500']), runUnixUdpClient('unix', sock, 3000, 'viaunix2')])
    await waitFor(async () => (await status(server)).recordsReceived >= 6000, 10_000, 'all records')
    // The pid the kernel recorded at connect() is the one CPython writes into each record.
    const { records } = (await getJson(server.webPort, '/api/records?client=unix')).body as { records: { client: string; process: number }[] }
    assert.ok(records.length > 0)
    for (const r of records) assert.equal(r.client, `unix:${r.process}`)
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'viaunix', 3000), 3000)
    assert.equal(recordsOf(text, 'viaunix2', 3000), 3000)
    assert.match(text, / unix:\d+ +client\.viaunix +ERROR +viaunix 500\n\tTraceback \(most recent call last\):\n(\t.*\n)*\tValueError: boom 500\n/)
    assert.match(text, / unix:\d+ +client\.viaunix2 +INFO +viaunix2 0\n/)
    assert.equal(existsSync(sock), false, 'the socket file is removed at a clean stop')
  })

  it('applies log.unix_socket_mode', async () => {
    const sock = path.join(socketDir(), 'log.sock')
    await start({ unix_socket: sock, unix_socket_mode: '0600' })
    assert.equal(statSync(sock).mode & 0o777, 0o600)
  })

  it('refuses a bad frame like the log port: placeholder and count, and keeps serving', async () => {
    const sock = path.join(socketDir(), 'log.sock')
    const server = await start({ unix_socket: sock })
    await sendFrame(sock, Buffer.from('not a pickle'))
    await sendFrame(sock, Buffer.alloc(0)) // a zero length: the stream is no longer framed, connection closed
    await waitFor(async () => (await status(server)).rejected['frame_empty'] === 1, 5000, 'the empty frame counted')
    assert.equal((await status(server)).rejected['unpickle_failed'], 1)
    await runUnixUdpClient('unix', sock, 100, 'afterbad')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'afterbad', 100), 100)
    assert.match(text, / unix:\d+ +loggingserver +WARNING +undecodable record from unix:\d+: UNPICKLE_FAILED/)
    assert.match(reported(server.stderr(), 'LS-FRAME-EMPTY')[0] ?? '', /^log connection from unix:\d+ closed/)
  })

  it('replaces the socket file of a process that died, but never a file or a socket someone listens on', async () => {
    const dir = socketDir()
    const stale = path.join(dir, 'stale.sock')
    // Bound and never unlinked: what a killed process leaves behind.
    runPython(`import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind(${JSON.stringify(stale)})`)
    assert.ok(statSync(stale).isSocket())
    await start({ unix_socket: stale })
    await runUnixUdpClient('unix', stale, 10, 'overstale')

    const plain = path.join(dir, 'plain')
    writeFileSync(plain, 'keep me')
    await assert.rejects(start({ unix_socket: plain }), /LS-LISTEN-FAILED.*log\.unix_socket: .*plain exists and is not a socket/)
    assert.equal(readFileSync(plain, 'utf8'), 'keep me')

    const busy = path.join(dir, 'busy.sock')
    const other = net.createServer((s) => s.destroy())
    await new Promise<void>((resolve) => other.listen(busy, resolve))
    try {
      await assert.rejects(start({ unix_socket: busy }), /LS-LISTEN-FAILED.*another process listens on .*busy\.sock/)
      assert.ok(statSync(busy).isSocket(), 'the other listener keeps its socket')
    } finally {
      other.close()
    }
  })

  it('adopts the "unix" socket systemd passes (loggingserver-unix.socket)', async () => {
    const sock = path.join(socketDir(), 'activated.sock')
    // systemd-socket-activate starts the server at the first connection, as systemd does.
    const starting = start({}, ['systemd-socket-activate', '-l', sock, '--fdname=unix'])
    await waitFor(() => existsSync(sock), 5000, 'the socket of systemd-socket-activate')
    const first = net.connect(sock)
    first.on('error', () => undefined)
    const server = await starting
    first.destroy()
    assert.match(server.startedLine, new RegExp(`${sock} \\(unix\\)`))
    assert.match(server.startedLine, /sockets from systemd for unix/)
    await runUnixUdpClient('unix', sock, 500, 'activated')
    assert.equal(await server.stop(), 0)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'activated', 500), 500)
  })
})
