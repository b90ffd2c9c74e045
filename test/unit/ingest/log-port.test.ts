import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultMaxConnections, FD_RESERVE } from '../../../src/ingest/log-port.js'

describe('defaultMaxConnections()', () => {
  const limits = (soft: string): string =>
    `Limit                     Soft Limit           Hard Limit           Units\nMax processes             95000                95000                processes\nMax open files            ${soft}                524288               files\n`

  it('is the soft open-files limit less the reserve', () => {
    assert.equal(defaultMaxConnections(limits('65536')), 65536 - FD_RESERVE)
    assert.equal(defaultMaxConnections(limits('1024')), 1024 - FD_RESERVE)
  })

  it('never goes below 16, and assumes 1024 when the limit cannot be read', () => {
    assert.equal(defaultMaxConnections(limits('100')), 16)
    assert.equal(defaultMaxConnections(''), 1024 - FD_RESERVE)
    assert.equal(defaultMaxConnections(limits('unlimited')), (1 << 20) - FD_RESERVE)
  })

  it('reads this process', () => {
    assert.ok(defaultMaxConnections() >= 16)
  })
})
