// The log port's Unix stream socket (`log.unix_socket`): systemd's "unix" fd when inherited, else our own
// socket file. A file left by a process that died is removed, but only when it is a socket nobody listens on:
// anything else at that path is someone's, and the start fails with what to do.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs'
import net from 'node:net'
import { listen, type Listening } from '../systemd/listeners.js'

/**
 * Listens on the inherited "unix" fds, or on `path` with `mode` (an octal string). Rejects when the path is taken
 * or its mode cannot be set.
 */
export async function listenUnix(path: string | null, mode: string, inherited: Map<string, number[]> | null, make: () => net.Server): Promise<Listening | null> {
  if (inherited?.has('unix')) return listen({ name: 'unix', path: path ?? '' }, inherited, make)
  if (path === null) return null
  await removeStaleSocket(path)
  // bind() makes the file with the umask's permissions, and connecting needs only write permission: under a
  // permissive umask (0, 002) anyone could connect before the chmod below. So the bind (synchronous inside
  // server.listen, which listen() calls before it first waits) runs under a umask that leaves the owner alone,
  // and the chmod then opens it as far as log.unix_socket_mode says. The umask is the process's: this runs once,
  // at start, after the central file is open (server.ts) and before any log connection is accepted (LogPort.open),
  // so no other file (a rotation's) is being made in the thread pool meanwhile.
  const previousUmask = process.umask(0o177)
  let binding: Promise<Listening>
  try {
    binding = listen({ name: 'unix', path }, null, make)
  } finally {
    process.umask(previousUmask)
  }
  const listening = await binding
  try {
    chmodSync(path, parseInt(mode, 8))
  } catch (err) {
    for (const server of listening.servers) server.close()
    throw new Error(`cannot set log.unix_socket_mode ${mode} on ${path}: ${(err as Error).message}`)
  }
  return listening
}

/** Removes `path` if it is a socket file no process accepts on; throws when anything else holds the path. */
export async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = lstatSync(path).isSocket()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket: remove it or choose another log.unix_socket`)
  const answer = await probe(path)
  if (answer === 'listening') throw new Error(`another process listens on ${path} (another loggingserver?): stop it or choose another log.unix_socket`)
  // ECONNREFUSED: the socket file of a process that is gone (it did not stop cleanly): safe to take over.
  unlinkSync(path)
}

function probe(path: string): Promise<'listening' | 'stale'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path)
    socket.once('connect', () => {
      socket.destroy()
      resolve('listening')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('stale')
      else reject(new Error(`cannot tell whether ${path} is in use: ${err.code ?? err.message}`))
    })
  })
}
