// The one place a LogRecord is shaped for the API and the page (RecordJson of ./api-contract.ts): the time
// rendered with the config's datefmt (as the central file shows it), the message merged with its args, long
// texts cut and marked (the caps, with the ring's, are in ../text-caps.ts), no bigints (JSON has none).
import { createAsctime } from '../format/asctime.js'
import { getMessage } from '../format/message.js'
import type { LogRecord } from '../record.js'
import { LISTED_TEXT_CHARS, WHOLE_TEXT_CHARS } from '../text-caps.js'
import type { RecordJson } from './api-contract.js'

// The caps live with the ring's in ../text-caps.ts; app.ts picks between these two.
export { LISTED_TEXT_CHARS, WHOLE_TEXT_CHARS }
const MARK = '…[truncated]'

/** Lists shape with LISTED_TEXT_CHARS (the default), one record with WHOLE_TEXT_CHARS. */
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
