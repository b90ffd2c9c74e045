import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FDS_PER_MESSAGE, openFdStore, openPeerPid } from '../../../src/systemd/fd-store.js'

/** Records what would go to sd_pid_notify_with_fds: the addon is libsystemd's, here only the batching is ours. */
function recordingAddon() {
  const sent: { state: string; fds: number[] }[] = []
  const addon = {
    notifyWithFds: (state: string, fds: number[]) => (sent.push({ state, fds: [...fds] }), 1),
    barrier: () => undefined,
    memfdCreate: () => -1,
    unitJobType: () => null,
  }
  return { sent, load: () => addon }
}

describe('openFdStore', () => {
  it('is unavailable, with the reason, outside systemd or without the addon', () => {
    assert.match(String(openFdStore({})), /NOTIFY_SOCKET unset/)
    assert.match(String(openFdStore({ NOTIFY_SOCKET: '/run/x' }, () => { throw new Error('Cannot find module') })), /addon cannot be loaded \(Cannot find module\)/)
  })

  it(`stores fds in messages of at most ${FDS_PER_MESSAGE}, each naming them (FDNAME=)`, () => {
    const { sent, load } = recordingAddon()
    const store = openFdStore({ NOTIFY_SOCKET: '/run/x' }, load)
    assert.notEqual(typeof store, 'string')
    if (typeof store === 'string') return
    const fds = Array.from({ length: 2 * FDS_PER_MESSAGE + 7 }, (_, i) => 100 + i)
    store.add('conn', fds)
    assert.deepEqual(sent.map((m) => m.fds.length), [FDS_PER_MESSAGE, FDS_PER_MESSAGE, 7])
    assert.ok(sent.every((m) => m.state === 'FDSTORE=1\nFDNAME=conn'))
    assert.deepEqual(sent.flatMap((m) => m.fds), fds)
    store.remove('conn')
    assert.deepEqual(sent.at(-1), { state: 'FDSTOREREMOVE=1\nFDNAME=conn', fds: [] })
  })
})

describe('openPeerPid', () => {
  it('is null without the addon, or with one built before peerCredentials', () => {
    assert.equal(openPeerPid(() => { throw new Error('Cannot find module') }), null)
    assert.equal(openPeerPid(() => ({})), null)
  })

  it("reads the peer's pid, and null for a socket the kernel has none for", () => {
    const pidOf = openPeerPid(() => ({
      peerCredentials: (fd: number) => {
        if (fd === 7) return { pid: 4242, uid: 0, gid: 0 }
        throw Object.assign(new Error('getsockopt(SO_PEERCRED): ENOTSOCK'), { code: 'ENOTSOCK' })
      },
    }))
    assert.equal(pidOf?.(7), 4242)
    assert.equal(pidOf?.(8), null)
  })
})
