import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { connectionKey, decodeManifest, encodeManifest, MANIFEST_VERSION, type SavedConnection } from '../../../src/ingest/handover-manifest.js'

const saved: SavedConnection[] = [
  { local: '::ffff:127.0.0.1:9020', remote: '::ffff:127.0.0.1:40000', pending: Buffer.from([0, 0, 1, 0, 0x80, 4]), skipLeft: 0, skipLength: 0 },
  { local: '::ffff:127.0.0.1:9020', remote: '::ffff:127.0.0.1:40001', pending: Buffer.alloc(0), skipLeft: 0, skipLength: 0 },
  { local: '[::1]:9020', remote: '[::1]:40002', pending: Buffer.alloc(0), skipLeft: 12345, skipLength: 2_000_000 },
]

describe('hand-over manifest', () => {
  it('round-trips every connection, found by its addresses, with its bytes and skip state', () => {
    const manifest = decodeManifest(encodeManifest(saved, '0.1.0'))
    assert.equal(manifest.version, MANIFEST_VERSION)
    assert.equal(manifest.writer, '0.1.0')
    assert.equal(manifest.problem, null)
    assert.equal(manifest.connections.size, 3)
    for (const c of saved) assert.deepEqual(manifest.connections.get(connectionKey(c.local, c.remote)), c)
  })

  it('reads a version 1 document as version 1 wrote it (an upgrade reads the old code\'s state)', () => {
    // Written by hand, not by encodeManifest: a change to the writer must not break reading what is out there.
    const v1 = '{"format":"loggingserver-handover","version":1,"writer":"0.1.0","connections":[' +
      '{"local":"::ffff:127.0.0.1:9020","remote":"::ffff:127.0.0.1:51000","pending":"AAAAEoADfXE=","skipLeft":0,"skipLength":0}]}'
    const manifest = decodeManifest(Buffer.from(v1))
    assert.equal(manifest.problem, null)
    assert.deepEqual(manifest.connections.get(connectionKey('::ffff:127.0.0.1:9020', '::ffff:127.0.0.1:51000'))?.pending, Buffer.from('AAAAEoADfXE=', 'base64'))
  })

  it('a newer version: no saved bytes, the reason given (the sockets are still adopted)', () => {
    const manifest = decodeManifest(Buffer.from('{"format":"loggingserver-handover","version":99,"writer":"9.0.0","connections":[{"whatever":1}]}'))
    assert.equal(manifest.version, 99)
    assert.equal(manifest.writer, '9.0.0')
    assert.equal(manifest.connections.size, 0)
    assert.match(manifest.problem ?? '', /version 99 is newer than this reader \(1\)/)
  })

  it('garbage, another format or a bad entry: a problem, never a throw', () => {
    assert.match(decodeManifest(Buffer.from('not json')).problem ?? '', /not JSON/)
    assert.match(decodeManifest(Buffer.from('{"format":"other","version":1}')).problem ?? '', /not a loggingserver hand-over/)
    assert.match(decodeManifest(Buffer.from('{"format":"loggingserver-handover"}')).problem ?? '', /no version/)
    const oneBad = decodeManifest(Buffer.from('{"format":"loggingserver-handover","version":1,"connections":[' +
      '{"local":"a:1","remote":"b:2","pending":"","skipLeft":0,"skipLength":0},{"local":"a:1","remote":"c:3","pending":"","skipLeft":-1,"skipLength":0}]}'))
    assert.equal(oneBad.connections.size, 1)
    assert.match(oneBad.problem ?? '', /1 unreadable connection entries/)
  })
})
