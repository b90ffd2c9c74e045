// Who may send: `log.allow`, a list of CIDRs or bare addresses (IPv4 and IPv6) matched with Node's BlockList.
// Its own room so every network input (the log port, its TLS twin and the UDP input now, the HTTP input later) and the
// config loader share one reading of an entry; each input hands over its peer's address string.
import net from 'node:net'

type Family = 'ipv4' | 'ipv6'

interface Entry {
  address: string
  family: Family
  /** null: a bare address. */
  prefix: number | null
}

/** The problem with one `log.allow` entry, or null when it is a valid CIDR or address. */
export function allowEntryProblem(entry: string): string | null {
  try {
    parseEntry(entry)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

export class PeerAllow {
  private readonly list = new net.BlockList()

  /** Throws a RangeError naming the bad entry; the config loader has already reported it with its line. */
  constructor(entries: readonly string[]) {
    for (const text of entries) {
      const entry = parseEntry(text)
      if (entry.prefix === null) this.list.addAddress(entry.address, entry.family)
      else this.list.addSubnet(entry.address, entry.prefix, entry.family)
    }
  }

  /** null or [] (the default) lets everyone in, so no PeerAllow is needed then. */
  static from(entries: readonly string[] | null): PeerAllow | null {
    return entries === null || entries.length === 0 ? null : new PeerAllow(entries)
  }

  /**
   * `address` as a socket reports it. A dual-stack socket reports an IPv4 peer as `::ffff:a.b.c.d`: that
   * peer is matched as the IPv4 address it is, so `10.0.0.0/8` admits it whichever socket it came in on.
   */
  allows(address: string): boolean {
    const mapped = address.slice(0, 7).toLowerCase() === '::ffff:' && net.isIPv4(address.slice(7))
    const zone = address.indexOf('%') // a zone index (fe80::1%eth0) is not part of the address
    const plain = mapped ? address.slice(7) : zone < 0 ? address : address.slice(0, zone)
    const family = net.isIP(plain)
    if (family === 0) return false
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6')
  }
}

function parseEntry(entry: string): Entry {
  const slash = entry.indexOf('/')
  const address = slash < 0 ? entry : entry.slice(0, slash)
  const version = net.isIP(address)
  if (version === 0) throw new RangeError(`${JSON.stringify(entry)} is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7)`)
  const family: Family = version === 4 ? 'ipv4' : 'ipv6'
  if (slash < 0) return { address, family, prefix: null }
  const bits = version === 4 ? 32 : 128
  const prefixText = entry.slice(slash + 1)
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (!(prefix >= 0 && prefix <= bits)) throw new RangeError(`${JSON.stringify(entry)}: the prefix length must be a whole number from 0 to ${bits}`)
  return { address, family, prefix }
}
