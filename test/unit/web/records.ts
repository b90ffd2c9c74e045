// Builds LogRecords for the web room's unit tests (not a test file: only *.test.js files are run).
import type { LogRecord } from '../../../src/record.js'

export function rec(seq: number, over: Partial<LogRecord> = {}): LogRecord {
  return {
    name: 'app', msg: `message ${seq}`, args: null, levelname: 'INFO', levelno: 20, pathname: '/srv/app.py', filename: 'app.py',
    module: 'app', lineno: 1, funcName: 'f', created: 1_764_000_000 + seq, msecs: 0, relativeCreated: 0, thread: 1,
    threadName: 'MainThread', process: 42, processName: 'MainProcess', taskName: null, exc_text: null, stack_info: null,
    client: '10.0.0.1', received: 1_764_000_000 + seq, seq, extra: new Map(), ...over,
  }
}
