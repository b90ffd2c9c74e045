#!/usr/bin/env node
// npm run package: builds dist/packages/loggingserver_<version>_amd64.deb and loggingserver-<version>-1.x86_64.rpm
// from packaging/nfpm.yaml — with nfpm when it is on PATH, else with dpkg-deb and rpmbuild reading the same file.
// First stages dist/pkgroot/: a clean compile, production node_modules (sd-notify and our fd-store addon built for
// this node), the runtime.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildClient } from './build-client.mjs'
import { bundle } from './bundle.mjs'
import { readNfpm, SCRIPT_NAMES } from './nfpm-config.mjs'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const OUT = path.join(ROOT, 'dist/packages')
const STAGE = path.join(ROOT, 'dist/pkgroot')
const LIB = path.join(STAGE, 'usr/lib/loggingserver')
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
const env = { ...process.env, VERSION: pkg.version }

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts })
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const T0 = Date.now()
const log = (m) => process.stdout.write(`package: [${((Date.now() - T0) / 1000).toFixed(1)} s] ${m}\n`)

await stage()
mkdirSync(OUT, { recursive: true })
if (onPath('nfpm')) {
  for (const p of ['deb', 'rpm']) run('nfpm', ['package', '--config', 'packaging/nfpm.yaml', '--packager', p, '--target', OUT], { env })
} else {
  log('nfpm is not on PATH: building the same packages with dpkg-deb and rpmbuild from packaging/nfpm.yaml')
  buildDeb(readNfpm(ROOT, 'deb', env))
  buildRpm(readNfpm(ROOT, 'rpm', env))
}

