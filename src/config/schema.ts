// The configuration schema: the single source of truth for keys, types and defaults. etc/loggingserver.yaml
// documents every key here, and a unit test keeps the two in step.
import { z } from 'zod'
import { FACILITY_NAMES } from '../forward/facilities.js'
import { parseForwardUrl } from '../forward/target-url.js'
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
    /**
     * Threads that decode and format large reads while the event loop is busy (decode-threads/pool.ts); 0: none,
     * 'auto': one fewer than the machine's cores (at least one). Started at the first such read, not at start.
     */
    decode_threads: z.union([z.literal('auto'), z.number().int().min(0).max(64)], { errorMap: () => ({ message: "must be 'auto' or a whole number of threads from 0 to 64" }) }).default('auto'),
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

/** The status page's own routes, which the HTTPHandler path must not shadow. */
const PAGE_PATHS = new Set(['/healthz', '/metrics', '/favicon.ico', '/loggingserver.css'])
const PAGE_PREFIXES = ['/api', '/js']

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
    /**
     * Where CPython's logging.handlers.HTTPHandler posts records on this port (e.g. /log); null = off. Its own
     * path, outside the page's, so sender and reader credentials never mix (issue 11, item 2).
     */
    http_handler_path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/, 'must be a path such as /log (letters, digits, . _ ~ - between slashes)')
      .max(200)
      .refine((p) => !PAGE_PATHS.has(p) && !PAGE_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`)), 'is one of the status page\'s own paths: choose another, such as /log')
      .nullable()
      .default(null),
    /** Who may send through http_handler_path (basic auth, as web.auth); never the page's readers. null = anyone. */
    http_handler_auth: WebAuthSchema.nullable().default(null),
    /** A POST body (one record) larger than this is refused with 413 before it is read. */
    http_handler_max_bytes: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
  })
  .strict()
  // An operator who locked the page must not get an unauthenticated way in by turning the HTTP input on.
  .refine((web) => web.http_handler_path === null || web.auth === null || web.http_handler_auth !== null, {
    message: 'needs web.http_handler_auth when web.auth is set: senders have users of their own (readers cannot send, senders cannot read)',
    path: ['http_handler_path'],
  })
  .refine((web) => web.http_handler_path === null || web.enabled, { message: 'needs web.enabled: the HTTPHandler input is served by the status port', path: ['http_handler_path'] })

const forwardUrl = z.string().superRefine((url, ctx) => {
  const parsed = parseForwardUrl(url)
  if (typeof parsed === 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed })
})

/** One forward target (issue 11, item 3). The whole `forward` list takes effect only at a restart. */
export const ForwardTargetSchema = z
  .object({
    /** relp:// (acknowledged, re-sent after a reconnect), tcp:// (RFC 6587 octet counting) or udp:// (one per datagram). */
    url: forwardUrl,
    /** The only format so far; named so that a second one (RFC 3164, JSON) is a value, not a new key. */
    format: z.enum(['rfc5424']).default('rfc5424'),
    /** Bytes of messages held for this target while it is slow or down (RELP: unacknowledged ones too); past it records are dropped and counted. */
    queue_bytes: positiveInt.max(4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Syslog facility of every record (the severity comes from the level). */
    facility: z.enum(FACILITY_NAMES).default('user'),
    /**
     * Longest message sent, header included; the message text is cut beyond it. rsyslog's default
     * maxMessageSize is 8 KiB (it truncates longer ones itself, and imrelp may refuse them): raise both together.
     * The header and structured data take up to ~1.7 KiB, hence the minimum.
     */
    max_message_bytes: z.number().int().min(2048).max(16 * 1024 * 1024).default(8192),
  })
  .strict()

export type ForwardTargetConfig = z.infer<typeof ForwardTargetSchema>

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
    /** Syslog receivers every record is also sent to (empty: none). */
    forward: z
      .array(ForwardTargetSchema)
      .default([])
      .superRefine((targets, ctx) => {
        const seen = new Set<string>()
        targets.forEach((t, i) => {
          if (seen.has(t.url)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${t.url} is listed twice`, path: [i, 'url'] })
          seen.add(t.url)
        })
      }),
    /** Seconds SIGTERM waits for the writer to drain before exiting anyway (keep below TimeoutStopSec=). */
    shutdown_timeout_seconds: z.number().positive().max(MAX_TIMER_SECONDS).default(30),
  })
  .strict()

export type Config = z.infer<typeof ConfigSchema>
