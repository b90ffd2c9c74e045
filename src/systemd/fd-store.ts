// systemd's file-descriptor store (FDSTORE=1, sd_pid_notify_with_fds(3)) through our own addon
// (src/systemd/native/), which only this file loads. It is native and optional, like sd-notify: loaded at
// start (never at SIGTERM: during a package upgrade the file on disk is already the new version's) and only
// under systemd, so terminal runs and the tests never depend on it.
import { closeSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'

/** The addon's exports (src/systemd/native/fd_store.c). */
interface FdStoreAddon {
  notifyWithFds(state: string, fds: number[]): number
  barrier(timeoutMs: number): void
  memfdCreate(name: string): number
  unitJobType(): string | null
}

/** SO_PEERCRED (added later: an addon built before it lacks it). */
interface PeerCredentialsAddon {
  peerCredentials?(fd: number): { pid: number; uid: number; gid: number }
}

/** The kernel passes at most 253 fds in one message (SCM_MAX_FD); the issue asks for batches of 250. */
export const FDS_PER_MESSAGE = 250
/** How long a stop waits for systemd to confirm it has taken the fds. */
const BARRIER_TIMEOUT_MS = 5000

export interface FdStore {
  /** Stores `fds` under `name` (several messages when there are many); throws when a message cannot be sent. */
  add(name: string, fds: readonly number[]): void
  /** Drops every fd stored under `name` (systemd closes its copies). */
  remove(name: string): void
  /** Returns once systemd has processed everything sent before; throws on timeout. */
  barrier(): void
  /** A memfd holding `bytes`, positioned at its end; the caller closes it. */
  memfd(name: string, bytes: Buffer): number
  /**
   * The job systemd runs on our unit ("stop", "restart", …; null: none, or no system bus). At SIGTERM it tells
   * a `systemctl stop`, after which systemd closes the store, from a restart (systemd 252 has no other way).
   */
  unitJobType(): string | null
}

/**
 * The fd store when this process can use it: NOTIFY_SOCKET set (systemd started us with Type=notify) and the
 * addon loaded. Otherwise null with the reason, for the caller to report when it matters.
 */
export function openFdStore(env: NodeJS.ProcessEnv, load: () => FdStoreAddon = loadAddon): FdStore | string {
  if (!env['NOTIFY_SOCKET']) return 'not started by systemd (NOTIFY_SOCKET unset)'
  let addon: FdStoreAddon
  try {
    addon = load()
  } catch (err) {
    return `the fd-store addon cannot be loaded (${(err as Error).message.split('\n')[0]})`
  }
  return {
    add(name, fds) {
      for (let i = 0; i < fds.length; i += FDS_PER_MESSAGE) {
        if (addon.notifyWithFds(`FDSTORE=1\nFDNAME=${name}`, fds.slice(i, i + FDS_PER_MESSAGE)) <= 0) throw new Error('NOTIFY_SOCKET vanished')
      }
    },
    remove(name) {
      addon.notifyWithFds(`FDSTOREREMOVE=1\nFDNAME=${name}`, [])
    },
    barrier() {
      addon.barrier(BARRIER_TIMEOUT_MS)
    },
    unitJobType() {
      return addon.unitJobType()
    },
    memfd(name, bytes) {
      const fd = addon.memfdCreate(name)
      try {
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at)
      } catch (err) {
        closeSync(fd)
        throw err
      }
      return fd
    },
  }
}

/**
 * The pid at the other end of a Unix socket connection (SO_PEERCRED, which Node cannot read), or null where the
 * addon cannot be loaded: then the caller names such peers without a pid. Call it at start, like openFdStore.
 */
export function openPeerPid(load: () => PeerCredentialsAddon = loadAddon): ((fd: number) => number | null) | null {
  let read: PeerCredentialsAddon['peerCredentials']
  try {
    read = load().peerCredentials
  } catch {
    return null
  }
  if (read === undefined) return null
  return (fd) => {
    try {
      return read(fd).pid
    } catch {
      return null
    }
  }
}

function loadAddon(): FdStoreAddon & PeerCredentialsAddon {
  return createRequire(import.meta.url)('loggingserver-fd-store') as FdStoreAddon & PeerCredentialsAddon
}