async function stage() {
  rmSync(STAGE, { recursive: true, force: true })
  log('compiling')
  // A clean compile of its own, so stale files in the shared dist/ never reach the package.
  const build = path.join(ROOT, 'dist/pkgbuild')
  rmSync(build, { recursive: true, force: true })
  run('npx', ['tsc', '-p', '.', '--outDir', build])
  buildClient(build)
  const bundled = await bundle(build)
  mkdirSync(LIB, { recursive: true })
  // The server is one file (scripts/bundle.mjs); beside it only what the page serves: static/ and client/.
  mkdirSync(path.join(LIB, 'dist/src/web'), { recursive: true })
  copyFileSync(path.join(build, 'src/loggingserver.js'), path.join(LIB, 'dist/src/loggingserver.js'))
  // The decode thread's own bundle (log.decode_threads), read by the server at start.
  copyFileSync(path.join(build, 'src/decode-worker.cjs'), path.join(LIB, 'dist/src/decode-worker.cjs'))
  cpSync(path.join(build, 'src/web/client'), path.join(LIB, 'dist/src/web/client'), { recursive: true, filter: (f) => !/\.(map|d\.ts)$/.test(f) })
  cpSync(path.join(ROOT, 'src/web/static'), path.join(LIB, 'dist/src/web/static'), { recursive: true })
  rmSync(build, { recursive: true, force: true })
  // main.js reads its version from ../../package.json, and "type": "module" makes dist/ ESM.
  const { name, version, description, license, type, dependencies, optionalDependencies, allowScripts } = pkg
  const manifest = { name, version, description, license, private: true, type, dependencies, optionalDependencies, allowScripts }
  writeFileSync(path.join(LIB, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(LIB, 'package-lock.json'))
  // Our fd-store addon is a file: dependency (src/systemd/native): its sources where the lock file says.
  const nativeSrc = path.join(LIB, 'src/systemd/native')
  mkdirSync(nativeSrc, { recursive: true })
  for (const f of ['package.json', 'binding.gyp', 'fd_store.c']) copyFileSync(path.join(ROOT, 'src/systemd/native', f), path.join(nativeSrc, f))
  // Production dependencies exactly as locked; npm runs sd-notify's node-gyp build (allowScripts) for this node.
  run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: LIB })
  rmSync(path.join(LIB, 'package-lock.json'))
  rmSync(path.join(LIB, 'node_modules/.package-lock.json'), { force: true })
  const addon = path.join(LIB, 'node_modules/sd-notify/build/Release/notify.node')
  if (!existsSync(addon)) throw new Error('sd-notify did not build (is libsystemd-dev installed?): the package needs it for Type=notify')
  // Keep only the built addon from the node-gyp tree (Makefiles and config.gypi name build paths).
  const release = path.join(LIB, 'node_modules/sd-notify/build')
  const kept = readFileSync(addon)
  rmSync(release, { recursive: true })
  mkdirSync(path.dirname(addon), { recursive: true })
  writeFileSync(addon, kept)
  run('strip', ['--strip-unneeded', addon])
  // npm links a file: dependency; the package holds a plain directory with the stripped addon instead.
  const fdStore = path.join(LIB, 'node_modules/loggingserver-fd-store')
  const fdStoreAddon = path.join(realpathSync(fdStore), 'build/Release/fd_store.node')
  if (!existsSync(fdStoreAddon)) throw new Error('the fd-store addon (src/systemd/native) did not build (is libsystemd-dev installed?): the package needs it to hand connections over at a restart')
  const fdStoreBuilt = readFileSync(fdStoreAddon)
  rmSync(fdStore)
  mkdirSync(path.join(fdStore, 'build/Release'), { recursive: true })
  copyFileSync(path.join(ROOT, 'src/systemd/native/package.json'), path.join(fdStore, 'package.json'))
  writeFileSync(path.join(fdStore, 'build/Release/fd_store.node'), fdStoreBuilt)
  run('strip', ['--strip-unneeded', path.join(fdStore, 'build/Release/fd_store.node')])
  rmSync(path.join(LIB, 'src'), { recursive: true })
  removeBins(path.join(LIB, 'node_modules'))
  prune(path.join(LIB, 'node_modules'))
  keepOnlyLicenses(path.join(LIB, 'node_modules'), bundledPackages(bundled))
  // The bundle is run by /usr/bin/loggingserver with the packaged node: its `#!/usr/bin/env node` would only
  // point at a nodejs the package does not depend on.
  const main = path.join(LIB, 'dist/src/loggingserver.js')
  writeFileSync(main, readFileSync(main, 'utf8').replace(/^#!.*\n/, ''))
  chmodSync(main, 0o644) // esbuild makes a file with a #! executable; without one it is data for the node binary
  // For web.auth: /usr/lib/loggingserver/node /usr/lib/loggingserver/scripts/hash-password.mjs (same reason).
  mkdirSync(path.join(LIB, 'scripts'))
  writeFileSync(path.join(LIB, 'scripts/hash-password.mjs'), readFileSync(path.join(ROOT, 'scripts/hash-password.mjs'), 'utf8').replace(/^#!.*\n/, ''))
  // The runtime the addon was built against (this node), stripped: Debian 12's nodejs is 18.
  const node = path.join(LIB, 'node')
  copyFileSync(process.execPath, node)
  run('strip', ['--strip-unneeded', node])
  const staged = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  if (staged !== process.version) throw new Error(`stripped node says ${staged}`)
  normaliseModes(STAGE)
  chmodSync(node, 0o755)
  // Smoke test of the staged tree with the staged node: imports every dependency the config path needs.
  execFileSync(node, [main, '--check-config', '--config', path.join(ROOT, 'etc/loggingserver.yaml')], { stdio: 'inherit' })
  execFileSync(node, ['-e', 'require(process.argv[1]); require("loggingserver-fd-store").memfdCreate("smoke")', path.join(LIB, 'node_modules/sd-notify')], { cwd: LIB, stdio: 'inherit' })
  writeFileSync(path.join(STAGE, 'LICENSE.nodejs'), readFileSync(nodeLicense()))
  // gzip -9n equivalent: zlib writes no name and mtime 0.
  writeFileSync(path.join(STAGE, 'changelog.gz'), gzipSync(readFileSync(path.join(ROOT, 'packaging/changelog')), { level: 9 }))
  writeFileSync(path.join(STAGE, 'loggingserver.1.gz'), gzipSync(readFileSync(path.join(ROOT, 'packaging/loggingserver.1')), { level: 9 }))
  log(`staged ${path.relative(ROOT, LIB)} (node ${process.version})`)
}

/** The npm packages esbuild put into the bundle, by their directory under node_modules (from its metafile). */
function bundledPackages(metafile) {
  const dirs = new Set()
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*)\//.exec(input)
    if (m) dirs.add(m[1])
  }
  return dirs
}

/**
 * A bundled package's code is in dist/src/loggingserver.js: of its directory only package.json (name, version,
 * authors) and its license file stay, which MIT and ISC require to ship with the code.
 */
function keepOnlyLicenses(modules, packages) {
  for (const pkgDir of packages) {
    const dir = path.join(modules, pkgDir)
    if (!existsSync(dir)) continue
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue // nested packages are listed on their own
      if (entry.isFile() && (entry.name === 'package.json' || /^licen[cs]e|^copying/i.test(entry.name))) continue
      rmSync(path.join(dir, entry.name), { recursive: true })
    }
  }
}

