// A LogRecord as the API and the page see it: the time rendered with the config's datefmt (as the central
// file shows it), the message merged with its args, long texts cut, no bigints (JSON has none).
import { createAsctime } from '../format/asctime.js'
import { getMessage } from '../format/message.js'
import type { LogRecord } from '../record.js'

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
  /** True when message, exc_text or stack_info was cut at MAX_TEXT_CHARS (the central file has it whole). */
  truncated: boolean
}

/** A frame may be 1 MiB; 300 of those would make a 300 MB page. The central file keeps the whole text. */
export const MAX_TEXT_CHARS = 32 * 1024
const MARK = '…[truncated]'

export function createRecordJson(time: { datefmt: string | null; utc: boolean }): (r: LogRecord) => RecordJson {
  const asctime = createAsctime(time)
  return (r) => {
    let truncated = false
    const cut = (s: string | null): string | null => {
      if (s === null || s.length <= MAX_TEXT_CHARS) return s
      truncated = true
      return s.slice(0, MAX_TEXT_CHARS) + MARK
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
