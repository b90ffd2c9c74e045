// The file side of "never lose a record": a full disk is reported and waited out, and big records stay whole.
import assert from 'node:assert/strict'
import { readFileSync, symlinkSync, unlinkSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { runClient, runPythonAsync } from '../support/python.js'
import { getJson, reported, startServer, waitFor, type RunningServer } from '../support/server.js'

describe('central file under trouble', () => {
  const servers: RunningServer[] = []
  after(() => servers.forEach((s) => s.cleanup()))

  it('reports a full disk on /healthz (503 with the reason), keeps the records, and writes them all once it can', async () => {
    const server = await startServer()
    servers.push(server)
    // Make the central file a disk that is always full: /dev/full answers every write with ENOSPC.
    unlinkSync(server.file)
    symlinkSync('/dev/full', server.file)
    server.child.kill('SIGHUP')
    await waitFor(() => reported(server.stderr(), 'LS-RELOAD').length > 0, 5000, 'reopen onto /dev/full')
    await runClient(server.logPort, 500, 'full')
    await waitFor(async () => (await getJson(server.webPort, '/healthz')).status === 503, 5000, '/healthz to turn 503')
    const health = (await getJson(server.webPort, '/healthz')).body as { status: string; reason: string }
    assert.match(JSON.stringify(health), /ENOSPC/)
    const status = (await getJson(server.webPort, '/api/status')).body as { file: { backlogRecords: number; healthy: boolean } }
    assert.equal(status.file.healthy, false)
    assert.ok(status.file.backlogRecords > 0)
    assert.match(server.stderr(), / ERROR \[LS-WRITE-FAILED\] .*ENOSPC/)
    // The operator frees space (here: the file becomes a real one again) and reloads.
    unlinkSync(server.file)
    server.child.kill('SIGHUP')
    await waitFor(async () => (await getJson(server.webPort, '/healthz')).status === 200, 10000, '/healthz to recover')
    await waitFor(() => reported(server.stderr(), 'LS-WRITE-RECOVERED').length > 0, 5000, 'the recovery to be reported')
    await runClient(server.logPort, 10, 'after')
    assert.equal(await server.stop(), 0)
    const lines = readFileSync(server.file, 'utf8').trimEnd().split('\n')
    assert.equal(lines.filter((l) => / full \d+$/.test(l)).length, 500)
    assert.equal(lines.filter((l) => / after \d+$/.test(l)).length, 10)
  })

  it('writes a 900 KB message and a long traceback whole', async () => {
    const server = await startServer('file:\n  format: "%(levelname)s %(message)s"\n')
    servers.push(server)
    await runPythonAsync(String.raw`
import logging, logging.handlers, sys
h = logging.handlers.SocketHandler('127.0.0.1', int(sys.argv[1]))
log = logging.getLogger('big'); log.propagate = False; log.addHandler(h)
log.warning('start %s end', 'x' * 900000)
def deep(n):
    if n == 0: raise RuntimeError('y' * 100000)
    deep(n - 1)
try:
    deep(300)
except RuntimeError:
    log.exception('deep')
h.close()`, [String(server.logPort)])
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    assert.ok(text.startsWith(`WARNING start ${'x'.repeat(900000)} end\nERROR deep\n\tTraceback (most recent call last):\n`))
    assert.ok(text.endsWith(`\n\tRuntimeError: ${'y'.repeat(100000)}\n`))
    assert.match(text, /\n\t {2}\[Previous line repeated \d+ more times\]\n/)
  })
})
