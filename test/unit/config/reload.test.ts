import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseConfig } from '../../../src/config/load.js'
import { applyReloadable, restartOnlyChanges } from '../../../src/config/reload.js'
import { RELOADABLE } from '../../../src/server.js'

describe('restartOnlyChanges()', () => {
  const running = parseConfig('log:\n  port: 9020\n', 'a.yaml')

  it('is empty when only reloadable keys changed', () => {
    const fresh = parseConfig('file:\n  format: "%(levelname)s %(message)s"\ndiagnostics:\n  level: debug\nlog:\n  max_frame_bytes: 2048\n', 'a.yaml')
    assert.deepEqual(restartOnlyChanges(running, fresh, RELOADABLE), [])
  })

  it('reloads file.escape (on by default) in place', () => {
    assert.equal(running.file.escape, true)
    const fresh = parseConfig('file:\n  escape: false\n', 'a.yaml')
    assert.deepEqual(restartOnlyChanges(running, fresh, RELOADABLE), [])
    assert.equal(applyReloadable(running, fresh, RELOADABLE).file.escape, false)
  })

  it('names the keys that need a restart', () => {
    const fresh = parseConfig('log:\n  port: 9030\nfile:\n  max_bytes: 1000\nweb:\n  recent_records: 50\n', 'a.yaml')
    assert.deepEqual(restartOnlyChanges(running, fresh, RELOADABLE), ['log.port', 'file.max_bytes', 'web.recent_records'])
  })
})

describe('applyReloadable()', () => {
  it('takes the reloadable keys from the new file and keeps the rest running', () => {
    const running = parseConfig('web:\n  recent_records: 300\n', 'a.yaml')
    const fresh = parseConfig('web:\n  recent_records: 5\n  refresh_seconds: 2\nfile:\n  path: /elsewhere.log\n  format: "%(message)s"\n', 'a.yaml')
    const next = applyReloadable(running, fresh, RELOADABLE)
    assert.equal(next.web.recent_records, 300)
    assert.equal(next.web.refresh_seconds, 2)
    assert.equal(next.file.path, running.file.path)
    assert.equal(next.file.format, '%(message)s')
    assert.ok(Object.isFrozen(next.file))
    assert.deepEqual(restartOnlyChanges(next, fresh, RELOADABLE), ['file.path', 'web.recent_records'])
  })
})
