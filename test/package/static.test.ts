// Issue #4: checks on the built .deb and .rpm without installing them — contents against packaging/nfpm.yaml,
// conffiles, maintainer scripts, lintian, rpmlint, systemd-analyze verify and security. Run `npm run package` first.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { deb, expectedPaths, output, readSpec, repoRoot, rpm, run, version, type PackageSpec } from './packages.js'

const UNITS = ['loggingserver.service', 'loggingserver.socket', 'loggingserver-web.socket', 'loggingserver-tls.socket', 'loggingserver-unix.socket', 'loggingserver-udp.socket']
let work: string
let debRoot: string
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'loggingserver-static-'))
  debRoot = path.join(work, 'root')
  output('dpkg-deb', ['-x', deb, debRoot])
  output('dpkg-deb', ['-e', deb, path.join(work, 'DEBIAN')])
})
after(() => rmSync(work, { recursive: true, force: true }))

describe('the .deb', () => {
  let spec: PackageSpec
  before(async () => (spec = await readSpec('deb')))

  test('is named after package.json version', () => assert.ok(existsSync(deb), deb))

  test('holds exactly the files packaging/nfpm.yaml lists (dpkg-deb -c)', () => {
    const listed = output('dpkg-deb', ['-c', deb]).split('\n').filter((l) => /^[-d]/.test(l))
    const files = listed.filter((l) => l.startsWith('-')).map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\./, ''))
    const dirs = new Set(listed.filter((l) => l.startsWith('d')).map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\./, '').replace(/\/$/, '')))
    const expected = expectedPaths(spec)
    assert.deepEqual(files.sort(), expected.filter((p) => !spec.contents.some((c) => c.type === 'dir' && c.dst === p)))
    for (const c of spec.contents.filter((c) => c.type === 'dir')) assert.ok(dirs.has(c.dst), `${c.dst} directory`)
    assert.ok(listed.every((l) => l.includes(' root/root ')), 'every entry owned by root/root')
  })

  test('control: version, architecture and dependencies from nfpm.yaml; no nodejs', () => {
    const field = (f: string): string => output('dpkg-deb', ['-f', deb, f]).trim()
    assert.equal(field('Version'), version)
    assert.equal(field('Architecture'), 'amd64')
    assert.equal(field('Depends'), spec.depends.join(', '))
    assert.doesNotMatch(field('Depends'), /nodejs/)
  })

  test('packaging/changelog starts with this version (changelog.gz in the .deb, %changelog in the .rpm)', () => {
    const top = /^loggingserver \(([^)]+)\)/.exec(readFileSync(path.join(repoRoot, 'packaging/changelog'), 'utf8'))
    assert.equal(top?.[1], version, 'add a packaging/changelog entry for the new version in package.json')
  })

  test('conffiles are the config|noreplace entries', () => {
    const conffiles = readFileSync(path.join(work, 'DEBIAN/conffiles'), 'utf8').trim().split('\n')
    assert.deepEqual(conffiles, ['/etc/loggingserver.yaml', '/etc/logrotate.d/loggingserver'])
    assert.deepEqual(conffiles, spec.conffiles)
  })

  test('modes: /usr/bin/loggingserver and node 0755, the addons 0644 and stripped, units 0644', () => {
    const mode = (p: string): string => output('stat', ['-c', '%a', path.join(debRoot, p)]).trim()
    assert.equal(mode('usr/bin/loggingserver'), '755')
    assert.equal(mode('usr/lib/loggingserver/node'), '755')
    const addon = 'usr/lib/loggingserver/node_modules/sd-notify/build/Release/notify.node'
    assert.equal(mode(addon), '644')
    assert.doesNotMatch(output('file', [path.join(debRoot, addon)]), /not stripped/)
    const fdStore = 'usr/lib/loggingserver/node_modules/loggingserver-fd-store/build/Release/fd_store.node'
    assert.equal(mode(fdStore), '644')
    assert.doesNotMatch(output('file', [path.join(debRoot, fdStore)]), /not stripped/)
    for (const u of UNITS) assert.equal(mode(`usr/lib/systemd/system/${u}`), '644')
  })

  test('the bundled node runs the packaged server (--version, --check-config of the shipped config)', () => {
    const node = path.join(debRoot, 'usr/lib/loggingserver/node')
    const main = path.join(debRoot, 'usr/lib/loggingserver/dist/src/loggingserver.js')
    assert.equal(output(node, [main, '--version']).trim(), `loggingserver ${version}`)
    assert.match(output(node, [main, '--check-config', '--config', path.join(debRoot, 'etc/loggingserver.yaml')]), /configuration OK/)
  })

  test('the packaged decode thread decodes a CPython frame with the bundled node (log.decode_threads)', () => {
    const node = path.join(debRoot, 'usr/lib/loggingserver/node')
    const worker = path.join(debRoot, 'usr/lib/loggingserver/dist/src/decode-worker.cjs')
    assert.equal(output('stat', ['-c', '%a', worker]).trim(), '644')
    const frame = output('python3', ['-c', "import logging, logging.handlers, sys; h = logging.handlers.SocketHandler('localhost', 1); sys.stdout.write(h.makePickle(logging.makeLogRecord({'name': 'pkg', 'msg': 'hello %s', 'args': ('thread',), 'levelname': 'WARNING', 'levelno': 30}))[4:].hex())"]).trim()
    // What the server does (decode-threads/pool.ts): the bundle's text, run with eval, one batch posted.
    const script = `
      const { Worker } = require('node:worker_threads')
      const code = require('node:fs').readFileSync(process.argv[1], 'utf8')
      const format = { style: 'text', format: '%(name)s %(levelname)s %(message)s', datefmt: null, utc: false, escape: true }
      const w = new Worker(code, { eval: true, workerData: { format } })
      const bytes = Buffer.from(process.argv[2], 'hex')
      w.postMessage({ kind: 'batch', id: 1, batch: { bytes: new Uint8Array(bytes), offsets: Int32Array.of(0, bytes.length), peer: '10.0.0.1', received: 1 } })
      w.on('message', (m) => { process.stdout.write(Buffer.from(m.outcome.bytes).toString()); w.terminate() })`
    assert.equal(output(node, ['-e', script, worker, frame]), 'pkg WARNING hello thread\n')
  })

  test('maintainer scripts pass sh -n and shellcheck', () => {
    for (const name of ['postinst', 'prerm', 'postrm']) {
      const file = path.join(work, 'DEBIAN', name)
      assert.equal(run('sh', ['-n', file]).status, 0, `sh -n ${name}`)
      const sc = run('shellcheck', ['-s', 'sh', file])
      assert.equal(sc.status, 0, `shellcheck ${name}:\n${sc.out}`)
    }
  })

  test('lintian: no errors (warnings listed)', (t) => {
    const { out } = run('lintian', ['--tag-display-limit', '0', deb])
    const tags = out.split('\n').filter((l) => /^[EWI]: /.test(l))
    t.diagnostic(`lintian: ${tags.length ? tags.join(' | ') : 'clean'}`)
    assert.deepEqual(tags.filter((l) => l.startsWith('E:')), [])
  })
})

