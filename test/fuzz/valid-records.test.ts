// Random valid LogRecords (valid_records.py, seeded) sent by a real SocketHandler to the real server with
// `file.escape: false`: the central file must hold, record by record, exactly the text CPython's own
// logging.Formatter makes of the same records. FUZZ_SEED and FUZZ_RECORDS (set by fuzz.js) choose them.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { runPythonAsync } from '../support/python.js'
import { getJson, repoRoot, startServer, waitFor, type RunningServer } from '../support/server.js'

const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31)
const RECORDS = Number(process.env['FUZZ_RECORDS'] ?? 300)
const CANARY = '/tmp/loggingserver-pwned'
/** Every attribute a record's values can show in, with conversions, widths and precisions. */
const FORMAT = '%(asctime)s|%(created)f|%(created).3f|%(msecs)03d|%(relativeCreated)d|%(name)-12s|%(name)r|%(name)a|%(levelname)-8s|%(levelno)+4d|%(pathname)s|%(filename)s|%(module)s|%(lineno)d|%(funcName)s|%(thread)d|%(threadName)s|%(process)d|%(processName)10s|%(message)s'
const DATEFMTS = [null, '%Y-%m-%dT%H:%M:%S', '%a %d %b %Y %I:%M:%S %p %j %U %W', '%F %T %z']
const DATEFMT = DATEFMTS[SEED % DATEFMTS.length] ?? null

describe(`random valid records, file text against CPython's Formatter (seed ${SEED}, ${RECORDS} records)`, () => {
  let server: RunningServer
  before(async () => {
    server = await startServer(stringify({ file: { format: FORMAT, datefmt: DATEFMT, utc: true, escape: false } }))
  })
  after(() => server?.cleanup())

  it('writes each record exactly as logging.Formatter does, and runs nothing a pickle asks for', async () => {
    const out = path.join(server.dir, 'expected.json')
    await runPythonAsync(readFileSync(path.join(repoRoot, 'test/fuzz/valid_records.py'), 'utf8'), [String(server.logPort), String(SEED), String(RECORDS), FORMAT, DATEFMT ?? '-', out])
    await waitFor(async () => ((await getJson(server.webPort, '/api/status')).body as { recordsReceived: number }).recordsReceived >= RECORDS, 30_000, 'every record')
    assert.equal(await server.stop(), 0)
    const expected = JSON.parse(readFileSync(out, 'utf8')) as string[]
    const text = readFileSync(server.file, 'utf8')
    let at = 0
    expected.forEach((entry, i) => {
      if (!text.startsWith(entry + '\n', at)) {
        const actual = text.slice(at, at + entry.length + 200)
        assert.fail(`record ${i} (seed ${SEED}, datefmt ${JSON.stringify(DATEFMT)}) differs from CPython:\n  CPython: ${JSON.stringify(entry)}\n  server:  ${JSON.stringify(actual)}`)
      }
      at += entry.length + 1
    })
    assert.equal(at, text.length, 'the file holds more than the records sent')
    assert.equal(existsSync(CANARY), false, 'a pickle ran a command')
  })
})
