import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { parseUdpTable, UdpDrops } from '../../../src/ingest/udp-drops.js'

// Two rows as Linux 6.x prints them: ours on port 9024 (0x2340) with 17 drops, another process's on the same port.
const header = '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n'
const udp =
  header +
  '  310: 0100007F:2340 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 4242 2 0000000000000000 17\n' +
  '  311: 0200007F:2340 00000000:0000 07 00000000:00000000 00:00000000 00000000   107        0 9999 2 0000000000000000 5\n'

describe('parseUdpTable()', () => {
  it('reads port, inode and drops of each row', () => {
    assert.deepEqual(parseUdpTable(udp), [
      { port: 9024, inode: '4242', drops: 17 },
      { port: 9024, inode: '9999', drops: 5 },
    ])
    assert.deepEqual(parseUdpTable(header), [])
  })
})

describe('UdpDrops', () => {
  const proc = mkdtempSync(path.join(tmpdir(), 'udp-drops-'))
  after(() => rmSync(proc, { recursive: true, force: true }))
  mkdirSync(path.join(proc, 'self/fd'), { recursive: true })
  mkdirSync(path.join(proc, 'net'))
  symlinkSync('socket:[4242]', path.join(proc, 'self/fd/3'))
  symlinkSync('/dev/null', path.join(proc, 'self/fd/4'))
  writeFileSync(path.join(proc, 'net/udp6'), header)

  it("counts only this process's sockets on the port, not another's on the same port", () => {
    writeFileSync(path.join(proc, 'net/udp'), udp)
    assert.equal(UdpDrops.find([9024], proc)?.count(), 17)
  })

  it('is null when none of our sockets is bound there, or /proc cannot be read', () => {
    assert.equal(UdpDrops.find([9025], proc), null)
    assert.equal(UdpDrops.find([9024], path.join(proc, 'missing')), null)
  })
})
