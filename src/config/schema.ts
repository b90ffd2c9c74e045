// The configuration schema: the single source of truth for keys, types and defaults. etc/loggingserver.yaml
// documents every key here, and a unit test keeps the two in step.
import { z } from 'zod'
import { allowEntryProblem } from '../peer-allow.js'

const port = z.number().int().min(0).max(65535)
const host = z.string().min(1)
const positiveInt = z.number().int().positive()
/** Node timers overflow past 2^31-1 ms (they then fire at once): about 24.8 days. */
const MAX_TIMER_SECONDS = 2_147_483

const allowEntry = z.string().superRefine((entry, ctx) => {
  const problem = allowEntryProblem(entry)
  if (problem !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem })
})

/** The TLS listener beside the plain port (off by default). Paths are re-read on SIGHUP. */
export const LogTlsSchema = z
  .object({
    /** Manual runs only (null: log.host); under systemd the socket unit `loggingserver-tls.socket` owns it. */
    host: host.nullable().default(null),
    port: port.default(9022),
    /** PEM files: the server's certificate (chain) and key; `ca` verifies client certificates. */
    cert: z.string().min(1),
    key: z.string().min(1),
    ca: z.string().min(1).nullable().default(null),
    require_client_cert: z.boolean().default(false),
    /**
     * TLS 1.3 servers send session tickets after the handshake; a SocketHandler never reads, so at close its
     * kernel resets the connection and the records still in flight are lost (openssl/openssl#7948, and
     * syslog-ng#3082 for the same loss in a log server). TLS 1.2 sends them within the handshake.
     */
    max_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict()
  .refine((tls) => !tls.require_client_cert || tls.ca !== null, { message: 'require_client_cert needs ca (the CA that signs client certificates)', path: ['ca'] })

export const LogPortSchema = z
  .object({
    /** Manual runs only: under systemd the socket unit `loggingserver.socket` owns the port. */
    host: host.default('127.0.0.1'),
    /** null: no plain port (then log.tls must be set). */
    port: port.nullable().default(9020),
    /** Checked against the 4-byte length prefix before anything is allocated. */
    max_frame_bytes: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
    /** Records held in memory while the disk is slower than the network; past it the sockets pause. */
    max_backlog_bytes: positiveInt.default(64 * 1024 * 1024),
    /** A connection that stops in the middle of a frame for this long is closed (a stalled or hostile peer). */
    frame_timeout_seconds: z.number().positive().max(MAX_TIMER_SECONDS).default(60),
    /** A frame must arrive whole within this long of its first byte (a trickle resets the silence timeout). */
    frame_deadline_seconds: z.number().positive().max(MAX_TIMER_SECONDS).default(30),
    /** Bytes held in half-received frames across all connections; past it the largest holders are closed. */
    max_partial_bytes: positiveInt.default(256 * 1024 * 1024),
    /** Open log connections at most; null = the open-files limit less a reserve (see ingest/log-port.ts). */
    max_connections: positiveInt.nullable().default(null),
    /** CIDRs or addresses that may connect (IPv4 and IPv6); null or empty: everyone. */
    allow: z.array(allowEntry).nullable().default(null),
    tls: LogTlsSchema.nullable().default(null),
    /**
     * A Unix stream socket for SocketHandler(path, None) on the log host (null: off). Manual runs only: under
     * systemd the socket unit `loggingserver-unix.socket` owns it. 107 bytes: Linux's sun_path less its NUL.
     */
    unix_socket: z.string().min(1).refine((p) => Buffer.byteLength(p) <= 107, 'a Unix socket path is at most 107 bytes (sun_path)').nullable().default(null),
    /** Permissions of that socket file (octal string): who may connect is who may write it. */
    unix_socket_mode: z.string().regex(/^0?[0-7]{3}$/, 'must be an octal mode such as "0660"').default('0660'),
    /** DatagramHandler's UDP port on log.host (null: off). Under systemd `loggingserver-udp.socket` owns it. */
    udp_port: port.nullable().default(null),
    /** At a stop under systemd, hand open connections to the fd store for the next start instead of closing them. */
    handover: z.boolean().default(true),
  })
  .strict()
  // Below one frame's limit a single genuine large record would close its own connection.
  .refine((log) => log.max_partial_bytes >= log.max_frame_bytes, {
    message: 'must be at least log.max_frame_bytes',
    path: ['max_partial_bytes'],
  })
  .refine((log) => log.port !== null || log.tls !== null || log.unix_socket !== null || log.udp_port !== null, {
    message: 'log.port, log.tls, log.unix_socket and log.udp_port cannot all be off: nothing could send',
    path: ['port'],
  })

export const FileSchema = z
  .object({
    path: z.string().min(1).default('var/log/loggingserver.log'),
    style: z.enum(['text', 'json']).default('text'),
    format: z.string().min(1).default('%(asctime)s %(client)-15s %(name)-12s %(levelname)-8s %(message)s'),
    datefmt: z.string().min(1).nullable().default(null),
    /** asctime and time-based rotation in UTC instead of local time (Formatter.converter = time.gmtime). */
    utc: z.boolean().default(false),
    /** text style: escape control characters and mark continuation lines, so no client can forge a line. */
    escape: z.boolean().default(true),
    /** RotatingFileHandler's maxBytes: 0 turns size rotation off. */
    max_bytes: z.number().int().min(0).default(0),
    backup_count: z.number().int().min(0).default(5),
    /** TimedRotatingFileHandler's when: null turns time rotation off. */
    when: z.enum(['S', 'M', 'H', 'D', 'midnight', 'W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6']).nullable().default(null),
    interval: positiveInt.default(1),
    compress: z.boolean().default(false),
  })
  .strict()

/** `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` from scripts/hash-password.mjs; ln ≤ 20, r ≤ 32, p ≤ 16 bound one check's cost. */
const passwordHash = z
  .string()
  .regex(
    /^\$scrypt\$ln=(1\d|20),r=([1-9]|[12]\d|3[0-2]),p=([1-9]|1[0-6])\$[A-Za-z0-9+/]{16,88}\$[A-Za-z0-9+/]{22,88}$/,
    'must be a password hash such as $scrypt$ln=15,r=8,p=1$… (make one with scripts/hash-password.mjs)',
  )

export const WebAuthSchema = z
  .object({
    /** Shown by the browser's login prompt. */
    realm: z.string().min(1).max(100).regex(/^[^"\\\x00-\x1f]*$/, 'must not contain quotes, backslashes or control characters').default('loggingserver'),
    /** user name → password hash */
    users: z
      .record(z.string().regex(/^[^:\x00-\x1f]{1,100}$/, 'user names must not contain ":" or control characters'), passwordHash)
      .refine((users) => Object.keys(users).length > 0, 'must name at least one user'),
  })
  .strict()

export const WebSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: host.default('127.0.0.1'),
    port: port.default(9021),
    recent_records: positiveInt.max(100_000).default(300),
    refresh_seconds: z.number().positive().max(3600).default(5),
    css_file: z.string().min(1).nullable().default(null),
    /** Live streams (/api/stream) open at once, from all clients; 8 at most from one address. */
    max_streams: positiveInt.max(10_000).default(100),
    /** Clients with their own /metrics series (kept until restart); later ones are counted as client="other". */
    metrics_max_clients: positiveInt.max(100_000).default(1000),
    /** HTTP basic auth for the page and API (all but /healthz); null = open. Hashes only, never passwords. */
    auth: WebAuthSchema.nullable().default(null),
  })
  .strict()

export const DiagnosticsSchema = z
  .object({
    level: z.enum(['debug', 'info', 'warning', 'error']).default('info'),
  })
  .strict()

export const ConfigSchema = z
  .object({
    log: LogPortSchema.default({}),
    file: FileSchema.default({}),
    web: WebSchema.default({}),
    diagnostics: DiagnosticsSchema.default({}),
    /** Seconds SIGTERM waits for the writer to drain before exiting anyway (keep below TimeoutStopSec=). */
    shutdown_timeout_seconds: z.number().positive().max(MAX_TIMER_SECONDS).default(30),
  })
  .strict()

export type Config = z.infer<typeof ConfigSchema>
