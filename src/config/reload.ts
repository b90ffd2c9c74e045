// What a SIGHUP reload may change in place. Sockets, the file's path and rotation, and the ring's size are
// fixed for the life of the process (the sockets may even belong to systemd); those need a restart.
import { deepFreeze } from './load.js'
import type { Config } from './schema.js'

/** Keys whose new value takes effect on SIGHUP. */
export const RELOADABLE = [
  'file.style', 'file.format', 'file.datefmt', 'file.utc', 'file.escape',
  'log.max_frame_bytes', 'log.frame_timeout_seconds', 'log.max_backlog_bytes',
  'web.refresh_seconds', 'web.css_file', 'web.auth',
  'diagnostics.level', 'shutdown_timeout_seconds',
] as const

/** Dotted keys that differ between the running and the re-read config and cannot change without a restart. */
export function restartOnlyChanges(running: Readonly<Config>, fresh: Readonly<Config>): string[] {
  const changed: string[] = []
  walk(running, fresh, '', changed)
  return changed.filter((key) => !(RELOADABLE as readonly string[]).some((r) => key === r || key.startsWith(r + '.')))
}

/**
 * The config to run with after a reload: the running one with only the RELOADABLE keys taken from `fresh`,
 * so what the server reports (and compares against next time) is what it really runs with.
 */
export function applyReloadable(running: Readonly<Config>, fresh: Readonly<Config>): Readonly<Config> {
  const next = structuredClone(running) as Config
  for (const key of RELOADABLE) {
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
