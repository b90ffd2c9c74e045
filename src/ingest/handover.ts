// Restarts without a lost record on long-lived connections (issue 10 item 4). At a stop under systemd the
// log connections are not closed but stored in systemd's fd store, with what this process read of them that
// was not yet a whole frame; the next process adopts them and continues at the frame boundary. The client
// sees nothing: its connection stays open, and what it sends meanwhile waits in the kernel's buffers.
//
// Stored under two names, because one message carries one FDNAME for all its fds and systemd may return the
// fds in any order: the sockets under `conn` (batches of FDS_PER_MESSAGE), and one memfd under `handover`
// holding the manifest (handover-manifest.ts), which finds each socket by its addresses.
import { closeSync, fstatSync, readSync } from 'node:fs'
import net from 'node:net'
import type { Diagnostics } from '../diagnostic-codes.js'
import { FDS_PER_MESSAGE, type FdStore } from '../systemd/fd-store.js'
import type { Connection } from './connection.js'
import { connectionKey, decodeManifest, encodeManifest, endpoint, MANIFEST_VERSION, type SavedConnection } from './handover-manifest.js'

/** FDNAME= of the stored log connections. */
export const CONN_FDNAME = 'conn'
/** FDNAME= of the memfd holding the manifest. */
export const MANIFEST_FDNAME = 'handover'

/**
 * Stores `connections` (reading already paused) in the fd store and closes this process's copies. Returns
 * those handed over; the rest (a failure part-way) stay open here for the usual drain. Reports what it did.
 */
export function handOver(connections: readonly Connection[], store: FdStore, writer: string, diagnostics: Diagnostics): Connection[] {
  const saved = connections.map((c) => ({ connection: c, state: c.save() })).filter(({ connection }) => !connection.isClosed)
  let manifestFd: number | null = null
  try {
    manifestFd = store.memfd('loggingserver-handover', encodeManifest(saved.map((s) => s.state), writer))
    store.add(MANIFEST_FDNAME, [manifestFd])
  } catch (err) {
    diagnostics.report('LS-HANDOVER-FAILED', `stop: cannot store the hand-over manifest (${(err as Error).message}): draining ${saved.length} log connections instead`)
    return []
  } finally {
    if (manifestFd !== null) closeSync(manifestFd)
  }
  const handed: Connection[] = []
  let problem: string | null = null
  for (let i = 0; i < saved.length && problem === null; i += FDS_PER_MESSAGE) {
    const batch = saved.slice(i, i + FDS_PER_MESSAGE).map((s) => s.connection)
    try {
      store.add(CONN_FDNAME, batch.map((c) => c.fd))
      handed.push(...batch)
    } catch (err) {
      problem = `storing log connections failed after ${handed.length} of ${saved.length} (${(err as Error).message}); draining the rest`
    }
  }
  try {
    store.barrier()
  } catch (err) {
    problem ??= `systemd did not confirm the fd store within the barrier's timeout (${(err as Error).message})`
  }
  for (const c of handed) c.release()
  const partial = saved.filter((s) => s.state.pending.length > 0 || s.state.skipLeft > 0).length
  if (problem !== null) diagnostics.report('LS-HANDOVER-FAILED', `stop: ${problem}`)
  diagnostics.report('LS-HANDOVER', `stop: handed ${handed.length} log connections (${partial} in the middle of a frame) to systemd's fd store for the next start`)
  return handed
}

export interface Adopted {
  socket: net.Socket
  /** Absent when the manifest did not describe this connection (or could not be read). */
  saved: SavedConnection | undefined
  /** systemd may still hold a copy (removal failed): closing needs a shutdown to reach the client. */
  heldElsewhere: boolean
}

/**
 * At start: the log connections the previous process stored (systemd passes them with the listening sockets),
 * as sockets with their saved bytes. Removes them from the store before any is read or closed: while systemd
 * holds a copy, closing ours would not end the connection.
 */
export function adoptHandedOver(inherited: Map<string, number[]> | null, store: FdStore | string, diagnostics: Diagnostics): Adopted[] {
  const connFds = inherited?.get(CONN_FDNAME) ?? []
  const manifestFds = inherited?.get(MANIFEST_FDNAME) ?? []
  if (connFds.length === 0 && manifestFds.length === 0) return []
  const problems: string[] = []
  const saved = new Map<string, SavedConnection>()
  const versions = new Set<string>()
  for (const fd of manifestFds) {
    const manifest = decodeManifest(readWhole(fd))
    closeSync(fd)
    if (manifest.problem !== null) problems.push(manifest.problem)
    versions.add(`version ${manifest.version ?? '?'} from loggingserver ${manifest.writer ?? '?'}`)
    for (const [key, c] of manifest.connections) saved.set(key, c)
  }
  if (manifestFds.length === 0) problems.push('no hand-over manifest came with the connections: any partial frames are lost')
  const adopted: Adopted[] = []
  for (const fd of connFds) {
    let socket: net.Socket
    try {
      socket = new net.Socket({ fd, readable: true, writable: true })
    } catch (err) {
      problems.push(`fd ${fd} is not a socket (${(err as Error).message})`)
      closeSync(fd)
      continue
    }
    adopted.push({ socket, saved: saved.get(connectionKey(endpoint(socket.localAddress, socket.localPort), endpoint(socket.remoteAddress, socket.remotePort))), heldElsewhere: false })
  }
  let removed = false
  if (typeof store === 'string') {
    problems.push(`cannot remove the connections from systemd's fd store: ${store}; systemd keeps a copy of each until the service stops`)
  } else {
    try {
      store.remove(CONN_FDNAME)
      store.remove(MANIFEST_FDNAME)
      store.barrier()
      removed = true
    } catch (err) {
      problems.push(`removing the adopted connections from the fd store failed (${(err as Error).message})`)
    }
  }
  if (!removed) for (const a of adopted) a.heldElsewhere = true
  const withBytes = adopted.filter((a) => a.saved !== undefined && (a.saved.pending.length > 0 || a.saved.skipLeft > 0)).length
  diagnostics.report('LS-HANDOVER-ADOPTED', `adopted ${adopted.length} log connections from systemd's fd store (${withBytes} resume in the middle of a frame; manifest ${[...versions].join(', ') || 'missing'}; this reader: version ${MANIFEST_VERSION})`)
  if (problems.length > 0) diagnostics.report('LS-HANDOVER-FAILED', `adopting the handed-over connections: ${problems.join('; ')}`)
  return adopted
}

function readWhole(fd: number): Buffer {
  const bytes = Buffer.alloc(fstatSync(fd).size)
  for (let at = 0; at < bytes.length; ) {
    const n = readSync(fd, bytes, at, bytes.length - at, at)
    if (n === 0) break
    at += n
  }
  return bytes
}
