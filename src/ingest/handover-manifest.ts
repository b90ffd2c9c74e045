// The hand-over manifest: what one process tells the next about the log connections it left in systemd's fd
// store. systemd returns stored fds in any order and under the name they were stored with (one name per
// message), so a connection is matched by what the socket itself says, its local and remote address and port
// (unique for TCP), not by position or fd name. Per connection the manifest carries the bytes already read into
// the old process that were not yet a whole frame, and an oversize frame's bytes still to be read past.
//
// Versioned, because an upgrade hands the old code's state to the new code: a reader accepts every version up
// to its own; a document it cannot read (a newer version, or garbage) still lets the sockets be adopted, only
// without their saved bytes, and says so.
//
// Version 1 (JSON, UTF-8):
//   {"format":"loggingserver-handover","version":1,"writer":"<package version>",
//    "connections":[{"local":"<addr>:<port>","remote":"<addr>:<port>","pending":"<base64>",
//                    "skipLeft":<n>,"skipLength":<n>}]}

export const MANIFEST_FORMAT = 'loggingserver-handover'
/** The version this code writes; it reads every version up to this one. */
export const MANIFEST_VERSION = 1

/** One connection's state in the stream, as the next process needs it to continue at the frame boundary. */
export interface SavedConnection {
  /** `address:port` of our end (getsockname). */
  local: string
  /** `address:port` of the client (getpeername). */
  remote: string
  /** Raw stream bytes read but not yet a whole frame: fed to the next framer before anything the socket brings. */
  pending: Buffer
  /** Bytes of an oversize frame still to be read past, and its declared length (0, 0: none). */
  skipLeft: number
  skipLength: number
}

export interface Manifest {
  /** The version read, or null when the document could not be read at all. */
  version: number | null
  writer: string | null
  connections: Map<string, SavedConnection>
  /** Why saved bytes are missing (unreadable or unknown version); null when all was read. */
  problem: string | null
}

/** The key a connection is found under: what both processes read off the same socket. */
export function connectionKey(local: string, remote: string): string {
  return `${local} ${remote}`
}

export function endpoint(address: string | undefined, port: number | undefined): string {
  return `${address ?? '?'}:${port ?? '?'}`
}

export function encodeManifest(connections: readonly SavedConnection[], writer: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      writer,
      connections: connections.map((c) => ({ local: c.local, remote: c.remote, pending: c.pending.toString('base64'), skipLeft: c.skipLeft, skipLength: c.skipLength })),
    }),
    'utf8',
  )
}

export function decodeManifest(bytes: Buffer): Manifest {
  const empty = (problem: string, version: number | null = null, writer: string | null = null): Manifest => ({ version, writer, connections: new Map(), problem })
  let doc: unknown
  try {
    doc = JSON.parse(bytes.toString('utf8'))
  } catch (err) {
    return empty(`manifest is not JSON (${(err as Error).message})`)
  }
  if (!isObject(doc) || doc['format'] !== MANIFEST_FORMAT) return empty('manifest is not a loggingserver hand-over document')
  const version = doc['version']
  const writer = typeof doc['writer'] === 'string' ? doc['writer'] : null
  if (typeof version !== 'number' || !Number.isInteger(version)) return empty('manifest has no version')
  switch (version) {
    case 1:
      return readVersion1(doc, writer)
    default:
      return empty(`manifest version ${version} is newer than this reader (${MANIFEST_VERSION})`, version, writer)
  }
}

function readVersion1(doc: Record<string, unknown>, writer: string | null): Manifest {
  const connections = new Map<string, SavedConnection>()
  const list = doc['connections']
  if (!Array.isArray(list)) return { version: 1, writer, connections, problem: 'manifest version 1 without a connections list' }
  let bad = 0
  for (const entry of list as unknown[]) {
    const c = isObject(entry) ? entry : {}
    const { local, remote, pending, skipLeft, skipLength } = c
    if (typeof local !== 'string' || typeof remote !== 'string' || typeof pending !== 'string' || !isCount(skipLeft) || !isCount(skipLength)) {
      bad++
      continue
    }
    connections.set(connectionKey(local, remote), { local, remote, pending: Buffer.from(pending, 'base64'), skipLeft, skipLength })
  }
  return { version: 1, writer, connections, problem: bad > 0 ? `${bad} unreadable connection entries in the manifest` : null }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}
