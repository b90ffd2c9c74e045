// Where `npm run package` put the packages, and what packaging/nfpm.yaml says they contain. Not a test file:
// Node 20 runs only the *.test.js files listed in the test:package script.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
export const deb = path.join(repoRoot, `dist/packages/loggingserver_${version}_amd64.deb`)
export const rpm = path.join(repoRoot, `dist/packages/loggingserver-${version}-1.x86_64.rpm`)

export interface Content { src?: string; dst: string; type: string; mode?: number }
export interface PackageSpec {
  name: string
  version: string
  depends: string[]
  contents: Content[]
  conffiles: string[]
  scripts: Record<string, string>
}

/** scripts/nfpm-config.mjs, the same reader the package build uses. */
export async function readSpec(packager: 'deb' | 'rpm'): Promise<PackageSpec> {
  const url = pathToFileURL(path.join(repoRoot, 'scripts/nfpm-config.mjs')).href
  const mod = (await import(url)) as { readNfpm(root: string, p: string, env: Record<string, string>): PackageSpec }
  return mod.readNfpm(repoRoot, packager, { VERSION: version })
}

/** Every file path (absolute, as installed) that nfpm.yaml puts in the package; `type: dir` entries too. */
export function expectedPaths(spec: PackageSpec): string[] {
  const out: string[] = []
  for (const c of spec.contents) {
    if (c.type === 'tree') for (const f of walk(path.join(repoRoot, c.src ?? ''))) out.push(path.posix.join(c.dst, f))
    else out.push(c.dst)
  }
  return out.sort()
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? walk(p, base) : [path.relative(base, p)]
  })
}

/** Runs a command, returning stdout + stderr and the exit status (never throws on a non-zero exit). */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts })
  if (r.error) throw r.error
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

export function output(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}
