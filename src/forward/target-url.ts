// `forward[].url`: which protocol and where. Parsed by the config loader (so a bad URL is a `file:line`
// error) and by the forwarder with the same function.

export type ForwardProtocol = 'relp' | 'tcp' | 'udp'

export interface ForwardUrl {
  protocol: ForwardProtocol
  /** Without IPv6 brackets, as net.connect and dgram want it. */
  host: string
  port: number
}

const PROTOCOLS: readonly string[] = ['relp', 'tcp', 'udp']

/** The parsed URL, or a problem in words. */
export function parseForwardUrl(text: string): ForwardUrl | string {
  const notUrl = 'must be a URL such as relp://logs.example.org:2514, tcp://host:514 or udp://host:514'
  if (!text.includes('://')) return notUrl
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return notUrl
  }
  const protocol = url.protocol.slice(0, -1)
  if (!PROTOCOLS.includes(protocol)) return `unknown protocol "${protocol}": use relp, tcp or udp`
  if (url.username !== '' || url.password !== '') return 'must not carry a user or password'
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') return 'must be only protocol://host:port (no path, query or fragment)'
  if (url.hostname === '') return 'names no host'
  if (url.port === '') return 'names no port (syslog has no single default: rsyslog commonly uses 514 for tcp and udp, 2514 for relp)'
  const port = Number(url.port)
  if (port < 1) return 'port must be 1–65535'
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return { protocol: protocol as ForwardProtocol, host, port }
}
