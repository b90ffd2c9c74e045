// Comparing a re-read config with the running one on SIGHUP. Which keys a reload may change is each room's
// own word (LOG_RELOADABLE, FILE_RELOADABLE, WEB_RELOADABLE…), gathered by the server: `reloadable` below.
import { deepFreeze } from './load.js'
import type { Config } from './schema.js'

/** Dotted keys that differ between the running and the re-read config and cannot change without a restart. */
export function restartOnlyChanges(running: Readonly<Config>, fresh: Readonly<Config>, reloadable: readonly string[]): string[] {
  const changed: string[] = []
  walk(running, fresh, '', changed)
  return changed.filter((key) => !reloadable.some((r) => key === r || key.startsWith(r + '.')))
}

/**
 * The config to run with after a reload: the running one with only the RELOADABLE keys taken from `fresh`,
 * so what the server reports (and compares against next time) is what it really runs with.
 */
export function applyReloadable(running: Readonly<Config>, fresh: Readonly<Config>, reloadable: readonly string[]): Readonly<Config> {
  const next = structuredClone(running) as Config
  for (const key of reloadable) {
    const [section, name] = key.split('.') as [keyof Config, string | undefined]
    if (name === undefined) (next as Record<string, unknown>)[section] = structuredClone(fresh[section])
    else (next[section] as Record<string, unknown>)[name] = structuredClone((fresh[section] as Record<string, unknown>)[name])
  }
  return deepFreeze(next)
}

function walk(a: unknown, b: unknown, at: string, out: string[]): void {
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], at ? `${at}.${key}` : key, out)
  } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
