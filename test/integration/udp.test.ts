// log.udp_port (issue 11, item 1): CPython's own DatagramHandler sends one frame per datagram through the same
// decoder and pipeline; bad datagrams (short, length mismatch, bad pickle) are counted by reason and the server
// keeps serving; log.allow applies and is reloaded; IPv4 peers on a dual-stack socket show as IPv4; systemd's
// "udp" fd (ListenDatagram=, as loggingserver-udp.socket passes it) is adopted.
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import { loadConfig } from '../../src/config/load.js'
import { Server } from '../../src/server.js'
import { StderrDiagnostics } from '../../src/systemd/diagnostics.js'
import { runPython, runPythonAsync, runUnixUdpClient } from '../support/python.js'
import { getJson, reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'
import { recordsOf } from '../support/tls.js'

type Status = { rejected: Record<string, number>; recordsReceived: number }
const status = async (server: RunningServer): Promise<Status> => (await getJson(server.webPort, '/api/status')).body as Status
const rejected = async (server: RunningServer, reason: string): Promise<number> => (await status(server)).rejected[reason] ?? 0

function send(port: number, datagrams: Buffer[], host = '127.0.0.1'): Promise<void> {
  const socket = dgram.createSocket('udp4')
  return new Promise((resolve, reject) => {
    let left = datagrams.length
    for (const d of datagrams)
      socket.send(d, port, host, (err) => {
        if (err) reject(err)
        if (--left === 0) socket.close(() => resolve())
      })
  })
}

const framed = (payload: Buffer): Buffer => {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(payload.length)
  return Buffer.concat([prefix, payload])
}

/** A free UDP port on loopback for systemd-socket-activate (closed again at once). */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(resolve))
  return port
}

/** The server in this process (config written to `dir`), so a test can read its inputs and kernel drops directly. */
async function startInProcess(dir: string, yaml: string, diagnostics: StderrDiagnostics): Promise<Server> {
  const configPath = path.join(dir, 'loggingserver.yaml')
  writeFileSync(configPath, yaml)
  const { config, source } = loadConfig(configPath)
  const notifier = { available: false, ready: () => undefined, status: () => undefined, reloading: () => undefined, stopping: () => undefined }
  return Server.start(config, { version: 'test', configSource: source, diagnostics, notifier, inherited: null })
}

/** The start of a CPython script: `log`, the logger `name` (WARNING and up), sends through a DatagramHandler to
 *  `server`'s UDP port. */
const datagramLogger = (server: Server, name: string): string => `import logging, logging.handlers
h = logging.handlers.DatagramHandler('127.0.0.1', ${server.udp!.port.description.split(':').at(-1)})
log = logging.getLogger('${name}'); log.propagate = False; log.addHandler(h)
`

