import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { LAST_VALID_NAME, loadFallback, protectionsIn, saveLastValid } from '../../../src/config/last-valid.js'
import { repoRoot } from '../../support/server.js'

const dirs: string[] = []
const dir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'loggingserver-lastvalid-'))
  dirs.push(d)
  return d
}

describe('last valid configuration', () => {
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('is saved atomically with mode 0600 and read back', () => {
    const state = dir()
    writeFileSync(path.join(state, LAST_VALID_NAME), 'file: {path: /old.log}\n', { mode: 0o644 })
    const saved = saveLastValid(state, 'file: {path: /var/log/x/central.log}\nweb: {refresh_seconds: 7}\n')
    assert.equal(statSync(saved).mode & 0o777, 0o600, 'it may hold auth hashes')
    assert.deepEqual(readdirSync(state), [LAST_VALID_NAME], 'no temp file left behind')
    const { loaded, skipped } = loadFallback(state, path.join(state, 'no-packaged.yaml'))
    assert.deepEqual(skipped, [])
    assert.equal(loaded?.source, saved)
    assert.equal(loaded?.config.web.refresh_seconds, 7)
    assert.equal(loaded?.text, readFileSync(saved, 'utf8'))
  })

  it('falls back to the packaged config when the saved one is missing or no longer validates', () => {
    const state = dir()
    const packaged = path.join(repoRoot, 'etc/loggingserver.yaml')
    const missing = loadFallback(state, packaged)
    assert.equal(missing.loaded?.source, packaged)
    assert.match(missing.skipped[0] ?? '', /last-valid\.yaml: cannot read: ENOENT/)
    writeFileSync(path.join(state, LAST_VALID_NAME), 'web: {refresh_seconds: -1}\n')
    const stale = loadFallback(state, packaged)
    assert.equal(stale.loaded?.source, packaged)
    assert.match(stale.skipped.join('\n'), /last-valid\.yaml:1: web\.refresh_seconds/)
    assert.equal(loadFallback(null, packaged).loaded?.source, packaged, 'without StateDirectory= the packaged one')
  })

  it('gives up (the caller exits 78) when neither validates', () => {
    const state = dir()
    writeFileSync(path.join(state, LAST_VALID_NAME), 'nonsense: 1\n')
    const { loaded, skipped } = loadFallback(state, path.join(state, 'absent.yaml'))
    assert.equal(loaded, null)
    assert.equal(skipped.length, 2)
  })

  it('never swaps an operator\'s auth, allow list or TLS for the open packaged config', () => {
    const state = dir()
    const packaged = path.join(repoRoot, 'etc/loggingserver.yaml')
    // A typo beside web.auth (first start: nothing saved yet): the packaged file would open the page to all.
    const broken = 'web:\n  auth:\n    users: {alice: "$scrypt$bad"}\n  refresh_secs: 5\n'
    const refused = loadFallback(state, packaged, broken)
    assert.equal(refused.loaded, null)
    assert.match(refused.skipped.join('\n'), /not used: the broken file sets web\.auth, which the packaged configuration would drop/)
    // A saved last valid config (which has the operator's protections) is still used.
    saveLastValid(state, 'web: {refresh_seconds: 9}\n')
    assert.equal(loadFallback(state, packaged, broken).loaded?.config.web.refresh_seconds, 9)
    // Without protections in the broken file the packaged copy is fine.
    assert.equal(loadFallback(dir(), packaged, 'web:\n  refresh_secs: 5\n').loaded?.source, packaged)
  })

  it('finds the protections a broken file sets, even where its YAML does not parse', () => {
    assert.deepEqual(protectionsIn('log:\n  allow: [10.0.0.0/8]\n  tls: null\nweb:\n  auth: null\n'), ['log.allow'])
    assert.deepEqual(protectionsIn('log:\n  tls: {port: 9022, cert: a, key: b}\nweb: {auth: {users: {a: b}}}\n'), ['web.auth', 'log.tls'])
    // Unparseable (a tab): read line by line.
    assert.deepEqual(protectionsIn('web:\n  auth:\n\tusers: x\nlog:\n  allow: null # everyone\n'), ['web.auth'])
    assert.deepEqual(protectionsIn(''), [])
  })
})
