// A strict reader of the Prometheus text exposition format 0.0.4, for tests (not a test file itself).
// It throws on anything a Prometheus server would reject or that the format discourages: bad names,
// bad escapes, a TYPE after its samples, a family split in two, a series given twice, no final newline.

export interface PromSample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface PromFamily {
  type: string
  help: string | null
  samples: PromSample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/
// NaN in any case: Prometheus parses values with Go's strconv.ParseFloat, and prom-client writes "Nan".
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[Nn][Aa][Nn]|[+-]Inf)$/

function parseValue(text: string, line: number): number {
  if (!VALUE.test(text)) throw new Error(`line ${line}: bad sample value ${JSON.stringify(text)}`)
  return /^nan$/i.test(text) ? NaN : text.endsWith('Inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text)
}

function parseLabels(text: string, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>
  let i = 1 // after '{'
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new Error(`line ${line}: label without '='`)
    const name = text.slice(i, eq)
    if (!LABEL.test(name) || name.startsWith('__')) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`)
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value must be quoted`)
    let value = ''
    let j = eq + 2
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\n') throw new Error(`line ${line}: raw newline in a label value`)
      if (text[j] !== '\\') {
        value += text[j]
        continue
      }
      const esc = text[++j]
      if (esc === '\\' || esc === '"') value += esc
      else if (esc === 'n') value += '\n'
      else throw new Error(`line ${line}: bad escape \\${esc ?? ''} in a label value`)
    }
    if (j >= text.length) throw new Error(`line ${line}: unterminated label value`)
    if (name in labels) throw new Error(`line ${line}: label ${name} given twice`)
    labels[name] = value
    i = j + 1
    if (text[i] === ',') i++
    else if (text[i] !== '}') throw new Error(`line ${line}: expected ',' or '}' after a label`)
  }
  return [labels, i + 1]
}

/** Family name of a sample: histogram/summary suffixes belong to their family. */
function familyOf(name: string, families: Map<string, PromFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length)
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(families.get(base)?.type ?? '')) return base
  }
  return name
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline')
  const families = new Map<string, PromFamily>()
  const series = new Set<string>()
  const closed = new Set<string>()
  let current: string | null = null
  const lines = text.slice(0, -1).split('\n')
  lines.forEach((raw, index) => {
    const line = index + 1
    if (raw === '') return // the format ignores empty lines (prom-client puts one between families)
    if (raw.trim() === '') throw new Error(`line ${line}: a line of only blanks`)
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string]
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`)
      const family = families.get(name) ?? { type: 'untyped', help: null, samples: [] }
      if (family.samples.length > 0) throw new Error(`line ${line}: ${kind} for ${name} after its samples`)
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: bad type ${rest}`)
        if (family.type !== 'untyped') throw new Error(`line ${line}: second TYPE for ${name}`)
        family.type = rest
      } else {
        if (family.help !== null) throw new Error(`line ${line}: second HELP for ${name}`)
        family.help = rest
      }
      families.set(name, family)
      return
    }
    if (raw.startsWith('#')) return
    const nameEnd = raw.search(/[{ ]/)
    if (nameEnd <= 0) throw new Error(`line ${line}: not a sample: ${JSON.stringify(raw)}`)
    const name = raw.slice(0, nameEnd)
    if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`)
    let labels: Record<string, string> = {}
    let rest = raw.slice(nameEnd)
    if (rest.startsWith('{')) {
      const [parsed, end] = parseLabels(rest, line)
      labels = parsed
      rest = rest.slice(end)
    }
    const parts = rest.split(' ')
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`line ${line}: expected ' value [timestamp]'`)
    const value = parseValue(parts[1]!, line)
    if (parts.length === 3 && !/^-?\d+$/.test(parts[2]!)) throw new Error(`line ${line}: bad timestamp`)
    const familyName = familyOf(name, families)
    if (current !== familyName) {
      if (current !== null) closed.add(current)
      if (closed.has(familyName)) throw new Error(`line ${line}: samples of ${familyName} are not together`)
      current = familyName
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (series.has(key)) throw new Error(`line ${line}: series ${key} given twice`)
    series.add(key)
    const family = families.get(familyName) ?? { type: 'untyped', help: null, samples: [] }
    if (family.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`)
    family.samples.push({ name, labels, value })
    families.set(familyName, family)
  })
  return families
}

/** The value of one series, or undefined. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  // A histogram's samples (name_bucket, name_sum, name_count) sit in the family of its base name.
  const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''))
  const want = JSON.stringify(Object.entries(labels).sort())
  return family?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value
}
