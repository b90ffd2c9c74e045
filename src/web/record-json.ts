// A LogRecord as the API and the page see it: the time rendered with the config's datefmt (as the central
// file shows it), the message merged with its args, long texts cut, no bigints (JSON has none).
import { createAsctime } from '../format/asctime.js'
import { getMessage } from '../format/message.js'
import type { LogRecord } from '../record.js'
import { RECENT_TEXT_CHARS } from '../status/recent.js'

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
  message: string
  exc_text: string | null
  stack_info: string | null
  pathname: string
  lineno: number
  funcName: string
  process: number | string | null
  processName: string | null
  threadName: string | null
  /** True when message, exc_text or stack_info was cut (GET /api/records/:seq has more; the central file has it whole). */
  truncated: boolean
}

/**
 * Per text in lists (/api/records, /api/stream): a page of 300 rows stays about a megabyte however big the
 * records are, and a row shows what fits on a screen. The page fetches a cut record whole when opened.
 */
export const LISTED_TEXT_CHARS = 4 * 1024

/**
 * Per text of one record (/api/records/:seq). The ring keeps RECENT_TEXT_CHARS of a longer text without
 * saying so; one character less here flags every text the ring cut.
 */
export const WHOLE_TEXT_CHARS = RECENT_TEXT_CHARS - 1
const MARK = '…[truncated]'

export function createRecordJson(time: { datefmt: string | null; utc: boolean }, maxTextChars = LISTED_TEXT_CHARS): (r: LogRecord) => RecordJson {
  const asctime = createAsctime(time)
  return (r) => {
    let truncated = false
    const cut = (s: string | null): string | null => {
      if (s === null || s.length <= maxTextChars) return s
      truncated = true
      // Never split a surrogate pair: half of one is not valid UTF-8 for the client to decode.
      const end = isHighSurrogate(s.charCodeAt(maxTextChars - 1)) ? maxTextChars - 1 : maxTextChars
      return s.slice(0, end) + MARK
    }
    return {
      seq: r.seq,
      time: asctime(r),
      created: r.created,
      received: r.received,
      client: r.client,
      name: r.name,
      levelname: r.levelname,
      levelno: r.levelno,
      message: cut(getMessage(r)) ?? '',
      exc_text: cut(r.exc_text),
      stack_info: cut(r.stack_info),
      pathname: r.pathname,
      lineno: r.lineno,
      funcName: r.funcName,
      process: typeof r.process === 'bigint' ? String(r.process) : r.process,
      processName: r.processName,
      threadName: r.threadName,
      truncated,
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
