import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { allowEntryProblem, PeerAllow } from '../../src/peer-allow.js'

describe('PeerAllow', () => {
  it('lets everyone in when the list is null or empty (no PeerAllow at all)', () => {
    assert.equal(PeerAllow.from(null), null)
    assert.equal(PeerAllow.from([]), null)
  })

  it('matches IPv4 subnets and bare addresses', () => {
    const allow = new PeerAllow(['10.0.0.0/8', '192.0.2.7', '127.0.0.2/32'])
    assert.equal(allow.allows('10.200.3.4'), true)
    assert.equal(allow.allows('11.0.0.1'), false)
    assert.equal(allow.allows('192.0.2.7'), true)
    assert.equal(allow.allows('192.0.2.8'), false)
    assert.equal(allow.allows('127.0.0.2'), true)
    assert.equal(allow.allows('127.0.0.1'), false)
  })

  it('matches IPv6 subnets and bare addresses, without their zone index', () => {
    const allow = new PeerAllow(['2001:db8::/32', '::1', 'fe80::/10'])
    assert.equal(allow.allows('2001:db8:1::5'), true)
    assert.equal(allow.allows('2001:db9::5'), false)
    assert.equal(allow.allows('::1'), true)
    assert.equal(allow.allows('::2'), false)
    assert.equal(allow.allows('fe80::1%eth0'), true)
  })

  it('matches an IPv4-mapped peer of a dual-stack socket as the IPv4 address it is', () => {
    const allow = new PeerAllow(['127.0.0.2/32'])
    assert.equal(allow.allows('::ffff:127.0.0.2'), true)
    assert.equal(allow.allows('::FFFF:127.0.0.2'), true)
    assert.equal(allow.allows('::ffff:127.0.0.1'), false)
  })

  it('keeps families apart: an IPv4 list refuses IPv6 peers and the other way round', () => {
    assert.equal(new PeerAllow(['0.0.0.0/0']).allows('::1'), false)
    assert.equal(new PeerAllow(['2001:db8::/32']).allows('127.0.0.1'), false)
    assert.equal(new PeerAllow(['0.0.0.0/0', '::/0']).allows('2001:db8::1'), true)
  })

  it('refuses what is not an address (a socket that has none reports undefined)', () => {
    assert.equal(new PeerAllow(['0.0.0.0/0']).allows(''), false)
    assert.equal(new PeerAllow(['0.0.0.0/0']).allows('local'), false)
  })
})

describe('allowEntryProblem()', () => {
  it('accepts CIDRs and bare addresses of both families', () => {
    for (const entry of ['10.0.0.0/8', '0.0.0.0/0', '192.0.2.7', '192.0.2.7/32', '::1', '::/0', '2001:db8::/128']) assert.equal(allowEntryProblem(entry), null, entry)
  })

  it('names the entry and what is wrong with it', () => {
    assert.match(allowEntryProblem('example.com') ?? '', /^"example\.com" is not an IP address or CIDR/)
    assert.match(allowEntryProblem('10.0.0.256/8') ?? '', /is not an IP address or CIDR/)
    assert.match(allowEntryProblem('10.0.0.0/33') ?? '', /^"10\.0\.0\.0\/33": the prefix length must be a whole number from 0 to 32$/)
    assert.match(allowEntryProblem('::/129') ?? '', /from 0 to 128$/)
    assert.match(allowEntryProblem('10.0.0.0/') ?? '', /prefix length/)
    assert.match(allowEntryProblem('10.0.0.0/8.5') ?? '', /prefix length/)
    assert.match(allowEntryProblem('10.0.0.0/-1') ?? '', /prefix length/)
    assert.throws(() => new PeerAllow(['10.0.0.0/40']), RangeError)
  })
})
