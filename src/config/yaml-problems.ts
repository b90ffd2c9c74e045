// YAML syntax errors as an operator can act on them. The parser reports a mis-indented key from the point of
// view of its siblings: one key indented 3 spaces among keys indented 2 gives an error on every OTHER key (9
// identical lines, none on the culprit), and a key indented deeper than the one above it is reported on the
// line above, as a value that "needs to be on a single line". Here each such family of errors becomes one
// message on the line to fix.
import type { LineCounter, YAMLError } from 'yaml'

const OVER_INDENTED = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY'])

export function yamlProblems(errors: readonly YAMLError[], text: string, lines: LineCounter, file: string): string[] {
  const source = text.split('\n')
  const indent = (line: number): number => /^ */.exec(source[line - 1] ?? '')![0].length
  const isKeyLine = (line: number): boolean => {
    const t = (source[line - 1] ?? '').trim()
    return t !== '' && !t.startsWith('#')
  }
  const keyOf = (line: number): string => {
    const t = (source[line - 1] ?? '').trim()
    const colon = t.indexOf(':')
    return colon < 0 ? t : t.slice(0, colon)
  }
  /** The first line at or after `line` that holds a key (errors point at the comments before an item). */
  const keyLineFrom = (line: number): number => {
    for (let l = line; l <= source.length; l++) if (isKeyLine(l)) return l
    return line
  }
  const previousKeyLine = (line: number): number | null => {
    for (let l = line - 1; l >= 1; l--) if (isKeyLine(l)) return l
    return null
  }

  const problems: string[] = []
  const seen = new Set<string>()
  const add = (line: number, message: string): void => {
    const text = `${file}:${line}: YAML syntax: ${message}`
    if (!seen.has(text)) problems.push(text)
    seen.add(text)
  }

  const badIndent = [...new Set(errors.filter((e) => e.code === 'BAD_INDENT').map((e) => keyLineFrom(lines.linePos(e.pos[0]).line)))].sort((a, b) => a - b)
  if (badIndent.length > 0) {
    const columns = badIndent.map(indent)
    const common = mostCommon(columns)
    const odd = badIndent.find((l) => indent(l) !== common)
    if (odd !== undefined && badIndent.length > 1) {
      add(odd, `"${keyOf(odd)}" is indented ${indent(odd)} spaces where the keys around it have ${common}: line it up with them`)
    } else {
      // Every reported key agrees: the odd one out is the section's first key, which the parser took as the norm.
      const first = previousKeyLine(badIndent[0]!)
      if (first !== null && indent(first) === 0 && common > 0 && /:\s*\S/.test(source[first - 1]!)) {
        add(first, `"${keyOf(first)}" starts at column 0, which makes it a top-level section, and the keys after it are indented ${common}: indent it like the keys of its section`)
      } else if (badIndent.length > 1 && first !== null && indent(first) !== common && indent(first) > 0) {
        add(first, `"${keyOf(first)}" is indented ${indent(first)} spaces where the keys after it have ${common}: line it up with them`)
      } else {
        const line = badIndent[0]!
        add(line, `"${keyOf(line)}" (indented ${indent(line)} spaces) does not line up with the keys above it`)
      }
    }
  }

  for (const err of errors) {
    if (err.code === 'BAD_INDENT') continue
    const at = lines.linePos(err.pos[0]).line
    const next = keyLineFrom(at + 1)
    if (OVER_INDENTED.has(err.code) && next <= source.length && indent(next) > indent(at)) {
      add(next, `"${keyOf(next)}" is indented ${indent(next)} spaces, deeper than "${keyOf(at)}" on line ${at} (${indent(at)}): line it up, or it is read as part of that value`)
    } else {
      add(at, err.message.split('\n')[0]!)
    }
  }
  return problems
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]
}