describe('log.udp_port', () => {
  const servers: RunningServer[] = []
  const start = async (log: Record<string, unknown>, launcher?: string[]): Promise<RunningServer> => {
    const server = await startServer(JSON.stringify({ log: { udp_port: 0, ...log } }), launcher ? { launcher } : {})
    servers.push(server)
    return server
  }
  after(() => {
    for (const s of servers) s.cleanup()
  })

  it('takes every record of DatagramHandler with its fields and traceback', async () => {
    const server = await start({})
    assert.ok(server.udpPort !== null && server.udpPort > 0, server.startedLine)
    await runUnixUdpClient('udp', `127.0.0.1:${server.udpPort}`, 1000, 'dgram', ['--exc-every', '250'])
    await waitFor(async () => (await status(server)).recordsReceived >= 1000, 10_000, 'all datagrams')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'dgram', 1000), 1000)
    assert.match(text, / 127\.0\.0\.1 +client\.dgram +INFO +dgram 1\n/)
    assert.match(text, / 127\.0\.0\.1 +client\.dgram +ERROR +dgram 250\n\tTraceback \(most recent call last\):\n(\t.*\n)*\tValueError: boom 250\n/)
  })

  it('counts short, mismatched and undecodable datagrams by reason, and keeps serving', async () => {
    const server = await start({})
    const port = server.udpPort!
    // A genuine record's frame, pickled by CPython as DatagramHandler does, then cut and padded.
    const good = Buffer.from(
      runPython(`import logging, logging.handlers, sys
h = logging.handlers.DatagramHandler('127.0.0.1', 9)
r = logging.LogRecord('cut', logging.INFO, 'cut.py', 1, 'whole %s', ('record',), None)
sys.stdout.buffer.write(h.makePickle(r))`),
    )
    await send(port, [
      Buffer.alloc(0), // empty
      Buffer.from([0, 0, 0]), // shorter than its prefix
      Buffer.from([0, 0, 0, 0]), // a prefix and nothing
      good.subarray(0, good.length - 7), // cut: the prefix says more than came
      Buffer.concat([good, Buffer.from('trailing')]), // more than the prefix says
      framed(Buffer.from('not a pickle')),
      framed(Buffer.from([0x80, 0x02, 0x4b, 0x07, 0x2e])), // pickle of the int 7: not a dict
    ])
    await waitFor(async () => (await rejected(server, 'not_a_dict')) === 1, 5000, 'the last bad datagram')
    const counts = (await status(server)).rejected
    assert.equal(counts['datagram_malformed'], 5)
    assert.equal(counts['unpickle_failed'], 1)
    await send(port, [good])
    await runUnixUdpClient('udp', `127.0.0.1:${port}`, 200, 'afterbad')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'afterbad', 200), 200)
    assert.match(text, / 127\.0\.0\.1 +cut +INFO +whole record\n/)
    assert.match(text, /loggingserver +WARNING +undecodable record from 127\.0\.0\.1: NOT_A_DICT/)
    assert.ok(reported(server.stderr(), 'LS-DATAGRAM-MALFORMED').some((l) => /length prefix says \d+ bytes, \d+ followed/.test(l)))
  })

  it('applies log.allow, and a changed list on SIGHUP; shows IPv4 peers of a dual-stack socket as IPv4', async () => {
    const server = await start({ host: '::', allow: ['127.0.0.2'] })
    const to = `127.0.0.1:${server.udpPort}`
    await runUnixUdpClient('udp', to, 20, 'outsider', ['--source', '127.0.0.1'])
    await waitFor(async () => (await rejected(server, 'not_allowed')) >= 20, 5000, 'the outsider dropped')
    await runUnixUdpClient('udp', to, 300, 'insider', ['--source', '127.0.0.2'])
    assert.match(reported(server.stderr(), 'LS-NOT-ALLOWED')[0] ?? '', /^log datagram from 127\.0\.0\.1 dropped: not in log\.allow/)

    const configFile = path.join(server.dir, 'loggingserver.yaml')
    const config = parse(readFileSync(configFile, 'utf8')) as { log: Record<string, unknown> }
    config.log['allow'] = ['127.0.0.0/8']
    config.log['udp_port'] = 9 // restart-only: the running port stays
    writeFileSync(configFile, stringify(config))
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART').length >= 1, 5000, 'the reload')
    assert.match(reported(server.stderr(), 'LS-RELOAD-NEEDS-RESTART')[0] ?? '', /log\.udp_port/)
    await runUnixUdpClient('udp', to, 300, 'nowallowed', ['--source', '127.0.0.1'])
    await waitFor(async () => (await status(server)).recordsReceived >= 600, 10_000, 'the records after the reload')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.equal(recordsOf(text, 'outsider', 20), 0)
    assert.equal(recordsOf(text, 'insider', 300), 300)
    assert.equal(recordsOf(text, 'nowallowed', 300), 300)
    assert.match(text, / 127\.0\.0\.2 +client\.insider +INFO +insider 0\n/)
    assert.doesNotMatch(text, /::ffff:/)
  })

  it('adopts the "udp" socket systemd passes (loggingserver-udp.socket, ListenDatagram=)', async () => {
    const port = await freeUdpPort()
    // systemd-socket-activate starts the server at the first datagram, as systemd does; that one is not a record.
    let launched = false
    const starting = start({ udp_port: null }, ['systemd-socket-activate', '--datagram', '-l', `127.0.0.1:${port}`, '--fdname=udp']).finally(() => (launched = true))
    // A datagram before the launcher's bind is lost: knock until the server is up (startServer's timeout bounds it).
    while (!launched) {
      await send(port, [Buffer.from('wake')])
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const server = await starting
    assert.match(server.startedLine, new RegExp(`127\\.0\\.0\\.1:${port} \\(udp\\)`))
    assert.match(server.startedLine, /sockets from systemd for udp/)
    await runUnixUdpClient('udp', `127.0.0.1:${port}`, 300, 'activated')
    await waitFor(async () => (await status(server)).recordsReceived >= 300, 10_000, 'the records')
    assert.equal(await server.stop(), 0)
    assert.equal(recordsOf(readFileSync(server.file, 'utf8'), 'activated', 300), 300)
    assert.ok(reported(server.stderr(), 'LS-DATAGRAM-MALFORMED').length >= 1, 'the wake-up datagrams are counted, not records')
  })
})

