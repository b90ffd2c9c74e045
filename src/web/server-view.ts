// What the web room may see of the running server: main builds one ServerView; every route only reads it.
import type { Config } from '../config/schema.js'
import type { LogRecord } from '../record.js'
import type { Ring } from '../status/ring.js'
import type { Stats } from '../status/stats.js'

export interface FileView {
  path: string
  sizeBytes: number
  rotations: number
  backlogRecords: number
  backlogBytes: number
  healthy: boolean
  lastError: string | null
  recordsWritten: number
}

export interface ServerView {
  version: string
  config: Readonly<Config>
  stats: Stats
  ring: Ring<LogRecord>
  file(): FileView
  backpressure(): boolean
}
