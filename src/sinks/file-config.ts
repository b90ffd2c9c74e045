// The `file:` section of the config, as the central file takes it: at start, and again on reload, where only
// the layout may change (FILE_RELOADABLE); the path and rotation stay as they were until a restart.
import type { Config } from '../config/schema.js'
import { createFormatter, type FormatOptions } from '../format/formatter.js'
import type { Diagnostics } from '../diagnostic-codes.js'
import { CentralFile } from './central-file.js'
import type { LatencyObserver } from './write-latency.js'

export type FileConfig = Config['file']

/** Keys of `file:` a reload applies to records accepted from then on. */
export const FILE_RELOADABLE = ['style', 'format', 'datefmt', 'utc', 'escape'] as const

export function formatOptionsOf(file: FileConfig): FormatOptions {
  return { style: file.style, format: file.format, datefmt: file.datefmt, utc: file.utc, escape: file.escape }
}

export function createCentralFile(file: FileConfig, diagnostics: Diagnostics, writeLatency?: LatencyObserver): CentralFile {
  return new CentralFile({
    ...(writeLatency ? { writeLatency } : {}),
    path: file.path,
    format: createFormatter(formatOptionsOf(file)),
    rotation: { maxBytes: file.max_bytes, backupCount: file.backup_count, when: file.when, interval: file.interval, utc: file.utc, compress: file.compress },
    diagnostics,
  })
}

export function reconfigureCentralFile(central: CentralFile, file: FileConfig): void {
  central.setFormat(createFormatter(formatOptionsOf(file)))
}
