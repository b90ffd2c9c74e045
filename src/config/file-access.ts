// `--check-config` on the files a config names (web.css_file, the TLS certificate files): they must exist and
// be readable by the service user, not by whoever runs the check (usually root). Under systemd the unit's
// sandbox hides some places entirely (ProtectHome=, PrivateTmp=), so a path there can never work, whatever
// its permissions: say which setting hides it and where to put the file instead.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { LineCounter, isNode, parseDocument } from 'yaml'
import { hiddenBySandbox } from '../systemd/sandbox.js'
import type { Config } from './schema.js'

/** The account the packaged unit runs as (systemd/loggingserver.service User=). */
export const SERVICE_USER = 'loggingserver'

export interface Account {
  name: string
  uid: number
  gids: number[]
}

/** The named files of a config, each with its key path. */
function namedFiles(config: Readonly<Config>): [string[], string][] {
  const files: [string[], string][] = []
  if (config.web.css_file !== null) files.push([['web', 'css_file'], config.web.css_file])
  const tls = config.log.tls
  if (tls !== null) {
    files.push([['log', 'tls', 'cert'], tls.cert], [['log', 'tls', 'key'], tls.key])
    if (tls.ca) files.push([['log', 'tls', 'ca'], tls.ca])
  }
  return files
}

/**
 * Problems as `file:line: key: problem`. `account`: the service user when it exists here (judged by the
 * mode bits of the file and of every directory above it), else null: then the caller's own access is
 * judged, which is all a machine without the package can tell.
 */
export function namedFileProblems(config: Readonly<Config>, text: string, source: string, account: Account | null): string[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const lineOf = (at: string[]): string => {
    const node = doc.getIn(at, true)
    return isNode(node) && node.range ? String(lines.linePos(node.range[0]).line) : '?'
  }
  const problems: string[] = []
  for (const [at, file] of namedFiles(config)) {
    const why = hiddenBySandbox(path.resolve(file)) ?? unreadableBy(file, account)
    if (why !== null) problems.push(`${source}:${lineOf(at)}: ${at.join('.')}: ${why}`)
  }
  return problems
}

function unreadableBy(file: string, account: Account | null): string | null {
  const absolute = path.resolve(file)
  let stat
  try {
    stat = statSync(absolute)
  } catch (err) {
    return `${absolute} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
  }
  if (!stat.isFile()) return `${absolute} is not a regular file`
  if (account === null) {
    try {
      readFileSync(absolute, { flag: 'r' }).subarray(0, 0)
      return null
    } catch (err) {
      return `${absolute} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    }
  }
  // Every directory above must let the user through (x), and the file must let it read (r).
  const parts = absolute.split('/').filter(Boolean)
  for (let i = 1; i < parts.length; i++) {
    const dir = '/' + parts.slice(0, i).join('/')
    if (!permits(statSync(dir), account, 0o1)) return `${absolute} cannot be read by the service user ${account.name}: it may not enter ${dir}`
  }
  if (!permits(stat, account, 0o4)) return `${absolute} cannot be read by the service user ${account.name} (mode ${(stat.mode & 0o777).toString(8)}, owner uid ${stat.uid} gid ${stat.gid}): e.g. chgrp ${account.name} and chmod g+r`
  return null
}

function permits(stat: { mode: number; uid: number; gid: number }, account: Account, bit: number): boolean {
  if (account.uid === 0) return true
  if (stat.uid === account.uid) return (stat.mode & (bit << 6)) !== 0
  if (account.gids.includes(stat.gid)) return (stat.mode & (bit << 3)) !== 0
  return (stat.mode & bit) !== 0
}

/** The service user from /etc/passwd and /etc/group, or null where it does not exist (no package here). */
export function serviceAccount(name = SERVICE_USER, passwd = readOr('/etc/passwd'), group = readOr('/etc/group')): Account | null {
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === name)
  if (!entry || entry.length < 4) return null
  const uid = Number(entry[2])
  const gids = [Number(entry[3])]
  for (const g of group.split('\n').map((l) => l.split(':'))) {
    if (g.length >= 4 && (g[3] ?? '').split(',').includes(name)) gids.push(Number(g[2]))
  }
  return { name, uid, gids }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
