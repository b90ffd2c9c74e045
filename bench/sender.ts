// The load: pre-built frames written over C connections at once, so the figure is the receiver's, not the
// client's (its own rate is measured against a sink that discards, and printed as "sender alone").
import net from 'node:net'

export interface Blast {
  /** performance.now() just before the first byte was written (every connection already open). */
  startedAt: number
  /** Resolves when every connection was closed by the receiver, with the errors seen (a reset, a refusal). */
  closed: Promise<Error[]>
  done(): boolean
  /** performance.now() when the last connection closed (NaN before). */
  finishedAt(): number
}

/** Opens `count` connections to 127.0.0.1:`port`, a few at a time so the accept backlog never overflows. */
export async function connectAll(port: number, count: number, batch = 100): Promise<net.Socket[]> {
  const sockets: net.Socket[] = []
  for (let i = 0; i < count; i += batch) {
    const opened = Array.from({ length: Math.min(batch, count - i) }, () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.off('error', reject)
        resolve(socket)
      })
      socket.once('error', reject)
    }))
    sockets.push(...(await Promise.all(opened)))
  }
  for (const socket of sockets) socket.setNoDelay(true)
  return sockets
}

/** Resolves when `socket` is closed, with its error if it had one. */
function closedOf(socket: net.Socket): Promise<Error | null> {
  return new Promise((resolve) => {
    let failure: Error | null = null
    socket.on('error', (err) => (failure = err))
    socket.on('close', () => resolve(failure))
    socket.resume()
  })
}

/** Writes stream i on connection i and half-closes each; the receiver closes when it has read everything. */
export async function blast(port: number, streams: Buffer[]): Promise<Blast> {
  const sockets = await connectAll(port, streams.length)
  let finished = NaN
  const closed = Promise.all(sockets.map(closedOf)).then((errors) => {
    finished = performance.now()
    return errors.filter((e): e is Error => e !== null)
  })
  const startedAt = performance.now()
  sockets.forEach((socket, i) => socket.end(streams[i]!))
  return { startedAt, closed, done: () => !Number.isNaN(finished), finishedAt: () => finished }
}
