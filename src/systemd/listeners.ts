// Listening sockets for a port role ("log", "web", "unix", "udp"): the fds systemd passed under that
// FileDescriptorName=, or, when not socket-activated, a bind to the configured host and port (or path).
import dgram from 'node:dgram'
import { readFileSync, readlinkSync } from 'node:fs'
import net from 'node:net'

export type ListenSpec = {
  /** FileDescriptorName= of the socket unit. */
  name: string
} & ({ host: string; port: number } | { path: string })

export interface Listening {
  servers: net.Server[]
  /** Where it listens ("[::]:9020", or several joined by ", "), for the startup line. */
  description: string
  activated: boolean
}

/**
 * Starts `servers` (created by `make`) on the inherited fds for `spec.name`, or binds `spec.host:port`.
 * Rejects with the bind error (EADDRINUSE, EACCES…) so main can name the address.
 */
export async function listen(spec: ListenSpec, inherited: Map<string, number[]> | null, make: () => net.Server): Promise<Listening> {
  const fds = inherited?.get(spec.name)
  if (fds && fds.length > 0) {
    const servers = await Promise.all(fds.map((fd) => start(make(), { fd })))
    // Node knows no address for a Unix socket it did not bind: the kernel does.
    const described = servers.map((server, i) => (server.address() === null ? unixPathOf(fds[i]!) : addressOf(server)))
    return { servers, description: described.join(', '), activated: true }
  }
  const server = await start(make(), 'path' in spec ? { path: spec.path } : { host: spec.host, port: spec.port })
  return { servers: [server], description: addressOf(server), activated: false }
}

export interface DatagramListening {
  sockets: dgram.Socket[]
  description: string
  activated: boolean
}

/**
 * UDP sockets for `spec.name`: the inherited ListenDatagram= fds (dgram takes one with `bind({ fd })`), else
 * a bind to `spec.host:port`. `make` gives each socket its listeners before it binds.
 */
export async function bindDatagram(spec: { name: string; host: string; port: number }, inherited: Map<string, number[]> | null, make: (type: dgram.SocketType) => dgram.Socket): Promise<DatagramListening> {
  const fds = inherited?.get(spec.name)
  if (fds && fds.length > 0) {
    // The family of an inherited socket is the kernel's business: the type given here only picks Node's defaults.
    const sockets = await Promise.all(fds.map((fd) => bound(make('udp6'), { fd })))
    return { sockets, description: sockets.map(datagramAddressOf).join(', '), activated: true }
  }
  const socket = await bound(make(net.isIPv6(spec.host) ? 'udp6' : 'udp4'), { address: spec.host, port: spec.port })
  return { sockets: [socket], description: datagramAddressOf(socket), activated: false }
}

function bound(socket: dgram.Socket, options: dgram.BindOptions): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close()
      reject(err)
    }
    socket.once('error', onError)
    socket.bind(options, () => {
      socket.off('error', onError)
      resolve(socket)
    })
  })
}

function datagramAddressOf(socket: dgram.Socket): string {
  const a = socket.address()
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`
}

function start(server: net.Server, options: net.ListenOptions | { fd: number }): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err)
    server.once('error', onError)
    // An inherited fd is a "handle" ({ fd }) to net.Server#listen.
    const handle: object = options
    server.listen(handle, () => {
      server.off('error', onError)
      resolve(server)
    })
  })
}

export function addressOf(server: net.Server): string {
  const a = server.address()
  if (a === null) return '?'
  if (typeof a === 'string') return a
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`
}

/** The path of the Unix socket `fd` (its inode in /proc/net/unix), or "fd N" where that cannot be read. */
function unixPathOf(fd: number): string {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]
    // Num RefCount Protocol Flags Type St Inode Path
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/)
      if (inode !== undefined && f[6] === inode && f[7] !== undefined) return f[7]
    }
  } catch {
    // not Linux, or /proc hidden
  }
  return `fd ${fd}`
}
