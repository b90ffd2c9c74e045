// Disk trouble end to end (issue 10, item 5): a real filesystem (a small tmpfs) fills up under a steady client,
// stays full for 20 s and is then freed. Nothing may be lost, /healthz and systemd's STATUS= must say what is
// wrong while it lasts, and the writer must recover by itself (no SIGHUP). And a central file deleted from under
// the server is recreated by SIGHUP.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { notifyListener } from '../support/notify.js'
import { runClient } from '../support/python.js'
import { getJson, reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

const isRoot = process.getuid?.() === 0

describe('disk trouble', () => {
  const servers: RunningServer[] = []
  const cleanups: (() => void)[] = []
  after(() => {
    servers.forEach((s) => s.cleanup())
    cleanups.reverse().forEach((c) => c())
  })

  it('a full filesystem for 20 s under 1,000 records/s: 0 lost, /healthz 503 and STATUS= say why, recovery by itself', { skip: isRoot ? false : 'mounting a tmpfs needs root (CI runs as root)' }, async () => {
    const dir = tempDir('loggingserver-disk-')
    const mnt = path.join(dir, 'mnt')
    mkdirSync(mnt)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt])
    assert.equal(mounted.status, 0, `mount tmpfs: ${mounted.stderr}`)
    cleanups.push(() => {
      spawnSync('umount', [mnt])
      rmSync(dir, { recursive: true, force: true })
    })
    const notify = await notifyListener(dir)
    cleanups.push(() => notify.stop())
    const notified = (): string => notify.received()

    const file = path.join(mnt, 'central.log')
    const server = await startServer(`file: {path: ${file}}`, { env: { NOTIFY_SOCKET: notify.socket } })
    servers.push(server)
    await waitFor(() => notified().includes('READY=1'), 5000, 'READY=1')

    // About 1,000 records/s for about 30 s: pauses of 100 ms every 100 records.
    const total = 30_000
    const client = runClient(server.logPort, total, 'disk', ['--pause-every', '100', '--pause', '0.1'])
    await new Promise((r) => setTimeout(r, 2000))
    // Fill what is left of the filesystem: dd stops at ENOSPC.
    const filler = path.join(mnt, 'filler')
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'])
    const fullSince = Date.now()
    await waitFor(async () => (await getJson(server.webPort, '/healthz')).status === 503, 10_000, '/healthz to turn 503 on the full disk')
    const health = (await getJson(server.webPort, '/healthz')).body as { status: string; reason: string }
    assert.equal(health.status, 'unhealthy')
    assert.match(health.reason, /ENOSPC/)
    await waitFor(() => /STATUS=[^|]*writing failing[^|]*ENOSPC/.test(notified()), 10_000, 'STATUS= to say writing fails')
    const duringFull = (await getJson(server.webPort, '/api/status')).body as { file: { backlogRecords: number } }
    assert.ok(duringFull.file.backlogRecords > 0, 'records wait in the backlog while the disk is full')
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - fullSince))))
    unlinkSync(filler)
    // No SIGHUP: the writer's own retry (backoff up to 5 s) finds the space.
    await waitFor(async () => (await getJson(server.webPort, '/healthz')).status === 200, 15_000, '/healthz to recover by itself')
    assert.ok(reported(server.stderr(), 'LS-WRITE-RECOVERED').length > 0, 'the recovery is reported')
    await client
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { file: { backlogRecords: number } }).file.backlogRecords === 0, 15_000, 'the backlog to empty')
    await waitFor(() => /STATUS=(?![^|]*writing failing)[^|]*records/.test(notified().slice(notified().lastIndexOf('STATUS='))), 10_000, 'STATUS= to drop the failure')
    assert.equal(await server.stop(), 0)
    const seen = new Map<number, number>()
    for (const m of readFileSync(file, 'utf8').matchAll(/ disk (\d+)$/gm)) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1)
    const lost = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i))
    const twice = [...seen].filter(([, n]) => n > 1)
    assert.deepEqual({ lost: lost.length, twice: twice.length }, { lost: 0, twice: 0 }, `first lost: ${lost.slice(0, 5)}`)
  })

  it('a central file deleted from under the server is recreated by SIGHUP', async () => {
    const server = await startServer()
    servers.push(server)
    await runClient(server.logPort, 10, 'before')
    await waitFor(() => existsSync(server.file) && readFileSync(server.file, 'utf8').includes(' before 9\n'), 5000, 'the first records')
    unlinkSync(server.file)
    server.child.kill('SIGHUP')
    await waitFor(() => existsSync(server.file), 5000, 'SIGHUP to recreate the file')
    await runClient(server.logPort, 10, 'after')
    assert.equal(await server.stop(), 0)
    const text = readFileSync(server.file, 'utf8')
    for (let i = 0; i < 10; i++) assert.ok(text.includes(` after ${i}\n`), `record ${i} missing from the recreated file`)
  })
})
