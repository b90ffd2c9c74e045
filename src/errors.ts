// The reasons a frame is rejected, and the config error. Stats labels are the reject codes, lower-cased;
// each has a diagnostic code (FRAME_TOO_LARGE → LS-FRAME-TOO-LARGE) in diagnostic-codes.ts for its log line.
import type { DiagnosticCode } from './diagnostic-codes.js'

export const REJECT_CODES = [
  'FRAME_TOO_LARGE', // declared length above log.max_frame_bytes: read past, placeholder written, connection kept
  'FRAME_LENGTH_INVALID', // declared length beyond any record (64 MiB): not SocketHandler framing, connection closed
  'FRAME_EMPTY', // a zero length prefix: connection closed
  'FRAME_TRUNCATED', // the peer closed or stalled in the middle of a frame: connection closed
  'UNPICKLE_FAILED', // not a pickle, or one we refuse (bad opcode, bad length, stack misuse): placeholder, kept
  'PICKLE_BUDGET_EXCEEDED', // a pickle over the depth, heap or expanded-size budget: placeholder, kept
  'NOT_A_DICT', // a valid pickle whose top value is not a dict: placeholder, kept
  'CONNECTION_LIMIT', // a new log connection beyond log.max_connections: closed at once
  'PARTIAL_LIMIT', // partial frames of all connections past log.max_partial_bytes: the largest holders closed
  'NOT_ALLOWED', // a peer outside log.allow: closed at accept, before any byte is read
  'TLS_HANDSHAKE', // a TLS handshake that failed, timed out, or brought no accepted client certificate: closed
  'HTTP_UNAUTHORIZED', // HTTP input: missing or wrong sender credentials (web.http_handler_auth): 401
  'HTTP_TOO_LARGE', // HTTP input: body over web.http_handler_max_bytes (413), URL over 8 KiB (414), headers over 16 KiB (431)
  'HTTP_BAD_REQUEST', // HTTP input: a method (405), content type (415) or body (400) that is not HTTPHandler's
  'DATAGRAM_MALFORMED', // a UDP datagram shorter than 5 bytes, or whose length prefix is not its size: dropped
  'DATAGRAM_BACKLOG', // a UDP datagram that came while the central file was behind (no way to pause a sender): dropped
] as const
export type RejectCode = (typeof REJECT_CODES)[number]

type Kebab<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}-${Kebab<Tail>}` : S

/** The catalogue code of a reject's log line. Returning it as DiagnosticCode compiles only while every reject code has an entry. */
export function diagnosticCodeOf(code: RejectCode): DiagnosticCode {
  const kebab = `LS-${code.replaceAll('_', '-')}` as `LS-${Kebab<RejectCode>}`
  return kebab
}

/** Bad network input: carries a code for the stats and diagnostics (see REJECT_CODES for which close the connection). */
export class FrameError extends Error {
  constructor(readonly code: RejectCode, message: string, options?: ErrorOptions) {
    super(message, options)
  }
}

/** A config file that cannot be used; main logs LS-CONFIG-INVALID and exits with EXIT_CONFIG. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'))
  }
}

/** sysexits.h EX_CONFIG: the service unit's RestartPreventExitStatus, so a bad config does not restart-loop. */
export const EXIT_CONFIG = 78
