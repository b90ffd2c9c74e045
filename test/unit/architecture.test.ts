// Keeps the one-way dependencies of ARCHITECTURE.md true: a room may import (at run time) only the rooms
// listed for it. Type-only imports are free: they vanish at compile time and create no coupling at run time.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { repoRoot } from '../support/server.js'

const SHARED = ['py-value', 'record', 'errors']
const ALLOWED: Record<string, string[]> = {
  'py-value': [],
  'diagnostic-codes': [],
  errors: [],
  // CPython's level table and the page's level classes, for record, web and the page: the page loads it as /js/levels.js, so it imports nothing.
  levels: [],
  // Every cap on record texts from the ring to the page, chosen against each other; the page loads it too, so it imports nothing.
  'text-caps': [],
  record: ['py-value', 'levels'],
  dispatcher: ['record'],
  config: ['errors', 'format'],
  ingest: [...SHARED, 'systemd'],
  format: ['py-value', 'record'],
  sinks: ['record', 'format', 'errors'],
  status: [...SHARED, 'text-caps'],
  web: [...SHARED, 'status', 'config', 'format', 'levels', 'text-caps', 'systemd'],
  systemd: ['diagnostic-codes'],
}

/** What the page's script (src/web/client) may import: it runs in the browser from /js/, beside nothing else. */
const CLIENT_RUNTIME = ['levels', 'text-caps']
const CLIENT_TYPES = ['../api-contract.js']

function roomOf(file: string): string {
  const rel = path.relative(path.join(repoRoot, 'src'), file)
  const first = rel.split(path.sep)[0]!
  return first.replace(/\.ts$/, '')
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'client' ? [] : sources(full)
    return name.endsWith('.ts') ? [full] : []
  })
}

describe('room dependencies', () => {
  it('import only the rooms ARCHITECTURE.md allows', () => {
    const violations: string[] = []
    for (const file of sources(path.join(repoRoot, 'src'))) {
      const room = roomOf(file)
      if (room === 'main' || room === 'server') continue
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = roomOf(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
        if (target !== room && !(ALLOWED[room] ?? []).includes(target)) violations.push(`${path.relative(repoRoot, file)} imports ${m[1]} (room ${target})`)
      }
    }
    assert.deepEqual(violations, [])
  })

  it("keep the page's script to its siblings, the shared modules it is served with, and the API contract", () => {
    const dir = path.join(repoRoot, 'src/web/client')
    const violations: string[] = []
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, name), 'utf8')
      for (const m of text.matchAll(/^import\s+(type\s)?[^'"]*?from\s+'([^']+)'/gm)) {
        const [, typeOnly, spec] = m as unknown as [string, string | undefined, string]
        const sibling = /^\.\/[a-z-]+\.js$/.test(spec) ? spec.slice(2, -3) : null
        const ok = typeOnly ? CLIENT_TYPES.includes(spec) || sibling !== null : sibling !== null
        // A sibling that is not in the client dir is a shared src/ module (tsconfig rootDirs): only those listed.
        const shared = sibling !== null && !readdirSync(dir).includes(`${sibling}.ts`)
        if (!ok || (shared && !CLIENT_RUNTIME.includes(sibling))) violations.push(`${name} imports ${spec}`)
      }
    }
    assert.deepEqual(violations, [])
  })

  it('keep the shared page modules free of imports and the API contract type-only', () => {
    for (const room of CLIENT_RUNTIME) assert.doesNotMatch(readFileSync(path.join(repoRoot, `src/${room}.ts`), 'utf8'), /^import\s/m, room)
    const contract = readFileSync(path.join(repoRoot, 'src/web/api-contract.ts'), 'utf8')
    assert.doesNotMatch(contract, /^import\s/m, 'the page compiles the contract in: it must not pull server modules along')
    const exports = [...contract.matchAll(/^export\s+(\w+)/gm)].map((m) => m[1])
    assert.deepEqual([...new Set(exports)].sort(), ['interface', 'type'])
  })

  it('has no barrel index.ts files', () => {
    assert.deepEqual(sources(path.join(repoRoot, 'src')).filter((f) => path.basename(f) === 'index.ts'), [])
  })
})
