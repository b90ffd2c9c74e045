// Datagrams the kernel dropped on our UDP sockets (their receive buffer was full): the one trace of a loss the
// server never sees. Linux lists every UDP socket in /proc/net/udp and udp6 with a "drops" column; ours are the
// rows whose inode is one of this process's socket fds (a port alone could be another process's socket).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Summed drops of this process's UDP sockets bound to `ports`; null when /proc cannot be read (not Linux). */
export function receiveDrops(ports: readonly number[], proc = '/proc'): number | null {
  let ours: Set<string>
  let tables: string[]
  try {
    ours = socketInodes(`${proc}/self/fd`)
    tables = ['udp', 'udp6'].map((t) => readFileSync(`${proc}/net/${t}`, 'utf8'))
  } catch {
    return null
  }
  return tables.reduce((sum, table) => sum + dropsIn(table, ports, ours), 0)
}

/** The drops of the rows of one /proc/net/udp table bound to one of `ports` whose inode is in `inodes`. */
export function dropsIn(table: string, ports: readonly number[], inodes: ReadonlySet<string>): number {
  let drops = 0
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    const f = line.trim().split(/\s+/)
    const local = f[1]
    if (local === undefined || f.length < 13) continue
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16)
    if (ports.includes(port) && inodes.has(f[9] ?? '')) drops += Number(f[12]) || 0
  }
  return drops
}

function socketInodes(fdDir: string): Set<string> {
  const inodes = new Set<string>()
  for (const fd of readdirSync(fdDir)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${fdDir}/${fd}`))
      if (m?.[1] !== undefined) inodes.add(m[1])
    } catch {
      // closed between the listing and the readlink
    }
  }
  return inodes
}
