import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ClientSeries, OTHER_CLIENTS } from '../../../src/status/client-series.js'
import { rec } from '../web/records.js'

describe('ClientSeries', () => {
  it('counts runs of one client and switches between clients', () => {
    const series = new ClientSeries(10)
    const order = ['a', 'a', 'a', 'b', 'a', 'b', 'b']
    order.forEach((client, i) => series.record(rec(i, { client, received: 100 + i })))
    assert.deepEqual([...series.entries()], [['a', { records: 4, lastSeen: 104 }], ['b', { records: 3, lastSeen: 106 }]])
  })

  it('gives a client counted under "other" its own series once a reload raises the cap', () => {
    const series = new ClientSeries(1)
    series.record(rec(1, { client: 'a', received: 1 }))
    series.record(rec(2, { client: 'b', received: 2 }))
    series.record(rec(3, { client: 'b', received: 3 }))
    series.maxClients = 2
    series.record(rec(4, { client: 'b', received: 4 }))
    assert.deepEqual([...series.entries()], [['a', { records: 1, lastSeen: 1 }], ['b', { records: 1, lastSeen: 4 }], [OTHER_CLIENTS, { records: 2, lastSeen: 3 }]])
  })
})
