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
  record: ['py-value'],
  dispatcher: ['record'],
  config: ['errors', 'format'],
  ingest: SHARED,
  format: ['py-value', 'record'],
  sinks: ['record', 'format', 'errors'],
  status: SHARED,
  web: [...SHARED, 'status', 'config', 'format'],
  systemd: ['diagnostic-codes'],
}

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
      if (room === 'main') continue
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = roomOf(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')))
        if (target !== room && !(ALLOWED[room] ?? []).includes(target)) violations.push(`${path.relative(repoRoot, file)} imports ${m[1]} (room ${target})`)
      }
    }
    assert.deepEqual(violations, [])
  })

  it('has no barrel index.ts files', () => {
    assert.deepEqual(sources(path.join(repoRoot, 'src')).filter((f) => path.basename(f) === 'index.ts'), [])
  })
})
