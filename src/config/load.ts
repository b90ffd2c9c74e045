// Reads the YAML config, validates it against the schema and reports every problem as `file:line: key: problem`,
// so an operator can fix a bad /etc/loggingserver.yaml from one error message.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml'
import type { ZodIssue } from 'zod'
import { ConfigError } from '../errors.js'
import { createFormatter } from '../format/formatter.js'
import { ConfigSchema, type Config } from './schema.js'
import { yamlProblems } from './yaml-problems.js'

export const DEFAULT_CONFIG_PATH = '/etc/loggingserver.yaml'

export interface LoadedConfig {
  config: Readonly<Config>
  /** The file read, or null when running on the built-in defaults. */
  source: string | null
  /** The text read (null on the built-in defaults): what is saved as the last valid config. */
  text: string | null
}

/**
 * `explicitPath` is `--config`: it must exist. Without it, /etc/loggingserver.yaml is used when present,
 * otherwise the built-in defaults (the same values etc/loggingserver.yaml documents).
 */
export function loadConfig(explicitPath: string | null, defaultPath = DEFAULT_CONFIG_PATH): LoadedConfig {
  const file = explicitPath ?? (existsSync(defaultPath) ? defaultPath : null)
  if (file === null) return { config: deepFreeze(finish(ConfigSchema.parse({}))), source: null, text: null }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError([`${file}: cannot read: ${(err as Error).message}`])
  }
  return { config: parseConfig(text, file), source: file, text }
}

/** Validates YAML text; `file` only names the source in messages. */
export function parseConfig(text: string, file: string): Readonly<Config> {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const problems: string[] = []
  if (doc.errors.length > 0) throw new ConfigError(yamlProblems(doc.errors, text, lines, file))

  const raw: unknown = doc.toJS() ?? {}
  const result = ConfigSchema.safeParse(raw)
  if (!result.success) for (const issue of result.error.issues) problems.push(...describeIssue(issue, doc, lines, file))
  // Checked even when the schema failed, so one run reports every problem in the file.
  const formatProblem = checkFormat(raw)
  if (formatProblem) problems.push(`${file}:${lineOf(doc, ['file', 'format'], lines) ?? '?'}: file.format: ${formatProblem}`)
  if (!result.success || problems.length > 0) throw new ConfigError(problems.sort((a, b) => lineNumber(a) - lineNumber(b)))
  return deepFreeze(finish(result.data))
}

/** Problems read top to bottom, in file order. */
function lineNumber(problem: string): number {
  const m = /^.*?:(\d+):/.exec(problem)
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER
}

function describeIssue(issue: ZodIssue, doc: Document, lines: LineCounter, file: string): string[] {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.length ? issue.path.join('.') + '.' : ''
    const known = knownKeys(issue.path)
    return issue.keys.map((key) => {
      const at = keyLine(doc, [...issue.path, key], lines) ?? lineOf(doc, issue.path, lines) ?? '?'
      return `${file}:${at}: ${parent}${key}: unknown key${known ? ` (expected one of: ${known})` : ''}`
    })
  }
  const at = lineOf(doc, issue.path, lines) ?? lineOf(doc, issue.path.slice(0, -1), lines) ?? '?'
  const key = issue.path.length ? issue.path.join('.') : '(top level)'
  return [`${file}:${at}: ${key}: ${plainMessage(issue)}`]
}

/** Zod's messages, worded for an operator who has never heard of zod. */
function plainMessage(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' ? 'required' : `must be ${article(issue.expected)}, not ${issue.received}`
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, not ${JSON.stringify(issue.received)}`
    case 'too_small':
      if (issue.type === 'number') {
        if (issue.minimum === 0 && !issue.inclusive) return 'must be a positive number'
        return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`
      }
      return 'must not be empty'
    case 'too_big':
      return `must be at most ${issue.maximum}`
    default:
      return issue.message.replace(/^Expected integer, received float$/, 'must be a whole number')
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number'
  if (type === 'object') return 'a mapping (indented keys)'
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function knownKeys(at: readonly (string | number)[]): string | null {
  let shape: unknown = ConfigSchema
  for (const key of at) {
    const inner = unwrap(shape)
    shape = inner?.shape[key]
  }
  const inner = unwrap(shape)
  return inner ? Object.keys(inner.shape).join(', ') : null
}

function unwrap(schema: unknown): { shape: Record<string | number, unknown> } | null {
  let s = schema as { _def?: { innerType?: unknown; schema?: unknown }; shape?: Record<string, unknown> } | undefined
  // innerType: .default()/.nullable(); schema: .refine()
  while (s && !s.shape && (s._def?.innerType ?? s._def?.schema)) s = (s._def.innerType ?? s._def.schema) as typeof s
  return s?.shape ? (s as { shape: Record<string, unknown> }) : null
}

function lineOf(doc: Document, at: readonly (string | number)[], lines: LineCounter): number | undefined {
  const node = at.length ? doc.getIn(at, true) : doc.contents
  return isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined
}

/** The line of a key itself (for unknown keys, whose value may be a nested mapping starting lines later). */
function keyLine(doc: Document, at: readonly (string | number)[], lines: LineCounter): number | undefined {
  const parent = at.length > 1 ? doc.getIn(at.slice(0, -1), true) : doc.contents
  if (!isMap(parent)) return undefined
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === at[at.length - 1] && item.key.range) {
      return lines.linePos(item.key.range[0]).line
    }
  }
  return undefined
}

/** The problem with a text-style `file.format` string in the raw file, if it has one. */
function checkFormat(raw: unknown): string | null {
  const section = (raw as { file?: { format?: unknown; style?: unknown } } | null)?.file
  if (typeof section?.format !== 'string' || section.style === 'json') return null
  try {
    createFormatter({ style: 'text', format: section.format, datefmt: null, utc: false, escape: false })
    return null
  } catch (err) {
    return (err as Error).message
  }
}

/** Relative paths are taken from the working directory, and made absolute once so every room agrees. */
function finish(config: Config): Config {
  config.file.path = path.resolve(config.file.path)
  if (config.web.css_file !== null) config.web.css_file = path.resolve(config.web.css_file)
  const tls = config.log.tls
  if (tls !== null) {
    tls.cert = path.resolve(tls.cert)
    tls.key = path.resolve(tls.key)
    if (tls.ca !== null) tls.ca = path.resolve(tls.ca)
  }
  return config
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
