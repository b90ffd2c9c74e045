// HTTPHandler sends `msg` unmerged and `args` as str(args), a repr. Merge them as LogRecord.getMessage() would,
// through the same `%` operator and value model the log port uses; where the repr cannot be read or CPython
// would raise, keep both texts (`msg | args=<repr>`) rather than lose the record.
import { truthy } from '../format/message.js'
import { pyPercent } from '../format/percent-operator.js'
import { LiteralError, parsePyLiteral } from '../py-literal/parse.js'

/** `str(record.args)` of the records that carry no arguments: no need to read them. */
const NO_ARGS = new Set(['None', '()', '{}', ''])

export function mergeMessage(msg: string, argsText: string | undefined): string {
  if (argsText === undefined || NO_ARGS.has(argsText)) return msg
  let args
  try {
    args = parsePyLiteral(argsText)
  } catch (err) {
    if (!(err instanceof LiteralError)) throw err
    return unmerged(msg, argsText)
  }
  if (!truthy(args)) return msg
  try {
    return pyPercent(msg, args)
  } catch {
    return unmerged(msg, argsText)
  }
}

function unmerged(msg: string, argsText: string): string {
  return `${msg} | args=${argsText}`
}