/** Dependencies' command-line tools (package.json "bin"): the server imports none of them. */
function removeBins(modules) {
  for (const dir of readdirSync(modules, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name.startsWith('.')) continue
    if (dir.name.startsWith('@')) { removeBins(path.join(modules, dir.name)); continue }
    const manifest = path.join(modules, dir.name, 'package.json')
    if (!existsSync(manifest)) continue
    const { bin } = JSON.parse(readFileSync(manifest, 'utf8'))
    for (const file of typeof bin === 'string' ? [bin] : Object.values(bin ?? {})) rmSync(path.join(modules, dir.name, file), { force: true })
    if (existsSync(path.join(modules, dir.name, 'node_modules'))) removeBins(path.join(modules, dir.name, 'node_modules'))
  }
}

/**
 * npm clutter nobody runs: docs, tests and examples at a package's root (deeper directories of those names
 * can be code, e.g. yaml's dist/doc), markdown, source maps, type declarations, the addon's C++ sources,
 * dotfiles. License files stay: MIT and ISC require them.
 */
function prune(dir, packageRoot = false) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (/^licen[cs]e|^copying/i.test(entry.name)) continue
    if (entry.isDirectory()) {
      if (entry.name === '.bin' || (packageRoot && /^(test|tests|__tests__|docs?|examples?|\.github)$/.test(entry.name))) rmSync(p, { recursive: true })
      else prune(p, path.basename(dir) === 'node_modules' || (path.basename(path.dirname(dir)) === 'node_modules' && dir.includes('/@')))
    } else if (entry.isFile() && (/\.(md|markdown|map|ts|mts|cts|cc|h|gyp|gypi)$/i.test(entry.name) || /^(\.[^.]|Makefile$|AUTHORS$|HISTORY|CHANGELOG)/.test(entry.name))) {
      rmSync(p)
    }
  }
}

/** Regular files 0644 (0755 when executable by the owner), directories 0755, whatever the umask was. */
function normaliseModes(dir) {
  chmodSync(dir, 0o755)
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) normaliseModes(p)
    else if (entry.isFile()) chmodSync(p, p.endsWith('.node') ? 0o644 : statSync(p).mode & 0o100 ? 0o755 : 0o644)
  }
}

function nodeLicense() {
  const candidates = ['/usr/share/doc/nodejs/LICENSE', path.join(path.dirname(process.execPath), '../LICENSE'),
    path.join(path.dirname(process.execPath), '../share/doc/node/LICENSE')]
  const found = candidates.find((f) => existsSync(f))
  if (!found) throw new Error(`no Node.js LICENSE found (looked in ${candidates.join(', ')})`)
  return found
}

