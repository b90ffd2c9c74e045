// Listening sockets for a port role ("log", "web"): the fds systemd passed under that FileDescriptorName=,
// or, when not socket-activated, a bind to the configured host and port.
import net from 'node:net'

export interface ListenSpec {
  /** FileDescriptorName= of the socket unit. */
  name: string
  host: string
  port: number
}

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
    return { servers, description: servers.map(addressOf).join(', '), activated: true }
  }
  const server = await start(make(), { host: spec.host, port: spec.port })
  return { servers: [server], description: addressOf(server), activated: false }
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
