// sd_notify(3) for Type=notify: READY, STATUS, RELOADING, STOPPING and the watchdog. The sd-notify addon is
// native and optional, so it is loaded only when NOTIFY_SOCKET is set; without it the server still runs.
import { createRequire } from 'node:module'
import type { Diagnostics } from '../diagnostic-codes.js'

/** The part of the sd-notify package we use (it ships no types). */
interface SdNotify {
  ready(): void
  sendState(state: string): void
}

export interface Notifier {
  /** False when systemd asked for notifications but the addon could not be loaded. */
  readonly available: boolean
  ready(status?: string): void
  status(text: string): void
  reloading(): void
  stopping(): void
}

const SILENT: Notifier = { available: true, ready() {}, status() {}, reloading() {}, stopping() {} }

/**
 * A no-op notifier when not started by systemd with Type=notify. An addon that fails to load is reported
 * (systemd would then wait for READY=1 until TimeoutStartSec and fail the start).
 */
export function createNotifier(env: NodeJS.ProcessEnv, diagnostics: Diagnostics): Notifier {
  if (!env['NOTIFY_SOCKET']) return SILENT
  let sd: SdNotify
  try {
    sd = createRequire(import.meta.url)('sd-notify') as SdNotify
  } catch (err) {
    diagnostics.report('LS-SD-NOTIFY-MISSING', `NOTIFY_SOCKET is set but the sd-notify addon cannot be loaded (${(err as Error).message.split('\n')[0]}): systemd will not hear READY=1`)
    return { ...SILENT, available: false }
  }
  startWatchdog(env, sd)
  return {
    available: true,
    // READY=1 from the main PID (sd_pid_notify), with a first STATUS= in the same message.
    ready: (status) => sd.sendState(`READY=1\nMAINPID=${process.pid}${status ? `\nSTATUS=${oneLine(status)}` : ''}\n`),
    status: (text) => sd.sendState(`STATUS=${oneLine(text)}\n`),
    reloading: () => sd.sendState('RELOADING=1\n'),
    stopping: () => sd.sendState('STOPPING=1\n'),
  }
}

/** WATCHDOG_USEC (for this PID) → WATCHDOG=1 at half the interval, as sd_watchdog_enabled(3) advises. */
function startWatchdog(env: NodeJS.ProcessEnv, sd: SdNotify): void {
  const usec = Number(env['WATCHDOG_USEC'])
  const pid = env['WATCHDOG_PID']
  if (!Number.isFinite(usec) || usec <= 0 || (pid !== undefined && Number(pid) !== process.pid)) return
  setInterval(() => sd.sendState('WATCHDOG=1\n'), Math.max(usec / 2000, 100)).unref()
}

function oneLine(text: string): string {
  return text.replace(/\n/g, ' ')
}
