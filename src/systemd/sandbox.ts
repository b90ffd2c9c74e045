// What the sandbox of loggingserver.service hides from the server: a file there can never be read by the
// service, whatever its permissions, and nothing says so by itself (ENOENT). Kept next to the unit's other
// rules; used by --check-config and by the status page when the operator's stylesheet cannot be read.

const HIDDEN = [
  { prefixes: ['/root/', '/home/', '/run/user/'], setting: 'ProtectHome=' },
  { prefixes: ['/tmp/', '/var/tmp/'], setting: 'PrivateTmp=' },
]

/** Why the service cannot see `absolutePath` (the unit setting that hides it), or null. */
export function hiddenBySandbox(absolutePath: string): string | null {
  for (const { prefixes, setting } of HIDDEN) {
    if (prefixes.some((p) => absolutePath.startsWith(p))) {
      return `${absolutePath} is hidden from the service by ${setting} in loggingserver.service: put it under /etc/loggingserver/ (readable by group loggingserver)`
    }
  }
  return null
}
