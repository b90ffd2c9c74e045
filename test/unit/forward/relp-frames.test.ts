import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeFrame, MAX_TXNR, nextTxnr, RelpProtocolError, RelpReader, responseCode } from '../../../src/forward/relp-frames.js'

describe('encodeFrame()', () => {
  it('writes TXNR SP COMMAND SP DATALEN SP DATA LF, and no data part for an empty command', () => {
    assert.equal(encodeFrame(7, 'syslog', Buffer.from('héllo')).toString('utf8'), '7 syslog 6 héllo\n')
    assert.equal(encodeFrame(9, 'close', null).toString(), '9 close 0\n')
  })
})

describe('nextTxnr()', () => {
  it('counts up and wraps from 999999999 to 1', () => {
    assert.equal(nextTxnr(1), 2)
    assert.equal(nextTxnr(MAX_TXNR), 1)
  })
})

describe('responseCode()', () => {
  it('reads the status of a reply, with or without text and further lines', () => {
    assert.equal(responseCode(Buffer.from('200 OK')), 200)
    assert.equal(responseCode(Buffer.from('200 OK\nrelp_version=0\ncommands=syslog')), 200)
    assert.equal(responseCode(Buffer.from('500 error')), 500)
    assert.equal(responseCode(Buffer.from('OK')), 0)
  })
})

describe('RelpReader', () => {
  it('yields replies split anywhere, one byte at a time', () => {
    const wire = Buffer.from('1 rsp 6 200 OK\n2 rsp 6 200 OK\n0 serverclose 0\n')
    const reader = new RelpReader()
    const frames = []
    for (const byte of wire) frames.push(...reader.push(Buffer.from([byte])))
    assert.deepEqual(frames.map((f) => [f.txnr, f.command, f.data.toString()]), [[1, 'rsp', '200 OK'], [2, 'rsp', '200 OK'], [0, 'serverclose', '']])
  })

  it('takes data containing spaces and newlines by its length', () => {
    const [frame] = new RelpReader().push(Buffer.from('1 rsp 37 200 OK\nrelp_version=0\ncommands=syslog\n'))
    assert.equal(frame?.data.toString(), '200 OK\nrelp_version=0\ncommands=syslog')
  })

  it('refuses what is not RELP instead of buffering it for ever', () => {
    assert.throws(() => new RelpReader().push(Buffer.from('HTTP/1.1 400 Bad Request\r\n')), RelpProtocolError)
    assert.throws(() => new RelpReader().push(Buffer.alloc(100, 0x41)), RelpProtocolError)
    assert.throws(() => new RelpReader().push(Buffer.from('1 rsp 2 OKX')), RelpProtocolError)
    assert.throws(() => new RelpReader().push(Buffer.from('1 rsp 999999999 ')), RelpProtocolError)
  })
})