describe('the systemd units', () => {
  test('systemd-analyze verify prints nothing (a warning is a failure: it exits 0 on them)', () => {
    // --root needs the targets the units refer to and the commands they run: the package over the host's units.
    const root = path.join(work, 'verify-root')
    cpSync(debRoot, root, { recursive: true })
    cpSync('/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), { recursive: true, force: false })
    mkdirSync(path.join(root, 'bin'), { recursive: true })
    cpSync('/bin/kill', path.join(root, 'bin/kill'))
    const { status, out } = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...UNITS])
    assert.equal(out, '')
    assert.equal(status, 0)
  })

  test('the packaged units are the repository units', () => {
    for (const u of UNITS) {
      assert.equal(readFileSync(path.join(debRoot, 'usr/lib/systemd/system', u), 'utf8'), readFileSync(path.join(repoRoot, 'systemd', u), 'utf8'))
    }
  })

  test('sockets: one per port, named log, web, tls, unix and udp, never PartOf=', () => {
    const log = readFileSync(path.join(repoRoot, 'systemd/loggingserver.socket'), 'utf8')
    const web = readFileSync(path.join(repoRoot, 'systemd/loggingserver-web.socket'), 'utf8')
    const tls = readFileSync(path.join(repoRoot, 'systemd/loggingserver-tls.socket'), 'utf8')
    const unix = readFileSync(path.join(repoRoot, 'systemd/loggingserver-unix.socket'), 'utf8')
    const udp = readFileSync(path.join(repoRoot, 'systemd/loggingserver-udp.socket'), 'utf8')
    assert.match(unix, /^ListenStream=\/run\/loggingserver\/log\.sock$/m)
    assert.match(unix, /^SocketMode=0660$/m)
    assert.match(unix, /^FileDescriptorName=unix$/m)
    assert.match(udp, /^ListenDatagram=9024$/m)
    assert.match(udp, /^FileDescriptorName=udp$/m)
    assert.match(log, /^ListenStream=9020$/m)
    assert.match(log, /^FileDescriptorName=log$/m)
    assert.match(web, /^ListenStream=9021$/m)
    assert.match(web, /^FileDescriptorName=web$/m)
    assert.match(tls, /^ListenStream=9022$/m)
    assert.match(tls, /^FileDescriptorName=tls$/m)
    // Opt-in: neither required by the service nor enabled with it (Sockets= would imply Wants=).
    const service = readFileSync(path.join(repoRoot, 'systemd/loggingserver.service'), 'utf8')
    assert.doesNotMatch(service, /loggingserver-(tls|unix|udp)\.socket/)
    for (const s of [log, web, tls, unix, udp]) {
      assert.match(s, /^Service=loggingserver\.service$/m)
      assert.doesNotMatch(s, /^PartOf=/m)
    }
  })

  test('service: no MemoryDenyWriteExecute= (V8 aborts) and no PrivateNetwork=', () => {
    const service = readFileSync(path.join(repoRoot, 'systemd/loggingserver.service'), 'utf8')
    assert.doesNotMatch(service, /^(MemoryDenyWriteExecute|PrivateNetwork)=/m)
    assert.match(service, /^RestartPreventExitStatus=78$/m)
  })

  test('the drop-in examples clear ListenStream= before narrowing it', () => {
    for (const f of ['loggingserver.socket.d/listen.conf', 'loggingserver-web.socket.d/listen.conf']) {
      const text = readFileSync(path.join(debRoot, 'usr/share/doc/loggingserver/examples', f), 'utf8')
      const listen = text.split('\n').filter((l) => l.startsWith('ListenStream='))
      assert.equal(listen[0], 'ListenStream=', f)
      assert.ok(listen.length > 1, f)
    }
  })

  test('ships the Grafana dashboard and the Prometheus rules, which promtool accepts', () => {
    const examples = path.join(debRoot, 'usr/share/doc/loggingserver/examples')
    const dashboard = JSON.parse(readFileSync(path.join(examples, 'grafana-dashboard.json'), 'utf8')) as { panels: unknown[] }
    assert.ok(dashboard.panels.length >= 6)
    const { out } = run('promtool', ['check', 'rules', path.join(examples, 'loggingserver.rules.yml')])
    assert.match(out, /SUCCESS: 5 rules found/)
  })

  test('ships the Python handler, demo client and recipes; the handler imports from there and the demo runs it', () => {
    const examples = path.join(debRoot, 'usr/share/doc/loggingserver/examples')
    const { out } = run('python3', ['-c', `import sys; sys.path.insert(0, sys.argv[1]); import loggingserver_handler as m
print(m.BufferingSocketHandler.__mro__[1].__name__)`, examples])
    assert.equal(out.trim(), 'SocketHandler')
    const demo = run('python3', [path.join(examples, 'loggingtest.py'), '--help'])
    assert.match(demo.out, /--handler \{stock,buffered\}/)
    for (const recipe of ['dictconfig_recipe.py', 'django_logging_settings.py', 'fileconfig_recipe.py', 'fileconfig_recipe.ini', 'queue_listener_recipe.py']) {
      assert.ok(existsSync(path.join(examples, recipe)), recipe)
    }
  })

  test('systemd-analyze security: exposure reported, at most 2.0', (t) => {
    const unit = path.join(debRoot, 'usr/lib/systemd/system/loggingserver.service')
    const { out } = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit])
    const score = /Overall exposure level for loggingserver\.service: ([\d.]+)/.exec(out)
    assert.ok(score, out)
    t.diagnostic(`systemd-analyze security: exposure ${score[1]}`)
    assert.ok(Number(score[1]) <= 2.0, `exposure ${score[1]}`)
  })
})

