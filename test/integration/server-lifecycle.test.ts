// The Server lifecycle in-process: start, reload and stop driven directly (no signals), with CPython's real
// SocketHandler as the client and the real central file, so drain order and reload rules are visible.
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { loadConfig } from '../../src/config/load.js'
import { Server, StartupError } from '../../src/server.js'
import { StderrDiagnostics as Diagnostics } from '../../src/systemd/diagnostics.js'
import type { Notifier } from '../../src/systemd/notify.js'
import { runClient } from '../support/python.js'
import { tempDir } from '../support/server.js'

interface Harness {
  server: Server
  lines: string[]
  notified: string[]
  configPath: string
  file: string
}

const dirs: string[] = []
const servers: Server[] = []
after(async () => {
  await Promise.all(servers.map((s) => s.stop('cleanup')))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function configText(file: string, fileExtra = '', web = ''): string {
  return `log: {host: 127.0.0.1, port: 0}\nweb: {host: 127.0.0.1, port: 0${web}}\nfile:\n  path: ${file}\n${fileExtra}`
}

async function start(extra = ''): Promise<Harness> {
  const dir = tempDir('lifecycle-')
  dirs.push(dir)
  const file = path.join(dir, 'central.log')
  const configPath = path.join(dir, 'loggingserver.yaml')
  writeFileSync(configPath, configText(file, extra))
  const lines: string[] = []
  const notified: string[] = []
  const notifier: Notifier = {
    available: true,
    ready: (s) => notified.push(`ready ${s ?? ''}`),
    status: (s) => notified.push(`status ${s}`),
    reloading: () => notified.push('reloading'),
    stopping: () => notified.push('stopping'),
  }
  const { config, source } = loadConfig(configPath)
  const diagnostics = new Diagnostics(config.diagnostics.level, (line) => lines.push(line), {})
  const server = await Server.start(config, { version: 'test', configSource: source, diagnostics, notifier, inherited: null })
  servers.push(server)
  return { server, lines, notified, configPath, file }
}

function logPort(server: Server): number {
  const address = server.log.servers[0]!.address()
  assert.ok(address !== null && typeof address === 'object')
  return address.port
}

describe('Server lifecycle (in-process)', () => {
  it('stops in order: status page first, then every record the peers sent, then the file; a second stop is the same stop', async () => {
    const h = await start()
    const webUrl = h.server.web!.urls[0]!
    assert.equal((await fetch(`${webUrl}healthz`)).status, 200)
    await runClient(logPort(h.server), 2000, 'drain')
    const first = h.server.stop('test stop')
    const second = h.server.stop('second signal')
    assert.equal(first, second, 'a second signal joins the stop under way')
    await assert.rejects(fetch(`${webUrl}healthz`), 'the status page closes first')
    assert.equal(await first, 0)
    const text = readFileSync(h.file, 'utf8')
    for (let i = 0; i < 2000; i++) assert.ok(text.includes(` drain ${i}\n`), `record ${i} missing`)
    assert.equal(h.lines.filter((l) => l.includes('stopping; draining')).length, 1)
    assert.match(h.lines.join(''), /stopped: 2000 records received, 2000 written/)
    assert.deepEqual(h.notified.filter((n) => n === 'stopping'), ['stopping'])
  })

  it('applies a reloaded format to later records, names restart-only keys, and refuses a bad file as a whole', async () => {
    const h = await start()
    const port = logPort(h.server)
    await runClient(port, 1, 'before')
    writeFileSync(h.configPath, configText(h.file, '  format: "%(levelname)s|%(message)s"\n', ', recent_records: 50'))
    await h.server.reload()
    assert.match(h.lines.join(''), /reload: web\.recent_records changed but take effect only after a restart/)
    assert.equal(h.server.running.file.format, '%(levelname)s|%(message)s')
    assert.equal(h.server.running.web.recent_records, 300, 'a restart-only key keeps its running value')
    await runClient(port, 1, 'after')

    writeFileSync(h.configPath, configText(h.file, '  format: "%(nosuch)s"\n  style: xml\n'))
    await h.server.reload()
    assert.match(h.lines.join(''), /reload: keeping the running configuration: .*loggingserver\.yaml:\d+: file\.style/)
    assert.equal(h.server.running.file.format, '%(levelname)s|%(message)s', 'nothing of a refused file is applied')
    await runClient(port, 1, 'refused')
    assert.equal(await h.server.stop('test'), 0)
    const text = readFileSync(h.file, 'utf8')
    assert.match(text, / before 0\n/)
    assert.match(text, /^INFO\|after 0$/m)
    assert.match(text, /^INFO\|refused 0$/m)
    assert.deepEqual(h.notified.filter((n) => n === 'reloading').length, 2)
  })

  it('gives up after shutdown_timeout_seconds when the file cannot take the records, with exit code 1', { timeout: 20_000 }, async () => {
    // /dev/full accepts open() and fails every write with ENOSPC: the writer keeps the records and retries.
    const dir = tempDir('lifecycle-full-')
    dirs.push(dir)
    const configPath = path.join(dir, 'c.yaml')
    writeFileSync(configPath, 'log: {host: 127.0.0.1, port: 0}\nweb: {enabled: false}\nfile: {path: /dev/full}\nshutdown_timeout_seconds: 1\n')
    const lines: string[] = []
    const { config, source } = loadConfig(configPath)
    const silent: Notifier = { available: true, ready() {}, status() {}, reloading() {}, stopping() {} }
    const server = await Server.start(config, { version: 'test', configSource: source, diagnostics: new Diagnostics('info', (l) => lines.push(l), {}), notifier: silent, inherited: null })
    servers.push(server)
    await runClient(logPort(server), 50, 'stuck')
    const started = Date.now()
    assert.equal(await server.stop('test'), 1)
    assert.ok(Date.now() - started >= 900, 'waited for the timeout')
    assert.match(lines.join(''), /shutdown took over 1 s: exiting with \d+ records unwritten/)
  })

  it('refuses to start on a file it cannot open, saying which', async () => {
    const dir = tempDir('lifecycle-bad-')
    dirs.push(dir)
    writeFileSync(path.join(dir, 'not-a-dir'), '')
    const configPath = path.join(dir, 'c.yaml')
    writeFileSync(configPath, `log: {host: 127.0.0.1, port: 0}\nweb: {enabled: false}\nfile: {path: ${path.join(dir, 'not-a-dir', 'x.log')}}\n`)
    const { config, source } = loadConfig(configPath)
    const silent: Notifier = { available: true, ready() {}, status() {}, reloading() {}, stopping() {} }
    await assert.rejects(
      Server.start(config, { version: 'test', configSource: source, diagnostics: new Diagnostics('info', () => {}, {}), notifier: silent, inherited: null }),
      (err: unknown) => err instanceof StartupError && /cannot open the central file .*not-a-dir/.test(err.message),
    )
  })
})
