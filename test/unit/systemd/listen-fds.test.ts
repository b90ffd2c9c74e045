import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { listenFds, unsetListenEnv } from '../../../src/systemd/listen-fds.js'

describe('listenFds()', () => {
  it('maps FileDescriptorName= names to fds starting at 3', () => {
    const fds = listenFds({ LISTEN_PID: '42', LISTEN_FDS: '3', LISTEN_FDNAMES: 'log:web:log' }, 42)
    assert.deepEqual(fds, new Map([['log', [3, 5]], ['web', [4]]]))
  })
  it('ignores variables meant for another process', () => {
    assert.equal(listenFds({ LISTEN_PID: '41', LISTEN_FDS: '2', LISTEN_FDNAMES: 'log:web' }, 42), null)
  })
  it('returns null when not socket-activated', () => {
    assert.equal(listenFds({}, 42), null)
  })
  it('names fds "unknown" when LISTEN_FDNAMES is missing, as systemd does', () => {
    assert.deepEqual(listenFds({ LISTEN_PID: '7', LISTEN_FDS: '1' }, 7), new Map([['unknown', [3]]]))
  })
  it('unsets the variables so children do not inherit them', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '7', LISTEN_FDS: '1', LISTEN_FDNAMES: 'log', PATH: '/bin' }
    unsetListenEnv(env)
    assert.deepEqual(env, { PATH: '/bin' })
  })
})
