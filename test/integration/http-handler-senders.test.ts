// Several HTTPHandler senders with their own users (web.http_handler_auth) starting at the same moment: each
// one's first record needs a scrypt check (ln=15, tens of ms), and the stock handler drops a record answered
// 401 (handleError, no retry). Every record of every sender must land.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { hashPassword } from '../../src/web/password-hash.js'
import { runPythonAsync } from '../support/python.js'
import { startServer, waitFor, type RunningServer } from '../support/server.js'

const SENDERS = 4
const RECORDS = 5

describe('HTTPHandler senders starting together', () => {
  let server: RunningServer
  before(async () => {
    const users = await Promise.all(Array.from({ length: SENDERS }, async (_, i) => `app${i}: "${await hashPassword(`pw${i}`)}"`))
    server = await startServer(`web:\n  http_handler_path: /log\n  http_handler_auth:\n    users: {${users.join(', ')}}\n`)
  })
  after(() => server.cleanup())

  it('lands every record of senders whose first credentials check at the same time', async () => {
    // Threads released together by a barrier, each with its own HTTPHandler and user: the first records overlap.
    await runPythonAsync(
      `import logging, logging.handlers, sys, threading
port, senders, records = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
barrier = threading.Barrier(senders)
def send(i):
    log = logging.getLogger(f'senders.app{i}')
    log.propagate = False
    log.addHandler(logging.handlers.HTTPHandler(f'127.0.0.1:{port}', '/log', method='POST', credentials=(f'app{i}', f'pw{i}')))
    barrier.wait()
    for n in range(records):
        log.warning('record %d of app%d', n, i)
threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
for t in threads: t.start()
for t in threads: t.join()`,
      [String(server.webPort), String(SENDERS), String(RECORDS)],
    )
    const landed = async (): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${server.webPort}/api/records?logger=senders`)
      return ((await res.json()) as { records: unknown[] }).records.length
    }
    await waitFor(async () => (await landed()) === SENDERS * RECORDS, 5000, `${SENDERS * RECORDS} records`).catch(() => {})
    const status = (await (await fetch(`http://127.0.0.1:${server.webPort}/api/status`)).json()) as { rejected: Record<string, number> }
    assert.equal(status.rejected['http_unauthorized'] ?? 0, 0, 'no sender was answered 401')
    assert.equal(await landed(), SENDERS * RECORDS)
  })
})
