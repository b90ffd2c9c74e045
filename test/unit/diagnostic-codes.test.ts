// README's "Diagnostic codes" table is what operators read; the catalogue is what the server prints. This
// keeps them the same, row for row, and the codes themselves stable-looking and tied to the reject codes.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { CATALOGUE } from '../../src/diagnostic-codes.js'
import { diagnosticCodeOf, REJECT_CODES } from '../../src/errors.js'
import { repoRoot } from '../support/server.js'

const entries = Object.entries(CATALOGUE)

/** The rows of the first table under "## Diagnostic codes", as [code, priority, meaning, what to do]. */
function readmeRows(): string[][] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const section = readme.split(/^## /m).find((s) => s.startsWith('Diagnostic codes\n'))
  assert.ok(section, 'README has no "## Diagnostic codes" section')
  const table = section.split('\n').filter((line) => line.startsWith('|'))
  assert.deepEqual(table[0]?.split('|').map((c) => c.trim()), ['', 'code', 'priority', 'meaning', 'what to do', ''])
  return table.slice(2).map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()))
}

function expectedRows(): string[][] {
  return entries.map(([code, e]) => [`\`${code}\``, e.priority, e.meaning, e.action])
}

describe('diagnostic catalogue', () => {
  it('is the README table exactly: every code, priority, meaning and action, in order', () => {
    const expected = expectedRows()
    const paste = expected.map((r) => `| ${r.join(' | ')} |`).join('\n')
    assert.deepEqual(readmeRows(), expected, `README's table should read:\n${paste}`)
  })

  it('has SCREAMING-KEBAB LS- codes and one-line texts without table pipes', () => {
    for (const [code, e] of entries) {
      assert.match(code, /^LS-[A-Z]+(-[A-Z]+)*$/)
      for (const text of [e.meaning, e.action]) {
        assert.ok(text.length > 0 && !/[|\n]/.test(text), `${code}: ${text}`)
      }
    }
  })

  it('gives every reject code an entry at warning, for its log line', () => {
    for (const reject of REJECT_CODES) {
      const code = diagnosticCodeOf(reject)
      assert.equal(code, `LS-${reject.replaceAll('_', '-')}`)
      assert.equal(CATALOGUE[code].priority, 'warning', code)
    }
  })

  it('is used: every code appears in src/ outside the catalogue', () => {
    const src = path.join(repoRoot, 'src')
    const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f !== 'diagnostic-codes.ts')
      .map((f) => readFileSync(path.join(src, f), 'utf8'))
      .join('\n')
    const rejects = new Set<string>(REJECT_CODES.map(diagnosticCodeOf))
    const unused = entries.map(([code]) => code).filter((code) => !rejects.has(code) && !sources.includes(`'${code}'`))
    assert.deepEqual(unused, [])
  })
})
