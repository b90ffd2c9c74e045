// The command line as an operator meets it: --check-config, --version, and a bad config at start.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import net from 'node:net'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { mainJs, repoRoot, reported, tempDir } from '../support/server.js'

const dir = tempDir('loggingserver-cli-')
after(() => rmSync(dir, { recursive: true, force: true }))

function run(args: string[]) {
  return spawnSync(process.execPath, [mainJs, ...args], { encoding: 'utf8', timeout: 10000 })
}

function configFile(name: string, text: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, text)
  return file
}

describe('loggingserver command line', () => {
  it('--check-config accepts the shipped config and exits 0', () => {
    const r = run(['--check-config', '--config', path.join(repoRoot, 'etc/loggingserver.yaml')])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /configuration OK \(.*etc\/loggingserver\.yaml\)/)
  })

  it('--check-config lists every problem with file, line and key, and exits 1', () => {
    const file = configFile('bad.yaml', 'log:\n  port: 9020\n  max_frame_bytes: -5\nfile:\n  format: "%(asctime)s %(bogus)s"\n  colour: red\n')
    const r = run(['--check-config', '--config', file])
    assert.equal(r.status, 1)
    assert.match(r.stderr, new RegExp(`${file}:3: log\\.max_frame_bytes: must be a positive number`))
    assert.match(r.stderr, new RegExp(`${file}:5: file\\.format: unknown attribute %\\(bogus\\)s`))
    assert.match(r.stderr, new RegExp(`${file}:6: file\\.colour: unknown key`))
  })

  it('--check-config checks the files the config names as the service will see them', () => {
    const hidden = configFile('css-hidden.yaml', 'web:\n  css_file: /root/css/mine.css\n')
    const r = run(['--check-config', '--config', hidden])
    assert.equal(r.status, 1, r.stdout)
    assert.match(r.stderr, new RegExp(`${hidden}:2: web\\.css_file: /root/css/mine\\.css is hidden from the service by ProtectHome= in loggingserver\\.service: put it under /etc/loggingserver/`))
    // Outside /tmp (where the checkout may be: PrivateTmp= hides it, and that is checked first).
    const shm = mkdtempSync('/dev/shm/loggingserver-cli-')
    try {
      const missing = configFile('css-missing.yaml', `web:\n  css_file: ${path.join(shm, 'no-such.css')}\n`)
      const m = run(['--check-config', '--config', missing])
      assert.equal(m.status, 1)
      assert.match(m.stderr, /web\.css_file: .*no-such\.css cannot be read: ENOENT/)
      const css = path.join(shm, 'mine.css')
      writeFileSync(css, 'body {}\n')
      const fine = configFile('css-fine.yaml', `web:\n  css_file: ${css}\n`)
      assert.equal(run(['--check-config', '--config', fine]).status, 0)
    } finally {
      rmSync(shm, { recursive: true, force: true })
    }
  })

  it('refuses to start on a bad config with exit 78 (EX_CONFIG), naming the line', () => {
    const file = configFile('bad-format.yaml', 'file:\n  format: "%(asctime)s %(bogus)s"\n')
    const r = run(['--config', file])
    assert.equal(r.status, 78)
    assert.match(r.stderr, /\[LS-CONFIG-INVALID\]/)
    assert.match(r.stderr, new RegExp(`${file}:2: file\\.format: unknown attribute %\\(bogus\\)s`))
  })

  it('names a missing --config file', () => {
    const r = run(['--config', path.join(dir, 'missing.yaml')])
    assert.equal(r.status, 78)
    assert.match(r.stderr, /missing\.yaml: cannot read: ENOENT/)
  })

  it('prints its version and rejects unknown options with usage', () => {
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
    assert.equal(run(['--version']).stdout, `loggingserver ${version}\n`)
    const r = run(['--bogus'])
    assert.equal(r.status, 64)
    assert.match(r.stderr, /usage: loggingserver/)
  })

  it('says clearly when the central file cannot be created', () => {
    const blocker = configFile('not-a-dir', 'x')
    const file = configFile('unwritable.yaml', `log:\n  port: 0\nweb:\n  port: 0\nfile:\n  path: ${blocker}/central.log\n`)
    const r = run(['--config', file])
    assert.equal(r.status, 1)
    assert.match(reported(r.stderr, 'LS-FILE-OPEN-FAILED')[0] ?? r.stderr, /not-a-dir\/central\.log: (EEXIST|ENOTDIR)/)
  })

  it('says which port it cannot listen on, and exits 1', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1')
    await once(holder, 'listening')
    const port = (holder.address() as net.AddressInfo).port
    try {
      const file = configFile('port-taken.yaml', `log:\n  host: 127.0.0.1\n  port: ${port}\nweb:\n  port: 0\nfile:\n  path: ${dir}/taken.log\n`)
      // Async: the port's holder lives in this process, whose event loop must keep running.
      const child = spawn(process.execPath, [mainJs, '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const [code] = (await once(child, 'exit')) as [number | null]
      assert.equal(code, 1)
      assert.match(reported(stderr, 'LS-LISTEN-FAILED')[0] ?? stderr, new RegExp(`127\\.0\\.0\\.1:${port} for the log port: .*EADDRINUSE`))
    } finally {
      holder.close()
    }
  })
})
