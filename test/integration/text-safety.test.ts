// The real server, fed by CPython: a message cannot forge a line that reads as another record (text
// style, file.escape on by default), file.escape: false writes CPython's Formatter output unchanged, and
// the status API shows the merged message of records that arrive with msg and args apart.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { runPython } from '../support/python.js'
import { getJson, sendRaw, startServer, waitFor, type RunningServer } from '../support/server.js'

/** Frames as SocketHandler sends them, from records built by CPython: [frames hex, expected file text]. */
const FRAMES = String.raw`
import logging, pickle, struct, sys
def frame(d, proto=1):
    p = pickle.dumps(d, proto)
    return struct.pack('>L', len(p)) + p
forged = logging.makeLogRecord({'name': 'app\n2026-11-30 09:00:00,000 10.0.0.99 forged.name CRITICAL x', 'levelname': 'WARNING', 'levelno': 30,
    'msg': 'ok\n2026-11-30 09:00:00,000 10.0.0.99 forged.app CRITICAL pwned\r\x1b[2J\x00\x85\u2028end', 'created': 1764107385.5})
merged = logging.makeLogRecord({'name': 'merge', 'levelname': 'INFO', 'levelno': 20, 'msg': 'n=%d f=%s %r', 'args': (3, 1.0, 'x'), 'created': 1764107385.5})
tb = logging.makeLogRecord({'name': 'tb', 'levelname': 'INFO', 'levelno': 20, 'msg': '\tstarts with a tab', 'created': 1764107385.5,
    'exc_text': 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nZeroDivisionError: division by zero'})
sys.stdout.write((frame(forged.__dict__) + frame(merged.__dict__, 4) + frame(tb.__dict__, 5)).hex())
`

async function feed(server: RunningServer): Promise<string> {
  assert.equal(await sendRaw(server.logPort, Buffer.from(runPython(FRAMES).toString(), 'hex')), null)
  await waitFor(() => readFileSync(server.file, 'utf8').includes('division by zero'), 5000, 'the records in the central file')
  return readFileSync(server.file, 'utf8')
}

describe('text style with file.escape (the default)', () => {
  let server: RunningServer
  before(async () => (server = await startServer('file:\n  format: "%(message)s | %(client)s %(name)s %(levelname)s"\n')))
  after(() => server.cleanup())

  it('writes every continuation line behind a TAB and escapes control characters, so no line reads as a record', async () => {
    const lines = (await feed(server)).split('\n')
    assert.deepEqual(lines, [
      'ok',
      '\t2026-11-30 09:00:00,000 10.0.0.99 forged.app CRITICAL pwned\\r\\x1b[2J\\x00\\x85\\u2028end' +
        ' | 127.0.0.1 app\\n2026-11-30 09:00:00,000 10.0.0.99 forged.name CRITICAL x WARNING',
      "n=3 f=1.0 'x' | 127.0.0.1 merge INFO",
      '\\tstarts with a tab | 127.0.0.1 tb INFO',
      '\tTraceback (most recent call last):',
      '\t  File "x.py", line 1, in <module>',
      '\tZeroDivisionError: division by zero',
      '',
    ])
  })

  it('shows the merged message on the status API, not the raw msg', async () => {
    const { body } = await getJson(server.webPort, '/api/records?logger=merge')
    assert.deepEqual((body as { records: Array<{ message: string }> }).records.map((r) => r.message), ["n=3 f=1.0 'x'"])
  })
})

describe('text style with file.escape: false', () => {
  let server: RunningServer
  before(async () => (server = await startServer('file:\n  escape: false\n  format: "%(message)s"\n')))
  after(() => server.cleanup())

  it("writes CPython's Formatter output unchanged", async () => {
    const text = await feed(server)
    const want = runPython(`${FRAMES.replace('sys.stdout.write(', 'pass #')}
f = logging.Formatter('%(message)s')
sys.stdout.write(''.join(f.format(r) + '\\n' for r in (forged, merged, tb)))`).toString('utf8')
    assert.equal(text, want)
  })
})
