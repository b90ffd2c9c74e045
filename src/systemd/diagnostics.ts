// The daemon's own log. Under journald (JOURNAL_STREAM matches stderr) each line carries a `<N>` syslog
// priority prefix, which journald turns into PRIORITY=N (sd-daemon(3)); in a terminal, timestamped plain lines.
// Every line starts with its catalogue code, so `journalctl -g LS-WRITE-FAILED` finds it (and its stack).
import { fstatSync } from 'node:fs'
import { CATALOGUE, type DiagnosticCode, type Diagnostics, type Priority } from '../diagnostic-codes.js'

/** The thresholds diagnostics.level accepts; critical lines are always written. */
export type DiagnosticLevel = Exclude<Priority, 'critical'>

const SYSLOG: Record<Priority, number> = { critical: 2, error: 3, warning: 4, info: 6, debug: 7 }
const RANK: Record<Priority, number> = { debug: 0, info: 1, warning: 2, error: 3, critical: 4 }

/** At most this many rate-limited lines per window; the rest are counted and summarised. */
const BURST = 10
const WINDOW_MS = 10_000

export class StderrDiagnostics implements Diagnostics {
  private readonly journal: boolean
  private windowStart = 0
  private windowLines = 0
  private suppressed = 0

  constructor(
    private threshold: DiagnosticLevel = 'info',
    private readonly out: (line: string) => void = (line) => process.stderr.write(line),
    env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {
    this.journal = stderrIsJournal(env['JOURNAL_STREAM'])
  }

  setThreshold(level: DiagnosticLevel): void {
    this.threshold = level
  }

  get toJournal(): boolean {
    return this.journal
  }

  report(code: DiagnosticCode, detail: string): void {
    const { priority } = CATALOGUE[code]
    if (RANK[priority] < RANK[this.threshold]) return
    // The code on every line: under journald each line is its own entry, and a stack should match -g too.
    let text = ''
    for (const line of detail.split('\n')) {
      text += this.journal ? `<${SYSLOG[priority]}>[${code}] ${line}\n` : `${new Date().toISOString()} ${priority.toUpperCase()} [${code}] ${line}\n`
    }
    this.out(text)
  }

  reportLimited(code: DiagnosticCode, detail: string): void {
    const now = this.now()
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.suppressed > 0) this.report('LS-MESSAGES-SUPPRESSED', `${this.suppressed} similar messages suppressed in the last ${WINDOW_MS / 1000} s`)
      this.windowStart = now
      this.windowLines = 0
      this.suppressed = 0
    }
    if (this.windowLines < BURST) {
      this.windowLines++
      this.report(code, detail)
    } else this.suppressed++
  }
}

/** JOURNAL_STREAM is "device:inode" of the journal stream; it is inherited, so compare with our own stderr. */
function stderrIsJournal(journalStream: string | undefined): boolean {
  if (!journalStream) return false
  const [dev, ino] = journalStream.split(':')
  try {
    const st = fstatSync(2, { bigint: true })
    return String(st.dev) === dev && String(st.ino) === ino
  } catch {
    return false
  }
}
