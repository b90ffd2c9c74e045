import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { WebAuthSchema } from '../../../src/config/schema.js'
import { BasicAuth } from '../../../src/web/basic-auth.js'
import { hashPassword, parseHash, verifyPassword, type ParsedHash } from '../../../src/web/password-hash.js'
import { repoRoot } from '../../support/server.js'

/** Cheap parameters keep the suite fast; the format is the same. */
const FAST = { ln: 10, r: 8, p: 1 }

function parsed(text: string): ParsedHash {
  const p = parseHash(text)
  assert.notEqual(typeof p, 'string', String(p))
  return p as ParsedHash
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('hashPassword() / verifyPassword()', () => {
  it('writes a self-describing scrypt string that verifies the password and nothing else', async () => {
    const hash = await hashPassword('correct horse', FAST)
    assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    assert.equal(await verifyPassword('correct horse', parsed(hash)), true)
    assert.equal(await verifyPassword('correct horsf', parsed(hash)), false)
  })
  it('salts: the same password hashes differently each time', async () => {
    assert.notEqual(await hashPassword('x', FAST), await hashPassword('x', FAST))
  })
})

describe('parseHash()', () => {
  it('refuses plain text and costs outside the bounds, saying why', () => {
    assert.match(parseHash('hunter2') as string, /not a password hash/)
    assert.match(parseHash('$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') as string, /ln=30 is outside/)
  })
})

describe('scripts/hash-password.mjs', () => {
  it('prints a hash the server verifies and the config schema accepts', async () => {
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/hash-password.mjs')], { input: 's3cret pass\n', encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    const hash = run.stdout.trim()
    assert.equal(await verifyPassword('s3cret pass', parsed(hash)), true)
    assert.equal(WebAuthSchema.safeParse({ users: { alice: hash } }).success, true)
  })
  it('refuses an empty password', () => {
    assert.notEqual(spawnSync(process.execPath, [path.join(repoRoot, 'scripts/hash-password.mjs')], { input: '\n' }).status, 0)
  })
})

describe('web.auth in the config schema', () => {
  it('refuses a plain-text password and an empty user list', () => {
    assert.equal(WebAuthSchema.safeParse({ users: { alice: 'hunter2' } }).success, false)
    assert.equal(WebAuthSchema.safeParse({ users: {} }).success, false)
  })
})

describe('BasicAuth', () => {
  it('accepts the right password, refuses a wrong one, an unknown user and junk headers', async () => {
    const auth = new BasicAuth({ realm: 'logs', users: { alice: await hashPassword('pw', FAST) } })
    assert.equal(await auth.check(basic('alice', 'pw')), 'alice')
    assert.equal(await auth.check(basic('alice', 'wrong')), null)
    assert.equal(await auth.check(basic('mallory', 'pw')), null)
    assert.equal(await auth.check(undefined), null)
    assert.equal(await auth.check('Bearer abc'), null)
    assert.equal(await auth.check(`Basic ${Buffer.from('no-colon').toString('base64')}`), null)
    assert.equal(auth.challenge, 'Basic realm="logs", charset="UTF-8"')
  })
  it('allows a colon inside the password (only the first one separates)', async () => {
    const auth = new BasicAuth({ realm: 'logs', users: { bob: await hashPassword('a:b', FAST) } })
    assert.equal(await auth.check(basic('bob', 'a:b')), 'bob')
  })
  it('remembers a success for a while instead of running scrypt on every request', async () => {
    const auth = new BasicAuth({ realm: 'logs', users: { alice: await hashPassword('pw', FAST) } })
    const now = Date.now()
    assert.equal(await auth.check(basic('alice', 'pw'), now), 'alice')
    const started = process.hrtime.bigint()
    for (let i = 0; i < 100; i++) assert.equal(await auth.check(basic('alice', 'pw'), now + 1000), 'alice')
    // 100 scrypt runs at ln=10 would take far longer than 100 cache hits; a generous bound, not a benchmark.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 200)
  })
  it('lets the same credentials arriving together share one check, so none is refused while it runs', async () => {
    // HTTPHandler opens a connection per record: a burst at start must not see 401s (the stock handler drops them).
    const auth = new BasicAuth({ realm: 'logs', users: { app1: await hashPassword('pw', FAST), app2: await hashPassword('pw2', FAST) } })
    const burst = await Promise.all(Array.from({ length: 20 }, () => auth.check(basic('app1', 'pw'))))
    assert.deepEqual(burst, Array(20).fill('app1'))
    // Other credentials during a check wait for it: one scrypt at a time.
    const [a, b] = await Promise.all([auth.check(basic('app2', 'pw2')), auth.check(basic('app2', 'wrong'))])
    assert.deepEqual([a, b], ['app2', null])
  })
  it('checks two senders arriving together one after the other, refusing neither (HTTPHandler drops a 401ed record)', async () => {
    const auth = new BasicAuth({ realm: 'logs', users: { app1: await hashPassword('pw1', FAST), app2: await hashPassword('pw2', FAST) } })
    const both = await Promise.all([auth.check(basic('app1', 'pw1')), auth.check(basic('app2', 'pw2')), auth.check(basic('app2', 'wrong'))])
    assert.deepEqual(both, ['app1', 'app2', null])
  })
  it('refuses unchecked once a few checks already wait: a flood of bogus credentials queues nothing unbounded', async () => {
    const auth = new BasicAuth({ realm: 'logs', users: { app1: await hashPassword('pw1', FAST) } })
    const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => auth.check(basic('app1', `bogus${i}`))))
    assert.deepEqual(flood, Array(40).fill(null))
    assert.equal(await auth.check(basic('app1', 'pw1')), 'app1') // and the slot is free again afterwards
  })
  it('refuses a config whose hash is not one', () => {
    assert.throws(() => new BasicAuth({ realm: 'x', users: { alice: 'hunter2' } }), TypeError)
  })
})