describe('the .rpm', () => {
  let spec: PackageSpec
  before(async () => (spec = await readSpec('rpm')))

  test('holds exactly the files packaging/nfpm.yaml lists (rpm -qpl)', () => {
    const listed = output('rpm', ['-qpl', rpm]).trim().split('\n')
    const dirs = new Set(output('rpm', ['-qp', '--qf', '[%{FILEMODES:perms} %{FILENAMES}\\n]', rpm]).split('\n')
      .filter((l) => l.startsWith('d')).map((l) => l.slice(l.indexOf(' ') + 1)))
    const files = listed.filter((f) => !dirs.has(f))
    assert.deepEqual(files.sort(), expectedPaths(spec).filter((p) => !spec.contents.some((c) => c.type === 'dir' && c.dst === p)))
    for (const c of spec.contents.filter((c) => c.type === 'dir')) assert.ok(dirs.has(c.dst), `${c.dst} directory`)
  })

  test('config files are %config(noreplace), requirements from nfpm.yaml', () => {
    assert.deepEqual(output('rpm', ['-qpc', rpm]).trim().split('\n'), spec.conffiles)
    const requires = output('rpm', ['-qpR', rpm])
    for (const d of spec.depends) assert.ok(requires.includes(d), d)
  })

  test('scriptlets pass sh -n and shellcheck', () => {
    for (const [hook, file] of Object.entries(spec.scripts)) {
      const abs = path.join(repoRoot, file)
      assert.equal(run('sh', ['-n', abs]).status, 0, `sh -n ${hook}`)
      const sc = run('shellcheck', ['-s', 'sh', abs])
      assert.equal(sc.status, 0, `shellcheck ${hook}:\n${sc.out}`)
    }
    assert.match(output('rpm', ['-qp', '--scripts', rpm]), /postinstall scriptlet/)
  })

  test('rpmlint: no errors (warnings listed)', (t) => {
    const { out } = run('rpmlint', ['-c', path.join(repoRoot, 'packaging/rpmlint.toml'), rpm])
    const lines = out.split('\n').filter((l) => /: [EW]: /.test(l))
    const warnings = [...new Set(lines.filter((l) => /: W: /.test(l)).map((l) => l.split(': W: ')[1]!.split(' ')[0]))]
    t.diagnostic(`rpmlint warnings: ${warnings.join(', ') || 'none'}`)
    assert.deepEqual(lines.filter((l) => /: E: /.test(l)), [])
    assert.match(out, / 0 errors/)
  })
})

test('npm clutter is pruned from node_modules, licenses kept', () => {
  const modules = path.join(debRoot, 'usr/lib/loggingserver/node_modules')
  const all = readdirSync(modules, { recursive: true }).map(String)
  assert.deepEqual(all.filter((f) => /\.(md|map|d\.ts|cc)$/.test(f) && !/licen[cs]e/i.test(f)), [])
  assert.ok(all.some((f) => /koa\/LICENSE$/.test(f)), 'koa/LICENSE')
  assert.ok(!existsSync(path.join(modules, '.bin')))
})
