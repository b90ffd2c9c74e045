// The last configuration that was valid, kept in systemd's StateDirectory=, so that a broken config file does
// not stop a socket-activated server (whose sockets systemd would fail after the start limit, refusing every
// client). Failing that, the packaged config: the conffile itself may be the broken file, and the built-in
// defaults write under the working directory, which the sandbox forbids.
import { chmodSync, openSync, closeSync, readFileSync, renameSync, writeSync, fsyncSync } from 'node:fs'
import path from 'node:path'
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
export function loadFallback(stateDirectory: string | null, packaged = PACKAGED_CONFIG_PATH): Fallback {
  const candidates = [...(stateDirectory ? [path.join(stateDirectory, LAST_VALID_NAME)] : []), packaged]
  const skipped: string[] = []
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
