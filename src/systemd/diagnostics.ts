// The daemon's own log. Under journald (JOURNAL_STREAM matches stderr) each line carries a `<N>` syslog
// priority prefix, which journald turns into PRIORITY=N (sd-daemon(3)); in a terminal, timestamped plain lines.
import { fstatSync } from 'node:fs'

export type DiagnosticLevel = 'debug' | 'info' | 'warning' | 'error'

const PRIORITY: Record<DiagnosticLevel | 'critical', number> = { critical: 2, error: 3, warning: 4, info: 6, debug: 7 }
const RANK: Record<DiagnosticLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 }

/** At most this many rate-limited lines per window; the rest are counted and summarised. */
const BURST = 10
const WINDOW_MS = 10_000

export class Diagnostics {
  private readonly journal: boolean
  private windowStart = 0
  private windowLines = 0
  private suppressed = 0

  constructor(
    private threshold: DiagnosticLevel = 'info',
    private readonly out: (line: string) => void = (line) => process.stderr.write(line),
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.journal = stderrIsJournal(env['JOURNAL_STREAM'])
  }

  setThreshold(level: DiagnosticLevel): void {
    this.threshold = level
  }

  get toJournal(): boolean {
    return this.journal
  }

  critical(message: string): void {
    this.emit('critical', message)
  }
  error(message: string): void {
    this.emit('error', message)
  }
  warning(message: string): void {
    this.emit('warning', message)
  }
  info(message: string): void {
    this.emit('info', message)
  }
  debug(message: string): void {
    this.emit('debug', message)
  }

  /** For messages a peer can provoke at will (bad frames): a hostile client must not flood the journal. */
  limited(level: DiagnosticLevel, message: string, now = Date.now()): void {
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.suppressed > 0) this.emit('warning', `${this.suppressed} similar messages suppressed in the last ${WINDOW_MS / 1000} s`)
      this.windowStart = now
      this.windowLines = 0
      this.suppressed = 0
    }
    if (this.windowLines < BURST) {
      this.windowLines++
      this.emit(level, message)
    } else this.suppressed++
  }

  private emit(level: DiagnosticLevel | 'critical', message: string): void {
    if (level !== 'critical' && RANK[level] < RANK[this.threshold]) return
    const lines = message.split('\n')
    let text = ''
    for (const line of lines) {
      text += this.journal ? `<${PRIORITY[level]}>${line}\n` : `${new Date().toISOString()} ${level.toUpperCase()} ${line}\n`
    }
    this.out(text)
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
