// One LogRecord as an RFC 5424 syslog message: PRI from the Python level, the record's own time with
// microseconds, the client as HOSTNAME, logger and level names as APP-NAME and MSGID, the code location as
// structured data (python@32473, RFC 5612's example enterprise number), and the message with its traceback.
import { appendExcAndStack, getMessage } from '../format/message.js'
import type { LogRecord } from '../record.js'

/** Python's levels and the syslog severity each maps to (SysLogHandler.priority_map, by number). */
const SEVERITIES: readonly (readonly [levelno: number, severity: number])[] = [
  [50, 2], // CRITICAL → crit
  [40, 3], // ERROR → err
  [30, 4], // WARNING → warning
  [20, 6], // INFO → info
  [10, 7], // DEBUG → debug
]

/** The severity of a level number; custom levels take the nearest standard one (a tie goes to the more severe). */
export function severityOf(levelno: number): number {
  let best = SEVERITIES[0]!
  for (const s of SEVERITIES) if (Math.abs(levelno - s[0]) < Math.abs(levelno - best[0])) best = s
  return best[1]
}

/** RFC 5424 §6: header field limits (octets of PRINTUSASCII). */
export const LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const
/** Each SD-PARAM value is cut here: a hostile funcName must not push the message itself out of a receiver's limit. */
export const SD_VALUE_MAX_CHARS = 128
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/**
 * A header field: PRINTUSASCII (33–126) only, so anything else (spaces, controls, non-ASCII) becomes `_`;
 * cut to `max`; empty becomes the NILVALUE `-`.
 */
export function headerField(value: string, max: number): string {
  const clean = value.slice(0, max).replace(/[^\x21-\x7e]/g, '_')
  return clean === '' ? '-' : clean
}

/** RFC 5424 §6.3.3: `"`, `\` and `]` in a PARAM-VALUE are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`)
}

/** RFC 3339 with microseconds, UTC: `created` is a float of seconds, as time.time() gave it. */
export function timestamp(created: number): string {
  if (!Number.isFinite(created)) return '-'
  const micros = Math.round(created * 1e6)
  const ms = Math.floor(micros / 1000)
  const date = new Date(ms)
  // Years past 9999 or before 0 come out as +011476-… / -001199-…: not RFC 3339, and rsyslog then misreads
  // every header field after it. A hostile or broken `created` gets the NILVALUE instead.
  const year = date.getUTCFullYear()
  if (Number.isNaN(year) || year < 0 || year > 9999) return '-'
  const sub = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0')
  return `${date.toISOString().slice(0, 19)}.${sub}Z`
}

function param(name: string, value: string | number | bigint | null): string {
  if (value === null) return ''
  const text = String(value)
  return ` ${name}="${escapeParamValue(text.length > SD_VALUE_MAX_CHARS ? text.slice(0, SD_VALUE_MAX_CHARS) : text)}"`
}

/** The STRUCTURED-DATA element: where in the client's code the record was made. */
export function structuredData(r: LogRecord): string {
  return `[python@32473${param('module', r.module)}${param('funcName', r.funcName)}${param('lineno', r.lineno)}${param('process', r.process)}${param('thread', r.thread)}]`
}

/** Cuts UTF-8 bytes to at most `max` without splitting a character. */
export function cutUtf8(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes
  let end = Math.max(0, max)
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return bytes.subarray(0, end)
}

/**
 * The whole message, at most `maxBytes` long: the header and structured data are bounded, so only MSG is cut
 * (at a character boundary). MSG is the formatted message and its traceback, BOM-prefixed UTF-8 (§6.4).
 */
export function toRfc5424(r: LogRecord, facility: number, maxBytes: number): Buffer {
  const pri = facility * 8 + severityOf(r.levelno)
  const procId = r.process === null ? '-' : headerField(String(r.process), LIMITS.procId)
  const head = Buffer.from(
    `<${pri}>1 ${timestamp(r.created)} ${headerField(r.client, LIMITS.hostname)} ${headerField(r.name, LIMITS.appName)} ` +
      `${procId} ${headerField(r.levelname, LIMITS.msgId)} ${structuredData(r)} `,
    'utf8',
  )
  const msg = Buffer.from(appendExcAndStack(getMessage(r), r), 'utf8')
  const room = maxBytes - head.length - BOM.length
  return Buffer.concat([head, BOM, cutUtf8(msg, room)])
}
