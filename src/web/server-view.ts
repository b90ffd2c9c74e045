// What the web room may see of the running server: main builds one ServerView; every route only reads it.
import type { Config } from '../config/schema.js'
import type { ConfigStateJson, ForwardStatusJson, InputStatusJson } from './api-contract.js'
import type { HttpInput } from '../http-input/http-input.js'
import type { CentralFileStats } from '../sinks/central-file.js'
import type { LogRecord } from '../record.js'
import type { LevelRates } from '../status/level-rates.js'
import type { Ring } from '../status/ring.js'
import type { Stats } from '../status/stats.js'
import type { Telemetry } from '../status/telemetry.js'

/** The central file's snapshot as the sink reports it (a type only: web never calls the sink). */
export type FileView = CentralFileStats

export interface ServerView {
  version: string
  config: Readonly<Config>
  stats: Stats
  /** Histograms and per-client series for /metrics. */
  telemetry: Telemetry
  ring: Ring<LogRecord>
  /** Records per second by level, 15 minutes of them, for /api/rates. */
  levelRates: LevelRates
  /** Every way in (tcp, tls, unix, udp, http) with its counts: the server lists them (Server.inputs()). */
  inputs: readonly (() => readonly InputStatusJson[])[]
  /** Each forwarder lists its targets. */
  forward: readonly (() => readonly ForwardStatusJson[])[]
  file(): FileView
  backpressure(): boolean
  /** Whether the config file in force is valid, or the server runs on the last valid one. */
  configState(): ConfigStateJson
  /** The HTTPHandler input on this port (web.http_handler_path), or null when it is off. */
  httpInput?: HttpInput | null
}
