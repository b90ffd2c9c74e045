import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Admission } from '../../../src/web/limits.js'

describe('Admission', () => {
  it('admits up to perClient from one address and up to total from all', () => {
    const a = new Admission('things', { total: 3, perClient: 2 })
    assert.ok(a.tryAdmit('10.0.0.1'))
    assert.ok(a.tryAdmit('10.0.0.1'))
    assert.equal(a.tryAdmit('10.0.0.1'), null)
    assert.ok(a.tryAdmit('10.0.0.2'))
    assert.equal(a.tryAdmit('10.0.0.3'), null)
    assert.equal(a.inFlight, 3)
  })
  it('frees a slot on release, once however often release is called', () => {
    const a = new Admission('things', { total: 2, perClient: 2 })
    const first = a.tryAdmit('10.0.0.1')!
    a.tryAdmit('10.0.0.1')
    first()
    first()
    assert.equal(a.inFlight, 1)
    assert.ok(a.tryAdmit('10.0.0.1'))
    assert.equal(a.tryAdmit('10.0.0.1'), null)
  })
})
