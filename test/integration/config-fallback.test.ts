// Issue 12, item 1: under systemd a broken config file must not close the ports. The server runs on the last
// valid configuration (saved in STATE_DIRECTORY at each start and reload) and says so everywhere an operator
// looks; a reload of the fixed file clears it. Run by hand it still exits 78.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { notifyListener } from '../support/notify.js'
import { runClient } from '../support/python.js'
import { getJson, reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
}

interface ConfigState { valid: boolean; problem: string | null; source: string | null }

describe('a broken config under systemd', () => {
  const servers: RunningServer[] = []
  const cleanups: (() => void)[] = []
  after(() => {
    servers.forEach((s) => s.cleanup())
    cleanups.reverse().forEach((c) => c())
  })

  it('runs on the last valid configuration, says so, and a reload of the fixed file clears it', async () => {
    const dir = tempDir('loggingserver-fallback-')
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const notify = await notifyListener(dir)
    cleanups.push(() => notify.stop())
    const env = { NOTIFY_SOCKET: notify.socket, STATE_DIRECTORY: dir }
    const saved = path.join(dir, 'last-valid.yaml')

    // A good start saves its config.
    const good = await startServer('web: {refresh_seconds: 7}', { env })
    servers.push(good)
    await waitFor(() => existsSync(saved), 5000, 'the last valid config to be saved')
    assert.equal(statSync(saved).mode & 0o777, 0o600)
    assert.match(readFileSync(saved, 'utf8'), /refresh_seconds: 7/)
    assert.equal(await good.stop(), 0)

    // A broken one starts on it instead of exiting 78.
    const server = await startServer('web: {refresh_seconds: -5}', { env })
    servers.push(server)
    const problems = reported(server.stderr(), 'LS-CONFIG-INVALID')
    assert.equal(problems.length, 1, server.stderr())
    assert.match(problems[0]!, /loggingserver\.yaml:\d+: web\.refresh_seconds/)
    assert.equal(reported(server.stderr(), 'LS-CONFIG-FALLBACK').length, 1)
    await waitFor(() => /READY=1.*STATUS=running on the last valid configuration: .*web\.refresh_seconds/.test(notify.received()), 5000, 'STATUS= to name the problem')

    const status = (await getJson(server.webPort, '/api/status')).body as { config: ConfigState; page: { refreshSeconds: number } }
    assert.equal(status.config.valid, false)
    assert.match(status.config.problem ?? '', /web\.refresh_seconds/)
    assert.equal(status.config.source, saved)
    assert.equal(status.page.refreshSeconds, 7, 'the saved config is the one running')
    assert.match(await metricsText(server.webPort), /^loggingserver_config_valid 0$/m)
    const health = await getJson(server.webPort, '/healthz')
    assert.equal(health.status, 200, 'a load balancer must keep an instance that serves')
    assert.match((health.body as { config: string }).config, /running on the last valid configuration: .*web\.refresh_seconds/)

    // It serves: records land in the saved config's file.
    await runClient(server.logPort, 20, 'fallback')
    await waitFor(() => (readFileSync(good.file, 'utf8').match(/ fallback \d+$/gm) ?? []).length === 20, 10_000, 'the records in the saved config\'s file')

    // Fixed and reloaded: the state clears and the fixed text becomes the last valid one.
    const fixed = stringify({ log: { host: '127.0.0.1', port: 0 }, web: { host: '127.0.0.1', port: 0, refresh_seconds: 9 }, file: { path: good.file } })
    writeFileSync(path.join(server.dir, 'loggingserver.yaml'), fixed)
    server.child.kill('SIGHUP')
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { config: ConfigState }).config.valid, 10_000, 'the reload to clear the state')
    assert.match(await metricsText(server.webPort), /^loggingserver_config_valid 1$/m)
    assert.equal(((await getJson(server.webPort, '/healthz')).body as { config: string | null }).config, null)
    assert.equal(readFileSync(saved, 'utf8'), fixed)
    await waitFor(() => /STATUS=(?!running on the last valid)[^|]*records/.test(notify.received().slice(notify.received().lastIndexOf('STATUS='))), 10_000, 'STATUS= to drop the problem')
    assert.equal(await server.stop(), 0)
  })

  it('run by hand (no NOTIFY_SOCKET) a broken config still exits 78', async () => {
    const dir = tempDir('loggingserver-fallback-')
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(path.join(dir, 'last-valid.yaml'), 'web: {refresh_seconds: 7}\n')
    await assert.rejects(startServer('web: {refresh_seconds: -5}', { env: { STATE_DIRECTORY: dir, NOTIFY_SOCKET: '' } }), /exited with 78/)
  })
})
