// The catalogue of every message the server writes to its own log (stderr, or the journal under systemd).
// Each has a stable code that prefixes the line ("[LS-WRITE-FAILED] writing …"), so `journalctl -g CODE`
// and tests find it whatever the prose says, and a priority fixed here rather than at each call site.
// README's "Diagnostic codes" table is this catalogue; test/unit/diagnostic-codes.test.ts keeps them equal.
// Imports nothing: every room may use the codes, and the Diagnostics interface only as a type.

export type Priority = 'debug' | 'info' | 'warning' | 'error' | 'critical'

export interface CatalogueEntry {
  readonly priority: Priority
  /** What happened, in one line (README's "meaning" column). */
  readonly meaning: string
  /** What the operator should do, in one line (README's "what to do" column). */
  readonly action: string
}

export const CATALOGUE = {
  // Life cycle
  'LS-STARTED': {
    priority: 'info',
    meaning: 'the server is up: ports, status page, central file, config source, and whether systemd passed the sockets',
    action: 'nothing; tests and systemd take this line (and READY=1) as "up"',
  },
  'LS-STOPPING': {
    priority: 'info',
    meaning: 'SIGTERM or SIGINT: new connections are refused, open log connections are drained (or, at a restart under systemd, handed over: the line says which, and why not)',
    action: 'nothing',
  },
  'LS-STOPPED': {
    priority: 'info',
    meaning: 'a clean stop: every record received was written; the line counts both',
    action: 'nothing; if the counts differ, look for `LS-WRITE-FAILED` before it',
  },
  'LS-SHUTDOWN-CONNECTIONS-CUT': {
    priority: 'warning',
    meaning: 'at a stop, log connections still sending after two thirds of `shutdown_timeout_seconds` were closed, or new connections still arriving after 3 s were refused',
    action: 'nothing for SocketHandler clients (they reconnect to the next start); a client that never pauses is not one',
  },
  'LS-SHUTDOWN-TIMEOUT': {
    priority: 'error',
    meaning: 'the stop took over `shutdown_timeout_seconds`; what was still in memory went out synchronously, exit 1',
    action: 'check the central file\'s disk (slow or failing); raise `shutdown_timeout_seconds` if the disk is just slow',
  },
  'LS-HANDOVER': {
    priority: 'info',
    meaning: "at a stop under systemd, the open log connections were stored in systemd's fd store with the bytes read of their unfinished frames, for the next start to continue",
    action: 'nothing; clients keep their connections and lose nothing across the restart',
  },
  'LS-HANDOVER-ADOPTED': {
    priority: 'info',
    meaning: 'at start, log connections the previous process stored in the fd store were adopted and continue at the frame boundary',
    action: 'nothing',
  },
  'LS-HANDOVER-FAILED': {
    priority: 'warning',
    meaning: 'a hand-over could not be made or read whole (addon missing, fd store refused, a manifest this version cannot read); connections not handed over were drained and closed as without systemd',
    action: 'check `FileDescriptorStoreMax=` covers `log.max_connections` + 1 and that the fd-store addon is installed; the line names what failed',
  },
  'LS-INTERNAL-ERROR': {
    priority: 'critical',
    meaning: 'a bug: an unexpected exception; records in memory are flushed and the server exits 70 (systemd restarts it)',
    action: 'report it with the stack trace that follows the code',
  },
  // Configuration and reload
  'LS-CONFIG-INVALID': {
    priority: 'error',
    meaning: 'the config file has problems, each named with file, line and key; run by hand the server exits 78, under systemd it runs on the last valid configuration (`LS-CONFIG-FALLBACK`)',
    action: 'fix the lines named (`loggingserver --check-config` checks without starting)',
  },
  'LS-CONFIG-FALLBACK': {
    priority: 'error',
    meaning: 'under systemd the config file is invalid, so the server runs on the last valid configuration (saved in `StateDirectory=`) or the packaged one, to keep the ports open; the status page, `/healthz`, `/metrics` and `systemctl status` say so',
    action: 'fix the lines named by `LS-CONFIG-INVALID`, then `systemctl restart loggingserver` (or reload, for the reloadable keys)',
  },
  'LS-CONFIG-SAVE-FAILED': {
    priority: 'warning',
    meaning: 'the running configuration could not be saved as the last valid one in `StateDirectory=`; a later bad config would fall back to an older copy or the packaged config',
    action: 'check the unit has `StateDirectory=loggingserver` and that /var/lib/loggingserver is writable by the service user',
  },
  'LS-RELOAD': {
    priority: 'info',
    meaning: 'SIGHUP (`systemctl reload`): the central file is reopened and the config file re-read',
    action: 'nothing; a `LS-RELOAD-REFUSED` or `LS-RELOAD-NEEDS-RESTART` line follows when not everything applied',
  },
  'LS-RELOAD-NEEDS-RESTART': {
    priority: 'warning',
    meaning: 'the reloaded config changes keys that apply only at start (ports, file path, rotation); the rest applied',
    action: '`systemctl restart loggingserver` when convenient (systemd keeps the ports, no record is lost)',
  },
  'LS-RELOAD-REFUSED': {
    priority: 'error',
    meaning: 'the reloaded config is invalid; the running configuration stays in force',
    action: 'fix the lines named, then reload again',
  },
  'LS-SD-NOTIFY-MISSING': {
    priority: 'warning',
    meaning: 'systemd expects READY=1 (`NOTIFY_SOCKET` is set) but the sd-notify addon cannot be loaded',
    action: 'reinstall the package (the addon ships with it); until then systemd fails the start at `TimeoutStartSec`',
  },
  // Ports
  'LS-LISTEN-FAILED': {
    priority: 'error',
    meaning: 'a log, UDP or web port cannot be bound (in use, or no permission), or the Unix socket path is taken (another listener, or a file that is not a socket); the server exits 1',
    action: 'stop whatever holds the port (`ss -ltnup`) or the path (`ss -lxp`), or change `log.port` / `log.udp_port` / `log.unix_socket` / `web.port`',
  },
  // The central file
  'LS-FILE-OPEN-FAILED': {
    priority: 'error',
    meaning: 'the central file cannot be opened at start; the server exits 1',
    action: 'fix the path or its permissions; under systemd only `LogsDirectory=` is writable (add `ReadWritePaths=`)',
  },
  'LS-WRITE-FAILED': {
    priority: 'error',
    meaning: 'writing the central file failed (disk full, I/O error); records are kept in memory and retried',
    action: 'free space or fix the disk; reading pauses once `log.max_backlog_bytes` is held; `LS-WRITE-RECOVERED` follows',
  },
  'LS-WRITE-RECOVERED': {
    priority: 'info',
    meaning: 'writing the central file works again after `LS-WRITE-FAILED`; the records held in memory follow in order',
    action: 'nothing',
  },
  'LS-ROTATE-FAILED': {
    priority: 'error',
    meaning: 'renaming the central file for rotation failed; writing goes on to the same file (size rotation retries after 60 s)',
    action: 'check permissions of the file\'s directory and the backups in it',
  },
  'LS-COMPRESS-FAILED': {
    priority: 'warning',
    meaning: 'gzip of a rotated file failed; the backup is kept uncompressed',
    action: 'check the disk space and permissions of the file\'s directory',
  },
  'LS-REOPEN-FAILED': {
    priority: 'error',
    meaning: 'reopening the central file on SIGHUP failed outright (a failing open shows as `LS-WRITE-FAILED` and is retried)',
    action: 'fix the path or its permissions (logrotate\'s `create` mode and owner), then reload again',
  },
  // The log port: rejected frames (stats label: the reject code, lower-cased, e.g. `frame_too_large`)
  'LS-FRAME-TOO-LARGE': {
    priority: 'warning',
    meaning: 'a frame\'s length prefix is over `log.max_frame_bytes` (but at most 64 MiB); read past, placeholder written, connection kept',
    action: 'raise the limit if a legitimate client sends huge records (the placeholder names the size)',
  },
  'LS-FRAME-LENGTH-INVALID': {
    priority: 'warning',
    meaning: 'a length prefix over 64 MiB: no record is that large; connection closed',
    action: 'not a SocketHandler (an HTTP request, a port scanner): find the peer',
  },
  'LS-FRAME-EMPTY': {
    priority: 'warning',
    meaning: 'a zero length prefix; connection closed',
    action: 'not a SocketHandler: find the peer',
  },
  'LS-FRAME-TRUNCATED': {
    priority: 'warning',
    meaning: 'the peer closed (or stalled `log.frame_timeout_seconds`, or took over `log.frame_deadline_seconds`) in the middle of a frame; connection closed',
    action: 'usually a client process killed mid-send',
  },
  'LS-UNPICKLE-FAILED': {
    priority: 'warning',
    meaning: 'the frame is not a pickle we accept (unknown opcode, bad length, broken structure); placeholder written, connection kept',
    action: 'check the client\'s handler; custom handlers may use pickle protocols 0–5',
  },
  'LS-PICKLE-BUDGET-EXCEEDED': {
    priority: 'warning',
    meaning: 'the pickle is over a decoding budget (expansion, heap, depth: see "Security"); placeholder written, connection kept',
    action: 'a hostile or pathological record',
  },
  'LS-NOT-A-DICT': {
    priority: 'warning',
    meaning: 'a valid pickle whose value is not a dict; placeholder written, connection kept',
    action: 'not a SocketHandler record',
  },
  'LS-CONNECTION-LIMIT': {
    priority: 'warning',
    meaning: 'a new log connection arrived with `log.max_connections` already open; it was closed at once (open ones are kept)',
    action: 'raise `log.max_connections` (and `LimitNOFILE=`) if that many clients are real; otherwise find the peer holding connections open',
  },
  'LS-PARTIAL-LIMIT': {
    priority: 'warning',
    meaning: 'the half-received frames of all log connections together held more than `log.max_partial_bytes`; the connections holding the largest were closed',
    action: 'many peers stopping in the middle of large frames: find them by address; raise `log.max_partial_bytes` only if such records are real',
  },
  'LS-NOT-ALLOWED': {
    priority: 'warning',
    meaning: 'a connection from an address outside `log.allow` was closed at once, before anything was read; the line names the address',
    action: 'add the address (or its network) to `log.allow` if it is one of yours; otherwise nothing (the firewall may drop it earlier)',
  },
  'LS-TLS-HANDSHAKE': {
    priority: 'warning',
    meaning: 'a connection to the TLS port failed its handshake (a plain client, an unaccepted or missing client certificate, or silence) and was closed',
    action: 'point plain clients at the plain port; give TLS clients a certificate signed by `log.tls.ca` (see `examples/tls_socket_handler.py`)',
  },
  'LS-DATAGRAM-MALFORMED': {
    priority: 'warning',
    meaning: 'a datagram on `log.udp_port` was not one DatagramHandler record (under 5 bytes, or its 4-byte length prefix is not the rest of its size); dropped',
    action: 'not a DatagramHandler: find the peer by its address (anyone may send UDP: see `log.allow`)',
  },
  'LS-DATAGRAM-BACKLOG': {
    priority: 'warning',
    meaning: 'datagrams on `log.udp_port` came while the central file was more than `log.max_backlog_bytes` behind; UDP senders cannot be paused, so they were dropped and counted',
    action: 'see why the file is slow (`LS-WRITE-FAILED` lines, the disk); clients that must not lose records use SocketHandler (TCP or the Unix socket)',
  },
  'LS-TLS-NOT-CONFIGURED': {
    priority: 'warning',
    meaning: 'systemd passed the TLS socket (`loggingserver-tls.socket` is enabled) but `log.tls` is not set; connections to it wait unanswered',
    action: 'set `log.tls` and restart, or `systemctl disable --now loggingserver-tls.socket`',
  },
  // The HTTPHandler input (web.http_handler_path); stats labels as above
  'LS-HTTP-UNAUTHORIZED': {
    priority: 'warning',
    meaning: 'a request to `web.http_handler_path` came without valid sender credentials (`web.http_handler_auth`) and was answered 401; nothing was written',
    action: "give the sender a user of `web.http_handler_auth` (HTTPHandler's `credentials=`); the page's users cannot send",
  },
  'LS-HTTP-TOO-LARGE': {
    priority: 'warning',
    meaning: 'a record sent over HTTP was too large: a POST body over `web.http_handler_max_bytes` (413), a GET URL over 8 KiB (414), request headers over 16 KiB (431), or a POST arriving while the bodies being received already hold `log.max_partial_bytes` (503); nothing was written',
    action: 'use `method="POST"` (a GET puts the whole record in the URL); raise `web.http_handler_max_bytes` if such records are real; 503s mean many large bodies at once (find the peers by address)',
  },
  'LS-HTTP-BAD-REQUEST': {
    priority: 'warning',
    meaning: 'a request to `web.http_handler_path` was not an HTTPHandler record: another method (405), content type (415) or a body without a `msg` field (400); nothing was written',
    action: 'point only `logging.handlers.HTTPHandler` (or `examples/http_handler.py`) at this path',
  },
  'LS-DECODE-THREAD-FAILED': {
    priority: 'error',
    meaning: 'a decode thread (`log.decode_threads`) failed; the reads it held are decoded on the main thread, so no record is lost, and the server goes on with the threads left',
    action: 'report it with the line (a bug); `log.decode_threads: 0` turns the threads off',
  },
  'LS-LOG-CLIENT-GONE': {
    priority: 'debug',
    meaning: 'a log connection ended with a socket error (usually ECONNRESET); what it sent before is written',
    action: 'nothing; clients killed or restarted do this',
  },
  'LS-MESSAGES-SUPPRESSED': {
    priority: 'warning',
    meaning: 'more than 10 messages a peer can provoke (rejected frames) in 10 s; the rest were counted, not printed',
    action: 'see the `LS-FRAME-…` lines before it and `rejected` in `/api/status`',
  },
  // Forwarding to syslog receivers (`forward`)
  'LS-FORWARD-UP': {
    priority: 'info',
    meaning: 'a forward target is connected (at start, or again after `LS-FORWARD-DOWN`); queued records are being sent',
    action: 'nothing',
  },
  'LS-FORWARD-DOWN': {
    priority: 'warning',
    meaning: 'a forward target cannot be reached or closed the connection (once per outage); records queue up to its `queue_bytes` while it retries with backoff (0.25 s doubling to 30 s; only a connection that lasted 5 s starts it again from 0.25 s)',
    action: 'check the receiver (rsyslog, syslog-ng) and the network to it; the central file is not affected',
  },
  'LS-FORWARD-DROPPED': {
    priority: 'warning',
    meaning: "a forward target's queue is full: records for it are dropped and counted (at most one line per 10 s per target, with the count); the central file still has every one",
    action: 'bring the receiver back or make it faster; raise the target\'s `queue_bytes` to ride out longer outages',
  },
  'LS-FORWARD-LOST-AT-STOP': {
    priority: 'warning',
    meaning: 'at a stop, records still queued for a forward target (RELP: also those not acknowledged) could not be sent within `shutdown_timeout_seconds`, or the target was down; they are in the central file only',
    action: 'nothing for this stop; if it recurs, check the receiver is up and fast at stop time',
  },
  'LS-FORWARD-STOPPED': {
    priority: 'info',
    meaning: 'at a stop, a forward target sent everything it held (RELP: acknowledged); the line gives its counters',
    action: 'nothing',
  },
  // The status page
  'LS-WEB-INTERNAL-ERROR': {
    priority: 'error',
    meaning: 'a status page or API request failed inside the server (answered 500); the stack follows',
    action: 'report it with the stack trace',
  },
  'LS-WEB-CSS-UNREADABLE': {
    priority: 'warning',
    meaning: '`web.css_file` cannot be read; the default stylesheet is served (reported once per distinct problem, with the reason, and which sandbox setting hides the path under systemd)',
    action: 'put the file under /etc/loggingserver/, readable by group loggingserver; `loggingserver --check-config` checks it as the service user'
  },
  'LS-WEB-CLIENT-GONE': {
    priority: 'debug',
    meaning: 'a status page client reset, closed early or stopped reading before its answer was sent',
    action: 'nothing; routine on a public port',
  },
} as const satisfies Record<string, CatalogueEntry>

export type DiagnosticCode = keyof typeof CATALOGUE

/**
 * How every room reports to the operator. The priority comes from the catalogue and the line starts with
 * `[CODE]`. Rooms take this as a type only; systemd/diagnostics.ts writes it to stderr or the journal.
 */
export interface Diagnostics {
  report(code: DiagnosticCode, detail: string): void
  /** For messages a peer can provoke at will (bad frames): a hostile client must not flood the journal. */
  reportLimited(code: DiagnosticCode, detail: string): void
}
