// What an operator reads first: the startup line, and systemd's STATUS= (systemctl status), which must be
// fresh: it is refreshed every second, so it shows the records of a moment ago, not of 5 s ago.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { notifyListener, type NotifyListener } from '../support/notify.js'
import { runClient } from '../support/python.js'
import { reported, startServer, tempDir, waitFor, type RunningServer } from '../support/server.js'

describe('startup line and STATUS=', () => {
  let server: RunningServer
  let notify: NotifyListener
  after(() => {
    server?.cleanup()
    notify?.stop()
  })

  it('names every port by its role in one plain sentence', async () => {
    notify = await notifyListener(tempDir('loggingserver-notify-'))
    server = await startServer('', { env: { NOTIFY_SOCKET: notify.socket } })
    const line = reported(server.stderr(), 'LS-STARTED')[0] ?? ''
    assert.match(line, new RegExp(`started: listening on 127\\.0\\.0\\.1:${server.logPort} \\(log\\) and 127\\.0\\.0\\.1:${server.webPort} \\(web\\), ports bound by the server; central file `))
  })

  it('refreshes STATUS= every second', async () => {
    await waitFor(() => notify.received().includes('READY=1'), 5000, 'READY=1')
    await runClient(server.logPort, 37, 'status')
    const sent = Date.now() / 1000
    await waitFor(() => /STATUS=37 records/.test(notify.received()), 5000, 'STATUS= with the 37 records')
    const line = notify.received().split('\n').find((l) => l.includes('STATUS=37 records'))!
    const at = Number(line.split(' ')[0])
    assert.ok(at - sent < 1.6, `STATUS= caught up ${(at - sent).toFixed(2)} s after the records were sent`)
    const statuses = notify.received().split('\n').filter((l) => l.includes('STATUS=')).map((l) => Number(l.split(' ')[0]))
    const gaps = statuses.slice(1).map((t, i) => t - statuses[i]!)
    assert.ok(gaps.length >= 1 && Math.max(...gaps) < 1.6, `STATUS= gaps ${gaps.map((g) => g.toFixed(2)).join(', ')} s`)
  })
})
