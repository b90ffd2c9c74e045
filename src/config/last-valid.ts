// The last configuration that was valid, kept in systemd's StateDirectory=, so that a broken config file does
// not stop a socket-activated server (whose sockets systemd would fail after the start limit, refusing every
// client). Failing that, the packaged config: the conffile itself may be the broken file, and the built-in
// defaults write under the working directory, which the sandbox forbids.
import { chmodSync, openSync, closeSync, readFileSync, renameSync, writeSync, fsyncSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { ConfigError } from '../errors.js'
import { parseConfig, type LoadedConfig } from './load.js'

/** A pristine copy of etc/loggingserver.yaml, shipped by the package (packaging/nfpm.yaml). */
export const PACKAGED_CONFIG_PATH = '/usr/share/loggingserver/loggingserver.yaml'
export const LAST_VALID_NAME = 'last-valid.yaml'

/** Atomically (temp file, fsync, rename) and 0600 from the first byte: it may hold web.auth's hashes. */
export function saveLastValid(stateDirectory: string, text: string): string {
  const target = path.join(stateDirectory, LAST_VALID_NAME)
  const temp = `${target}.${process.pid}.tmp`
  const fd = openSync(temp, 'w', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(temp, 0o600) // an existing temp file keeps its mode through open()
  renameSync(temp, target)
  return target
}

export interface Fallback {
  loaded: LoadedConfig | null
  /** Why each candidate was passed over, for the journal. */
  skipped: string[]
}

/** The saved config if it still validates, else the packaged one, else null (the caller exits 78). */
export function loadFallback(stateDirectory: string | null, packaged = PACKAGED_CONFIG_PATH, brokenText: string | null = null): Fallback {
  const saved = stateDirectory ? [path.join(stateDirectory, LAST_VALID_NAME)] : []
  const guarded = brokenText === null ? [] : protectionsIn(brokenText)
  const skipped: string[] = []
  // The packaged file is open to everyone (no web.auth, no log.allow, no TLS): never swap an operator's
  // protections for it, or a typo would open the status page and the log port on every interface.
  const candidates = guarded.length === 0 ? [...saved, packaged] : saved
  if (guarded.length > 0) skipped.push(`${packaged}: not used: the broken file sets ${guarded.join(', ')}, which the packaged configuration would drop`)
  for (const file of candidates) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      skipped.push(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      continue
    }
    try {
      return { loaded: { config: parseConfig(text, file), source: file, text }, skipped }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      skipped.push(...err.problems)
    }
  }
  return { loaded: null, skipped }
}

/**
 * The protections a (possibly broken) config file sets: `web.auth`, `log.allow`, `log.tls` with a value other
 * than null. Read leniently: where the YAML does not parse, a key of that name with any value counts.
 */
export function protectionsIn(text: string): string[] {
  const found: string[] = []
  let raw: unknown = null
  try {
    raw = parse(text)
  } catch {
    raw = null
  }
  const section = (name: string): Record<string, unknown> | null => {
    const v = (raw as Record<string, unknown> | null)?.[name]
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null
  }
  const set = (at: [string, string]): boolean => {
    const v = section(at[0])?.[at[1]]
    if (raw !== null) return v !== undefined && v !== null
    // Unparseable: an indented `key:` line whose value is not null (an empty value opens a mapping).
    return text.split('\n').some((line) => {
      const trimmed = line.trimStart()
      if (trimmed === line || !trimmed.startsWith(`${at[1]}:`)) return false
      const value = trimmed.slice(at[1].length + 1).split('#')[0]!.trim()
      return value !== 'null' && value !== '~'
    })
  }
  for (const at of [['web', 'auth'], ['log', 'allow'], ['log', 'tls']] as [string, string][]) if (set(at)) found.push(at.join('.'))
  return found
}
