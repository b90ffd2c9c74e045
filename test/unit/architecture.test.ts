// Keeps ARCHITECTURE.md true: reads its "Rooms" table (room | owns | imports | type-only imports) and fails on
// any import between rooms it does not list — type-only imports included, since a type couples two rooms as
// surely as a call — and on any listed edge that no file uses any more, so the document stays exact.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { repoRoot } from '../support/server.js'

interface RoomRule {
  imports: Set<string>
  typeImports: Set<string>
}

/** The rows of the table under "## Rooms" in ARCHITECTURE.md. */
function roomTable(): Map<string, RoomRule> {
  const text = readFileSync(path.join(repoRoot, 'ARCHITECTURE.md'), 'utf8')
  const section = text.slice(text.indexOf('\n## Rooms'), text.indexOf('\n## ', text.indexOf('\n## Rooms') + 1))
  const rooms = new Map<string, RoomRule>()
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim())
    if (cells.length !== 4 || !cells[0]!.startsWith('`')) continue
    const list = (cell: string): Set<string> => new Set(cell === '—' ? [] : cell.split(',').map((x) => x.trim()))
    rooms.set(cells[0]!.replaceAll('`', ''), { imports: list(cells[2]!), typeImports: list(cells[3]!) })
  }
  return rooms
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
  const table = roomTable()

  it('reads a row for every room of src/, and no row for a room that is gone', () => {
    const present = new Set(sources(path.join(repoRoot, 'src')).map(roomOf))
    assert.deepEqual([...table.keys()].sort(), [...present].sort())
    assert.ok(table.size >= 10)
  })

  it('import only the rooms ARCHITECTURE.md lists, and every listed edge is used', () => {
    const violations: string[] = []
    const used = new Set<string>()
    for (const file of sources(path.join(repoRoot, 'src'))) {
      const room = roomOf(file)
      const rule = table.get(room)
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/^import\s+(type\s)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const typeOnly = m[1] !== undefined || /^import\s+\{[^}]*\}/.test(m[0]) && [...m[0].matchAll(/[{,]\s*(?!type\s)\w/g)].length === 0
        const target = roomOf(path.resolve(path.dirname(file), m[2]!.replace(/\.js$/, '.ts')))
        if (target === room) continue
        used.add(`${room} ${typeOnly ? 'type' : 'run'} ${target}`)
        const allowed = rule !== undefined && (rule.imports.has(target) || (typeOnly && rule.typeImports.has(target)))
        if (!allowed) violations.push(`${path.relative(repoRoot, file)} imports ${m[2]} (room ${target}${typeOnly ? ', types only' : ''})`)
      }
    }
    assert.deepEqual(violations, [])
    const stale: string[] = []
    for (const [room, rule] of table) {
      for (const target of rule.imports) if (!used.has(`${room} run ${target}`)) stale.push(`${room} imports ${target}`)
      for (const target of rule.typeImports) if (!used.has(`${room} type ${target}`) && !used.has(`${room} run ${target}`)) stale.push(`${room} type-imports ${target}`)
    }
    assert.deepEqual(stale, [], 'edges ARCHITECTURE.md lists but no file uses: remove them from the table')
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
