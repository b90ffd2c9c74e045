// Datagrams the kernel dropped on our UDP sockets (their receive buffer was full): the one trace of a loss the
// server never sees. Linux lists every UDP socket in /proc/net/udp and udp6 with a "drops" column. Ours are
// found once, when they are bound: the rows with our port whose inode is one of this process's fds (a port
// alone could be another process's socket bound to another address).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

interface UdpRow {
  port: number
  inode: string
  drops: number
}

export class UdpDrops {
  private constructor(private readonly inodes: ReadonlySet<string>, private readonly proc: string) {}

  /** The sockets of this process bound to `ports`; null where /proc cannot be read (not Linux, or hidden). */
  static find(ports: readonly number[], proc = '/proc'): UdpDrops | null {
    try {
      const ours = socketInodes(`${proc}/self/fd`)
      const inodes = new Set(readRows(proc).filter((r) => ports.includes(r.port) && ours.has(r.inode)).map((r) => r.inode))
      return inodes.size === 0 ? null : new UdpDrops(inodes, proc)
    } catch {
      return null
    }
  }

  /** Summed drops of those sockets now; null if /proc went away. */
  count(): number | null {
    try {
      return readRows(this.proc).reduce((sum, r) => sum + (this.inodes.has(r.inode) ? r.drops : 0), 0)
    } catch {
      return null
    }
  }
}

function readRows(proc: string): UdpRow[] {
  return ['udp', 'udp6'].flatMap((t) => parseUdpTable(readFileSync(`${proc}/net/${t}`, 'utf8')))
}

/** The rows of one /proc/net/udp table (header skipped). */
export function parseUdpTable(table: string): UdpRow[] {
  const rows: UdpRow[] = []
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    const f = line.trim().split(/\s+/)
    const local = f[1]
    if (local === undefined || f.length < 13) continue
    rows.push({ port: parseInt(local.slice(local.lastIndexOf(':') + 1), 16), inode: f[9] ?? '', drops: Number(f[12]) || 0 })
  }
  return rows
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
