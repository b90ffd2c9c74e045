// Reads packaging/nfpm.yaml the way nfpm does (${VAR} expansion, YAML 1.1 octal modes, per-packager
// overrides), so scripts/package.mjs and the package tests share one reading of the one description.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

/** nfpm's names for its script hooks → the deb maintainer script / rpm scriptlet they become. */
export const SCRIPT_NAMES = {
  deb: { preinstall: 'preinst', postinstall: 'postinst', preremove: 'prerm', postremove: 'postrm' },
  rpm: { preinstall: '%pre', postinstall: '%post', preremove: '%preun', postremove: '%postun' },
}

/**
 * @param {string} root repository root (nfpm.yaml's src paths are relative to it)
 * @param {'deb' | 'rpm'} packager
 * @param {Record<string, string | undefined>} env for ${VERSION} etc.
 */
export function readNfpm(root, packager, env = process.env) {
  const text = readFileSync(path.join(root, 'packaging/nfpm.yaml'), 'utf8')
  const expanded = text.replace(/\$\{(\w+)\}/g, (_, name) => {
    const value = env[name]
    if (value === undefined) throw new Error(`packaging/nfpm.yaml: \${${name}} is not set`)
    return value
  })
  // nfpm (go-yaml) reads `mode: 0644` as octal, as YAML 1.1 does.
  const doc = parse(expanded, { version: '1.1' })
  const over = doc.overrides?.[packager] ?? {}
  const pick = (key) => over[key] ?? doc[key] ?? []
  const contents = [...(doc.contents ?? []), ...(over.contents ?? [])]
    .filter((c) => !c.packager || c.packager === packager)
    .map((c) => ({ src: c.src, dst: c.dst, type: c.type ?? 'file', mode: c.file_info?.mode }))
  for (const c of contents) {
    if (!c.dst?.startsWith('/')) throw new Error(`packaging/nfpm.yaml: dst must be absolute: ${c.dst}`)
    if (c.type !== 'dir' && !c.src) throw new Error(`packaging/nfpm.yaml: ${c.dst} has no src`)
  }
  const [summary, ...rest] = String(doc.description).split('\n')
  return {
    name: doc.name,
    version: String(doc.version),
    release: doc.release === undefined ? undefined : String(doc.release),
    arch: doc.arch,
    section: doc.section,
    priority: doc.priority,
    maintainer: doc.maintainer,
    vendor: doc.vendor,
    homepage: doc.homepage,
    license: doc.license,
    summary: (packager === 'rpm' && doc.rpm?.summary) || summary,
    longDescription: rest.join('\n').trim(),
    rpmGroup: doc.rpm?.group,
    depends: pick('depends'),
    recommends: pick('recommends'),
    suggests: pick('suggests'),
    conflicts: pick('conflicts'),
    scripts: over.scripts ?? doc.scripts ?? {},
    contents,
    /** Paths of conffiles: nfpm's `config` and `config|noreplace` (dpkg treats both alike). */
    conffiles: contents.filter((c) => c.type.startsWith('config')).map((c) => c.dst),
  }
}
