// Every regular expression in src/ is checked for super-linear backtracking by recheck (a sound ReDoS checker,
// its pure-JS backend: no binary, no JVM). A nested-quantifier rule would not do: the quadratic `\d+\.?\d*`
// that froze ingest for 26 s on one frame has none. Patterns are found with the TypeScript parser, so a
// regex in any file is covered; a RegExp built at run time must be listed in DYNAMIC with its real values.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import ts from 'typescript'
import { timedBackupPattern } from '../../src/sinks/rotation.js'
import { repoRoot } from '../support/server.js'

process.env['RECHECK_BACKEND'] = 'pure'
const { check } = await import('recheck')

/** Where src/ builds a RegExp from a string, and every pattern it can build. */
const DYNAMIC: Record<string, () => RegExp[]> = {
  'src/sinks/rotation.ts': () => (['S', 'M', 'H', 'D', 'midnight', 'W0'] as const).map((when) => timedBackupPattern(when)),
}

interface Found {
  where: string
  source: string
  flags: string
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return sources(full)
    return name.endsWith('.ts') ? [full] : []
  })
}

function regexesIn(file: string): { literals: Found[]; dynamic: string[] } {
  const text = readFileSync(file, 'utf8')
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const rel = path.relative(repoRoot, file)
  const literals: Found[] = []
  const dynamic: string[] = []
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sf)
      const slash = literal.lastIndexOf('/')
      literals.push({ where: `${rel}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`, source: literal.slice(1, slash), flags: literal.slice(slash + 1) })
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText(sf) === 'RegExp') {
      dynamic.push(`${rel}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return { literals, dynamic }
}

describe('regular expressions in src/', () => {
  const found: Found[] = []
  const dynamicFiles = new Set<string>()
  for (const file of sources(path.join(repoRoot, 'src'))) {
    const { literals, dynamic } = regexesIn(file)
    found.push(...literals)
    for (const where of dynamic) dynamicFiles.add(where.replace(/:\d+$/, ''))
  }
  for (const [file, build] of Object.entries(DYNAMIC)) {
    build().forEach((re, i) => found.push({ where: `${file} (built #${i + 1})`, source: re.source, flags: re.flags }))
  }

  it('finds the patterns it is meant to check', () => {
    assert.ok(found.length >= 10, `only ${found.length} found`)
    assert.ok(found.some((f) => f.where.startsWith('src/ingest/pickle-scalars.ts')))
  })

  it('builds RegExps at run time only where DYNAMIC lists them', () => {
    assert.deepEqual([...dynamicFiles].filter((f) => !(f in DYNAMIC)), [])
  })

  it('has none that backtracks super-linearly', async () => {
    const unsafe: string[] = []
    for (const { where, source, flags } of found) {
      const result = await check(source, flags, { timeout: 10_000 })
      if (result.status !== 'safe') {
        const detail = result.status === 'vulnerable' ? `${result.complexity.type}, attack ${JSON.stringify(result.attack.pattern)}` : result.error?.kind
        unsafe.push(`${where}: /${source}/${flags}: ${result.status} (${detail})`)
      }
    }
    assert.deepEqual(unsafe, [])
  })

  it('would catch the quadratic float pattern that froze ingest', async () => {
    const result = await check('^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$', '')
    assert.equal(result.status, 'vulnerable')
  })
})
