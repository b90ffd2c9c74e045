// Shapes of the JSON API as the page reads them (the server's RecordJson and StatusSnapshot, trimmed).

export interface RecordJson {
  seq: number
  time: string
  client: string
  name: string
  levelname: string
  levelno: number
  message: string
  exc_text: string | null
  stack_info: string | null
  /** A text was cut (lists carry 4 KiB of each); /api/records/<seq> has the record whole. */
  truncated: boolean
}

export interface RecordsResponse {
  records: RecordJson[]
  lastSeq: number
  more: boolean
  missed: number
}

export interface FileStatus {
  path: string
  sizeBytes: number
  rotations: number
  backlogRecords: number
  backlogBytes: number
  healthy: boolean
  lastError: string | null
  recordsWritten: number
}

export interface Status {
  version: string
  startedAt: string
  uptimeSeconds: number
  recordsReceived: number
  recordsByLevel: Record<string, number>
  ratePerSecond10s: number
  ratePerSecond1m: number
  bytesReceived: number
  connectionsOpen: number
  connectionsTotal: number
  clientsTracked: number
  clients: { client: string; records: number; lastSeen: string; levels: Record<string, number> }[]
  rejected: Record<string, number>
  file: FileStatus
  backpressure: boolean
  ring: { lastSeq: number }
  page: { refreshSeconds: number; recentRecords: number }
}

/** The row class for a level number; names can be anything, numbers are what Python compares. */
export function levelClass(levelno: number): string {
  switch (levelno) {
    case 10:
      return 'level-debug'
    case 20:
      return 'level-info'
    case 30:
      return 'level-warning'
    case 40:
      return 'level-error'
    case 50:
      return 'level-critical'
    default:
      return 'level-custom'
  }
}

const NAMED: Record<string, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 }

/** For the statistics, which count by name. */
export function levelClassOfName(name: string): string {
  return Object.hasOwn(NAMED, name) ? levelClass(NAMED[name]!) : 'level-custom'
}
