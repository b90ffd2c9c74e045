// Socket activation (sd_listen_fds_with_names(3)): LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES → fds by name.
// Pure given an env object; the caller unsets the variables so children do not inherit them.

/** The first passed fd: SD_LISTEN_FDS_START. */
export const LISTEN_FDS_START = 3

/** Map of FileDescriptorName= → fds, or null when this process was not socket-activated. */
export function listenFds(env: NodeJS.ProcessEnv, pid: number): Map<string, number[]> | null {
  if (env['LISTEN_PID'] === undefined || Number(env['LISTEN_PID']) !== pid) return null
  const count = Number(env['LISTEN_FDS'])
  if (!Number.isInteger(count) || count < 1) return null
  // systemd names unnamed fds "unknown"; a missing or short LISTEN_FDNAMES is treated the same way.
  const names = (env['LISTEN_FDNAMES'] ?? '').split(':')
  const byName = new Map<string, number[]>()
  for (let i = 0; i < count; i++) {
    const name = names[i] || 'unknown'
    const fds = byName.get(name) ?? []
    fds.push(LISTEN_FDS_START + i)
    byName.set(name, fds)
  }
  return byName
}

export function unsetListenEnv(env: NodeJS.ProcessEnv): void {
  delete env['LISTEN_PID']
  delete env['LISTEN_FDS']
  delete env['LISTEN_FDNAMES']
}
