// The one entry point the central file sink and the config validator call: options → a function that
// renders one record as its full entry, without the trailing newline.
import type { LogRecord } from '../record.js'
import { createAsctime } from './asctime.js'
import { escapeSurrogates, markContinuations } from './escape.js'
import { createJsonLines } from './json-lines.js'
import { appendExcAndStack } from './message.js'
import { compileFormat } from './percent-style.js'

export interface FormatOptions {
  style: 'text' | 'json'
  /** logging %-style format; used by 'text' only. */
  format: string
  /** time.strftime format for asctime; null → '%Y-%m-%d %H:%M:%S,mmm'. */
  datefmt: string | null
  /** Formatter.converter = time.gmtime. */
  utc: boolean
  /** 'text' only: escape.ts's rule, so no client text can forge a line; false = CPython's exact output. */
  escape: boolean
}

/**
 * Throws FormatError (from percent-style.js) for a bad `format`, so calling this validates a config.
 * Text entries are what logging.Formatter.format returns (multi-line when exc_text or stack_info is set),
 * escaped when `escape` is on.
 */
export function createFormatter(options: FormatOptions): (r: LogRecord) => string {
  const asctime = createAsctime({ datefmt: options.datefmt, utc: options.utc })
  if (options.style === 'json') return createJsonLines(asctime)
  const line = compileFormat(options.format, asctime, options.escape)
  // Unescaped, a lone surrogate is still written as Python's backslashreplace spells it (`\udcff`): CPython's
  // FileHandler cannot encode it at all (the record is lost), and raw it would reach the file as U+FFFD.
  if (!options.escape) return (r) => escapeSurrogates(r.exc_text === null && r.stack_info === null ? line(r) : appendExcAndStack(line(r), r))
  return (r) => markContinuations(r.exc_text === null && r.stack_info === null ? line(r) : appendExcAndStack(line(r), r, true))
}
