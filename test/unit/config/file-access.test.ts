import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { namedFileProblems, serviceAccount, type Account } from '../../../src/config/file-access.js'
import { parseConfig } from '../../../src/config/load.js'

// Not under /tmp (nor the checkout, which may be there): PrivateTmp= hides /tmp, and that check comes first.
// /dev/shm is writable by everyone and hidden by no setting of the unit.
const work = path.join('/dev/shm', `ls-file-access-test-${process.pid}`)
const someone: Account = { name: 'loggingserver', uid: 54321, gids: [54321] }

describe('namedFileProblems()', () => {
  mkdirSync(work, { recursive: true })
  after(() => {
    rmSync(work, { recursive: true, force: true })
  })
  const check = (css: string, account: Account | null): string[] => {
    const text = `web:\n  refresh_seconds: 5\n  css_file: ${css}\n`
    return namedFileProblems(parseConfig(text, 'ls.yaml'), text, 'ls.yaml', account)
  }

  it('names the sandbox setting that hides a path, with file, line and key', () => {
    assert.deepEqual(check('/root/css/mine.css', someone), [
      'ls.yaml:3: web.css_file: /root/css/mine.css is hidden from the service by ProtectHome= in loggingserver.service: put it under /etc/loggingserver/ (readable by group loggingserver)',
    ])
    assert.match(check('/tmp/mine.css', null)[0]!, /hidden from the service by PrivateTmp=/)
    assert.match(check('/home/ops/x.css', null)[0]!, /ProtectHome=/)
  })

  it('judges as the service user: a root-only file or directory is a problem, a world-readable one is not', () => {
    const css = path.join(work, 'mine.css')
    writeFileSync(css, 'body {}')
    chmodSync(css, 0o600)
    assert.match(check(css, someone)[0] ?? '', /cannot be read by the service user loggingserver \(mode 600/)
    chmodSync(css, 0o644)
    assert.deepEqual(check(css, someone), [])
    chmodSync(work, 0o700)
    assert.match(check(css, someone)[0] ?? '', /it may not enter /)
    chmodSync(work, 0o755)
    assert.deepEqual(check(css, { ...someone, uid: 0 }), [])
  })

  it('reports a missing file', () => {
    assert.match(check(path.join(work, 'nope.css'), someone)[0] ?? '', /cannot be read: ENOENT/)
  })
})

describe('serviceAccount()', () => {
  it('reads the uid, the primary and the supplementary groups', () => {
    const passwd = 'root:x:0:0::/root:/bin/sh\nloggingserver:x:998:997::/nonexistent:/usr/sbin/nologin\n'
    const group = 'loggingserver:x:997:\nssl-cert:x:110:loggingserver,postgres\nadm:x:4:syslog\n'
    assert.deepEqual(serviceAccount('loggingserver', passwd, group), { name: 'loggingserver', uid: 998, gids: [997, 110] })
    assert.equal(serviceAccount('loggingserver', 'root:x:0:0::/root:/bin/sh\n', ''), null)
  })
})