describe('per-input counts, and UDP datagrams the kernel drops', () => {
  const dir = tempDir('udp-drops-')
  let server: Server | null = null
  after(async () => {
    await server?.stop('cleanup')
    rmSync(dir, { recursive: true, force: true })
  })

  it('counts records per input; counts kernel drops from /proc and shows them in STATUS=: records plus drops are every datagram sent', async () => {
    const sock = path.join(dir, 'log.sock')
    server = await startInProcess(dir, `log: {host: 127.0.0.1, port: 0, udp_port: 0, unix_socket: ${sock}}\nweb: {enabled: false}\nfile: {path: ${path.join(dir, 'central.log')}}\n`, new StderrDiagnostics('error', () => undefined, {}))
    const udp = server.udp!
    assert.equal(udp.kernelDrops(), 0)
    const sent = 20_000
    // spawnSync blocks this process's event loop while CPython sends: the socket's receive buffer overflows.
    runPython(`${datagramLogger(server, 'flood')}for i in range(${sent}): log.warning('flood %d', i)`)
    const records = (): number => server!.inputs().find((i) => i.kind === 'udp')?.records ?? 0
    await waitFor(() => records() + (udp.kernelDrops() ?? 0) === sent, 10_000, 'every datagram read or counted as dropped')
    assert.ok((udp.kernelDrops() ?? 0) > 0, 'the kernel dropped some')
    assert.match(server.statusLine(), new RegExp(`, ${udp.kernelDrops()} UDP datagrams dropped by the kernel`))
    assert.deepEqual(server.inputs().find((i) => i.kind === 'udp'), { kind: 'udp', address: udp.port.description, records: records(), rejected: 0, open: null })
    await runUnixUdpClient('unix', sock, 50, 'counted')
    await waitFor(() => server!.inputs().find((i) => i.kind === 'unix')?.open === 0, 5000, 'the Unix connection closed')
    assert.deepEqual(server.inputs().find((i) => i.kind === 'unix'), { kind: 'unix', address: sock, records: 50, rejected: 0, open: 0 })
    assert.equal(server.inputs().find((i) => i.kind === 'tcp')?.records, 0)
  })
})

describe('UDP datagrams while the central file is behind', () => {
  const dir = tempDir('udp-backlog-')
  let server: Server | null = null
  after(async () => {
    await server?.stop('cleanup')
    rmSync(dir, { recursive: true, force: true })
  })

  it('drops and counts the datagrams that come past log.max_backlog_bytes (a sender cannot be paused): records, drops and kernel drops are every datagram sent', async () => {
    const file = path.join(dir, 'central.log')
    const lines: string[] = []
    // One byte: every record waiting for its write puts the file past the bound, so a burst read in one turn
    // (libuv reads up to 32 datagrams per loop iteration) meets the backlog after its first datagram.
    server = await startInProcess(dir, `log: {host: 127.0.0.1, port: 0, udp_port: 0, max_backlog_bytes: 1}\nweb: {host: 127.0.0.1, port: 0}\nfile: {path: ${file}}\n`,
      new StderrDiagnostics('info', (line) => void lines.push(line), {}))
    const udp = server.udp!
    const sent = 3000
    // spawnSync blocks this process's event loop while CPython sends: the datagrams wait in the socket's buffer
    // (the kernel drops what does not fit) and are read in bursts once it returns.
    runPython(`${datagramLogger(server, 'behind')}for i in range(${sent}): log.warning('behind %d', i)`)
    const input = () => server!.inputs().find((i) => i.kind === 'udp')!
    await waitFor(() => input().records + input().rejected + (udp.kernelDrops() ?? 0) === sent, 10_000, 'every datagram read, dropped for the backlog, or dropped by the kernel')
    const { records, rejected } = input()
    assert.ok(records > 0, 'some datagrams became records')
    assert.ok(rejected > 0, 'the datagrams read while the file was behind were dropped')
    assert.ok(lines.some((l) => l.includes('LS-DATAGRAM-BACKLOG') && l.includes('while the central file is past log.max_backlog_bytes')), lines.join(''))
    const webPort = Number(/:(\d+) \(web\)/.exec(server.startedLine)?.[1])
    assert.equal(((await getJson(webPort, '/api/status')).body as Status).rejected['datagram_backlog'], rejected, 'the page counts them as datagram_backlog')
    // Once the file caught up, the input serves again: a later datagram is a record.
    await runPythonAsync(`${datagramLogger(server, 'behind')}log.warning('after the burst')`)
    await waitFor(() => input().records === records + 1, 5000, 'the datagram after the burst')
    const stopping = server
    server = null
    assert.equal(await stopping.stop('test'), 0)
    const written = readFileSync(file, 'utf8').trimEnd().split('\n')
    assert.equal(written.length, records + 1, 'every record taken is in the file, nothing else')
    assert.match(written.at(-1)!, / behind +WARNING +after the burst$/)
  })
})