/** Lays out every nfpm.yaml content entry for `packager` under `dest`; returns them with their file modes. */
function layout(spec, dest) {
  for (const c of spec.contents) {
    const to = path.join(dest, c.dst)
    if (c.type === 'dir') mkdirSync(to, { recursive: true, mode: c.mode ?? 0o755 })
    else if (c.type === 'tree') cpSync(path.join(ROOT, c.src), to, { recursive: true })
    else if (['file', 'config', 'config|noreplace'].includes(c.type)) {
      mkdirSync(path.dirname(to), { recursive: true })
      copyFileSync(path.join(ROOT, c.src), to)
    } else throw new Error(`packaging/nfpm.yaml: content type ${c.type} is not supported without nfpm`)
  }
  normaliseModes(dest)
  for (const c of spec.contents) if (c.mode !== undefined) chmodSync(path.join(dest, c.dst), c.mode)
  chmodSync(path.join(dest, 'usr/lib/loggingserver/node'), 0o755)
}

function files(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p, base) : [path.relative(base, p)]
  }).sort()
}

function buildDeb(spec) {
  const root = path.join(OUT, 'deb-root')
  rmSync(root, { recursive: true, force: true })
  layout(spec, root)
  const debian = path.join(root, 'DEBIAN')
  mkdirSync(debian, { mode: 0o755 })
  const installedKiB = Math.ceil(files(root).reduce((n, f) => n + statSync(path.join(root, f)).size, 0) / 1024)
  const desc = spec.longDescription.split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n')
  const fields = [
    ['Package', spec.name], ['Version', spec.release ? `${spec.version}-${spec.release}` : spec.version],
    ['Section', spec.section], ['Priority', spec.priority], ['Architecture', spec.arch],
    ['Maintainer', spec.maintainer], ['Installed-Size', installedKiB],
    ['Depends', spec.depends.join(', ')], ['Recommends', spec.recommends.join(', ')],
    ['Suggests', spec.suggests.join(', ')], ['Conflicts', spec.conflicts.join(', ')], ['Homepage', spec.homepage],
  ]
  const control = fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}\n`).join('')
  writeFileSync(path.join(debian, 'control'), `${control}Description: ${spec.summary}\n${desc}\n`)
  if (spec.conffiles.length) writeFileSync(path.join(debian, 'conffiles'), spec.conffiles.map((f) => `${f}\n`).join(''))
  const sums = files(root).filter((f) => !f.startsWith('DEBIAN/') && !spec.conffiles.includes(`/${f}`))
    .map((f) => `${createHash('md5').update(readFileSync(path.join(root, f))).digest('hex')}  ${f}\n`)
  writeFileSync(path.join(debian, 'md5sums'), sums.join(''))
  for (const [hook, name] of Object.entries(SCRIPT_NAMES.deb)) {
    if (!spec.scripts[hook]) continue
    copyFileSync(path.join(ROOT, spec.scripts[hook]), path.join(debian, name))
    chmodSync(path.join(debian, name), 0o755)
  }
  for (const f of readdirSync(debian)) if (!Object.values(SCRIPT_NAMES.deb).includes(f)) chmodSync(path.join(debian, f), 0o644)
  const out = path.join(OUT, `${spec.name}_${spec.release ? `${spec.version}-${spec.release}` : spec.version}_${spec.arch}.deb`)
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, out], { stdio: ['ignore', 'ignore', 'inherit'] })
  rmSync(root, { recursive: true })
  log(`built ${path.relative(ROOT, out)}`)
}

/** packaging/changelog (Debian format) as %changelog entries: nfpm would take them from its changelog: option. */
function rpmChangelog(release) {
  const text = readFileSync(path.join(ROOT, 'packaging/changelog'), 'utf8')
  const entries = text.split(/^(?=\S)/m).filter((e) => e.trim())
  return entries.flatMap((e) => {
    const version = /^\S+ \(([^)]+)\)/.exec(e)?.[1]
    const trailer = /^ -- (.+?)  (.+)$/m.exec(e)
    if (!version || !trailer) throw new Error(`packaging/changelog: cannot read entry ${e.slice(0, 40)}`)
    const d = new Date(trailer[2])
    const day = d.toUTCString().slice(0, 3) + ' ' + d.toUTCString().slice(8, 11) + ' ' + String(d.getUTCDate()).padStart(2, '0') + ' ' + d.getUTCFullYear()
    const items = e.split('\n').filter((l) => /^ {2}\S/.test(l) || /^ {4}\S/.test(l)).map((l) => l.replace(/^ {2}\* /, '- ').replace(/^ {4}/, '  '))
    return [`* ${day} ${trailer[1]} - ${version.includes('-') ? version : `${version}-${release}`}`, ...items, '']
  })
}

function buildRpm(spec) {
  const arch = { amd64: 'x86_64', arm64: 'aarch64' }[spec.arch] ?? spec.arch
  const release = spec.release ?? '1'
  const top = path.join(OUT, 'rpmbuild')
  const tree = path.join(top, 'tree')
  rmSync(top, { recursive: true, force: true })
  layout(spec, tree)
  const entry = (c) => {
    const attr = `%attr(${(statSync(path.join(tree, c.dst)).mode & 0o7777).toString(8).padStart(4, '0')},root,root)`
    if (c.type === 'dir') return `%dir ${attr} ${c.dst}`
    if (c.type === 'config') return `%config ${attr} ${c.dst}`
    if (c.type === 'config|noreplace') return `%config(noreplace) ${attr} ${c.dst}`
    return c.type === 'tree' ? c.dst : `${attr} ${c.dst}` // a directory entry owns its whole tree, modes as staged
  }
  const script = (hook) => spec.scripts[hook] ? `${SCRIPT_NAMES.rpm[hook]}\n${readFileSync(path.join(ROOT, spec.scripts[hook]), 'utf8')}\n` : ''
  const spec_ = [
    // nfpm's rpm: no automatic requirements, no debuginfo, no brp scripts touching the staged files.
    '%global debug_package %{nil}', '%global __os_install_post %{nil}', '%define _build_id_links none',
    `Name: ${spec.name}`, `Version: ${spec.version}`, `Release: ${release}`, `Summary: ${spec.summary}`,
    `License: ${spec.license}`, spec.rpmGroup && `Group: ${spec.rpmGroup}`, spec.homepage && `URL: ${spec.homepage}`,
    spec.vendor && `Vendor: ${spec.vendor}`, `Packager: ${spec.maintainer}`, `BuildArch: ${arch}`, 'AutoReqProv: no',
    ...spec.depends.map((d) => `Requires: ${d}`), ...spec.recommends.map((d) => `Recommends: ${d}`),
    ...spec.suggests.map((d) => `Suggests: ${d}`), ...spec.conflicts.map((d) => `Conflicts: ${d}`),
    '', '%description', spec.longDescription, '',
    '%install', `cp -a '${tree}/.' "%{buildroot}/"`, '',
    '%files', '%defattr(-,root,root,-)', ...spec.contents.map(entry), '',
    script('preinstall'), script('postinstall'), script('preremove'), script('postremove'),
    '%changelog', ...rpmChangelog(release),
  ].filter((l) => l !== undefined && l !== false).join('\n')
  const specFile = path.join(top, `${spec.name}.spec`)
  writeFileSync(specFile, spec_)
  run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_rpmdir ${OUT}`,
    '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    // xz like the .deb, but on every core (T): the payload is mostly the 86 MB node binary.
    '--define', '_binary_payload w6T.xzdio', specFile])
  rmSync(top, { recursive: true })
  log(`built ${path.relative(ROOT, path.join(OUT, `${spec.name}-${spec.version}-${release}.${arch}.rpm`))}`)
}
