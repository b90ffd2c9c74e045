// The JSON API's one contract: every body the status port sends, as the server builds it and as the page
// reads it. Both compile units include this file (the page's tsconfig reaches it by a type-only import),
// so renaming a field here, or on either side, fails `npm run build`. Types only: it emits nothing the
// browser loads, and it imports nothing (the page's compile unit has no node types to follow it with).
// test/unit/web/api-golden.test.ts pins the JSON of each shape: a change there is a change here.

/** One record: an element of /api/records, of an /api/stream event, and the body of /api/records/:seq. */
export interface RecordJson {
  seq: number
  /** `%(asctime)s` of the config's file.datefmt / file.utc, from the client's `created`. */
  time: string
  created: number
  received: number
  client: string
  name: string
  levelname: string
  levelno: number
  /** getMessage(): msg with args merged in. */
  message: string
  exc_text: string | null
  stack_info: string | null
  pathname: string
  lineno: number
  funcName: string
  /** A string when the number is beyond 2^53 (JSON has no bigints). */
  process: number | string | null
  processName: string | null
  threadName: string | null
  /** True when message, exc_text or stack_info was cut (GET /api/records/:seq has more; the central file has it whole). */
  truncated: boolean
}

/** GET /api/records. */
export interface RecordsResponse {
  records: RecordJson[]
  /** The newest sequence number the server has (0 before the first record). */
  lastSeq: number
  /** Ask again with after=next to continue. */
  next: number
  /** With after=: more matching records follow the last one returned. */
  more: boolean
  /** With after=: records after it that had already left the ring. */
  missed: number
  /** The ring's capacity: no page is ever longer. */
  capacity: number
}

/** The data of one `event: records` on /api/stream (its `id:` is the newest seq sent). */
export type RecordsEventData = RecordJson[]

/** One row of the clients table in /api/status. */
export interface ClientJson {
  client: string
  records: number
  /** ISO 8601, UTC. */
  lastSeen: string
  levels: Record<string, number>
}

/** The central file's writer in /api/status. */
export interface CentralFileJson {
  path: string
  sizeBytes: number
  rotations: number
  backlogRecords: number
  backlogBytes: number
  healthy: boolean
  lastError: string | null
  recordsWritten: number
}

/** Which configuration runs: under systemd a broken config file leaves the server on the last valid one. */
export interface ConfigStateJson {
  /** False while the config file has problems and the server runs on `source` instead. */
  valid: boolean
  /** The first problem with the config file, or null. */
  problem: string | null
  /** The file the running configuration came from (null: the built-in defaults). */
  source: string | null
}

/** One way in (log TCP port, TLS port, unix socket, UDP port, HTTP handler path), in /api/status. */
export interface InputStatusJson {
  kind: 'tcp' | 'tls' | 'unix' | 'udp' | 'http'
  /** Where it listens: "127.0.0.1:9020", "/run/loggingserver/log.sock", "POST /log on 127.0.0.1:9021". */
  address: string
  /** Records accepted through this input since start. */
  records: number
  /** Frames, datagrams, requests or connections refused (all reasons). */
  rejected: number
  /** Open connections; null for connectionless inputs (udp, http). */
  open: number | null
}

/** One forward target (issue 11 item 3), in /api/status. */
export interface ForwardStatusJson {
  /** "relp://127.0.0.1:2514" */
  url: string
  state: 'connected' | 'connecting' | 'backoff' | 'closed'
  queuedRecords: number
  queuedBytes: number
  queueBytesMax: number
  /** Records written to the socket. */
  sent: number
  /** RELP only: acknowledged by the receiver; null for tcp and udp. */
  acked: number | null
  /** RELP: re-sent after a reconnect. */
  resent: number
  /** Refused because the queue was full (never silent). */
  dropped: number
  lastError: string | null
}

/** GET /api/status: every statistic at one instant (/metrics renders the same numbers). */
export interface StatusSnapshot {
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
  /** Peers seen since start that are still tracked (bounded), and how many were forgotten to bound it. */
  clientsTracked: number
  clientsForgotten: number
  clients: ClientJson[]
  rejected: Record<string, number>
  rejectedTotal: number
  file: CentralFileJson
  backpressure: boolean
  ring: { size: number; capacity: number; lastSeq: number }
  streamClients: number
  config: ConfigStateJson
  /** Every way in that listens, with its own counters. */
  inputs: InputStatusJson[]
  /** Every forward target (empty when `forward` is not configured). */
  forward: ForwardStatusJson[]
  /** What the page needs to behave as configured (it has no inline script to receive them otherwise). */
  page: { refreshSeconds: number; recentRecords: number; datefmt: string | null; utc: boolean }
}

/** One level's line in GET /api/rates. */
export interface LevelRateJson {
  /** null for "other levels": level numbers past the chart's columns for custom levels. */
  levelno: number | null
  /** CPython's name; for a custom level, the name its first record carried. */
  name: string
  /** Records received in each second, oldest first; the last is the second `end`. */
  counts: number[]
}

/**
 * GET /api/rates[?seconds=1…900]: records per second by level over the last `seconds` whole seconds (default
 * 900, the whole 15 minutes the server keeps). CPython's five levels always; other levels once seen in the span.
 */
export interface RatesResponse {
  seconds: number
  /** The newest whole second (the one under way is left out: it would always look low), Unix time. */
  end: number
  series: LevelRateJson[]
}

/** GET /healthz: 200 with status ok, or 503 with the reason (only the verdict without credentials). */
export interface HealthBody {
  status: 'ok' | 'unhealthy'
  reason: string | null
  /** Still 200 while the server runs on the last valid configuration (it serves): this names the config problem. */
  config: string | null
  /** Still 200 when `web.css_file` cannot be read (the page falls back to the default): this says why. */
  stylesheet: string | null
}

/** Every 4xx and 5xx of the JSON API (400 bad query, 401, 404, 503 busy, 500 internal error). */
export interface ErrorBody {
  error: string
}
