// Build step: compiles the status page's script (src/web/client, its own tsconfig) and lays it out as the
// page loads it: flat under <dist>/src/web/client/ (served as /js/<name>.js), its modules beside the shared
// src/*.ts modules it imports (levels.js, text-caps.js). The API contract is type-only: its empty output stays behind.
// Usage: node scripts/build-client.mjs [dist dir, default dist]
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

export function buildClient(dist) {
  const staging = path.join(dist, 'web-client')
  const served = path.join(dist, 'src/web/client')
  rmSync(staging, { recursive: true, force: true })
  rmSync(served, { recursive: true, force: true }) // no stale module of an earlier build stays servable
  execFileSync('npx', ['tsc', '-p', 'src/web/client', '--outDir', staging], { cwd: ROOT, stdio: 'inherit' })
  mkdirSync(served, { recursive: true })
  for (const dir of [path.join(staging, 'web/client'), staging]) {
    for (const name of readdirSync(dir)) if (name.endsWith('.js')) copyFileSync(path.join(dir, name), path.join(served, name))
  }
  rmSync(staging, { recursive: true, force: true })
}

if (process.argv[1] === new URL(import.meta.url).pathname) buildClient(path.resolve(ROOT, process.argv[2] ?? 'dist'))
