// Issue #4: the packages in a real systemd. test/package/e2e-systemd.sh boots a clean Debian 12 with
// systemd-nspawn, installs the .deb like a user, checks activation, notify, journald, 1,000 records, reload,
// restarts under load, remove/purge, then the .rpm's scriptlets; each of its PASS/FAIL lines becomes a subtest.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { deb, repoRoot, rpm } from './packages.js'

const script = path.join(repoRoot, 'test/package/e2e-systemd.sh')
const artifacts = path.join(repoRoot, 'test-artifacts/package-e2e')
const root = process.getuid?.() === 0

test('the .deb and .rpm in a booted Debian 12 (systemd-nspawn)', { skip: root ? false : 'needs root for systemd-nspawn', timeout: 900_000 }, async (t) => {
  rmSync(artifacts, { recursive: true, force: true })
  const started = Date.now()
  const child = spawn('timeout', ['840', script, deb, rpm], {
    env: { ...process.env, E2E_ARTIFACTS: artifacts },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (out += d))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  t.diagnostic(`e2e took ${((Date.now() - started) / 1000).toFixed(1)} s; artifacts in ${path.relative(repoRoot, artifacts)}/`)
  for (const line of out.split('\n').filter((l) => /^\[ *[\d.]+s\]/.test(l))) t.diagnostic(line)
  const checks = out.split('\n').filter((l) => /^(PASS|FAIL): /.test(l))
  for (const line of checks) {
    // The script's own closing line is "e2e: N passed, N failed"; here each check is a subtest of its own.
    await t.test(line.slice(6), () => assert.ok(line.startsWith('PASS'), line))
  }
  assert.ok(checks.length >= 40, `expected the full sequence of checks, got ${checks.length}:\n${out}`)
  assert.equal(code, 0, out.split('\n').filter((l) => !l.startsWith('PASS')).join('\n'))
})
