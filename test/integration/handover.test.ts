// Issue 10 item 4 without a booted systemd: test/support/fake-systemd.py plays systemd's socket activation,
// notify socket and fd store around one restart of the real server, with three connections each caught in
// the middle of a frame at the SIGTERM (half a body, two bytes of a length prefix, an oversize frame being
// read past). The package test (test/package/e2e-systemd.sh) does the same under the real systemd 252.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { runPythonAsync } from '../support/python.js'
import { mainJs, repoRoot } from '../support/server.js'

const fakeSystemd = path.join(repoRoot, 'test/support/fake-systemd.py')
const addonBuilt = existsSync(path.join(repoRoot, 'node_modules/loggingserver-fd-store/build/Release/fd_store.node'))

interface Restart {
  first_exit: number
  second_exit: number
  stored: string[]
  left_in_store: number
  counts: Record<string, number>
  placeholders: number
  handover: string[]
  adopted: string[]
}

async function restartUnder(handover: boolean, tag: string, mode: string[] = []): Promise<Restart> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loggingserver-handover-'))
  try {
    const file = path.join(dir, 'central.log')
    const config = path.join(dir, 'loggingserver.yaml')
    writeFileSync(config, `log: {host: 127.0.0.1, port: 0, max_frame_bytes: 4096, handover: ${handover}}\nweb: {enabled: false}\nfile: {path: ${file}}\n`)
    const script = `import runpy; runpy.run_path(${JSON.stringify(fakeSystemd)}, run_name='__main__')`
    return JSON.parse(await runPythonAsync(script, [mainJs, config, file, tag, ...mode])) as Restart
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('restart with the hand-over through the fd store', { skip: addonBuilt ? false : 'the fd-store addon did not build (libsystemd-dev missing)' }, () => {
  it('continues every connection at the frame boundary: each record once, the oversize one as its placeholder', async () => {
    const r = await restartUnder(true, 'ho-on')
    assert.equal(r.first_exit, 0)
    assert.equal(r.second_exit, 0)
    assert.deepEqual(r.stored, ['conn', 'conn', 'conn', 'handover'], 'three sockets and the manifest in the store')
    assert.equal(r.left_in_store, 0, 'the next process removed what it adopted (FDSTOREREMOVE=1)')
    assert.deepEqual(r.counts, { 0: 1, 1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 6: 1 }, JSON.stringify(r))
    assert.equal(r.placeholders, 1, 'the frame over max_frame_bytes, read past across the restart')
    assert.match(r.handover.join('\n'), /\[LS-HANDOVER\] stop: handed 3 log connections \(3 in the middle of a frame\)/)
    assert.match(r.adopted.join('\n'), /\[LS-HANDOVER-ADOPTED\] adopted 3 log connections .*\(3 resume in the middle of a frame; manifest version 1/)
    assert.doesNotMatch(r.adopted.join('\n'), /LS-HANDOVER-FAILED/)
  })

  it('a connection systemd still holds (its removal unconfirmed) is shut down when closed, so the client learns', async () => {
    const r = (await restartUnder(true, 'ho-kept', ['keep-store'])) as unknown as { closed_for_client: boolean; record_1: number; adopted: string[] }
    assert.equal(r.record_1, 1, 'the record completed across the restart')
    assert.match(r.adopted.join('\n'), /\[LS-HANDOVER-FAILED\] adopting .*removing the adopted connections from the fd store failed/)
    assert.equal(r.closed_for_client, true, 'closed after a zero-length frame, though the store keeps a copy of the socket')
  })

  it('300 connections: stored in messages of at most 250 fds, each found again by its addresses', async () => {
    const r = (await restartUnder(true, 'ho-many', ['many', '300'])) as unknown as { stored: number; store_messages: number[]; left_in_store: number; once: number; lost: number; twice: number }
    assert.deepEqual(r.store_messages, [1, 250, 50], 'the manifest, then the sockets in two messages')
    assert.equal(r.stored, 301)
    assert.equal(r.left_in_store, 0)
    assert.deepEqual({ once: r.once, lost: r.lost, twice: r.twice }, { once: 300, lost: 0, twice: 0 })
  })

  it('without it (log.handover: false) the stop closes the connections: what was in flight is lost', async () => {
    const r = await restartUnder(false, 'ho-off')
    assert.deepEqual(r.stored, [])
    assert.equal(r.counts['0'], 1)
    assert.deepEqual([1, 2, 4, 5, 6].map((i) => r.counts[String(i)]), [0, 0, 0, 0, 0], JSON.stringify(r))
  })
})
